/**
 * Hostile text everywhere a person or an agent can put text (agent ids, names, capabilities, tags; session
 * names; actions, resources, args, metadata; pause, abort, kill, approve and deny reasons; token names that
 * become `decided_by`; the policy's name, description, approval group, escalation and guidance; the notice
 * and `next` parameters; form fields posted back), then every dashboard page reachable from the navigation
 * (links, live fragments, GET forms filled with hostile values), every ticket, session and agent page, the
 * error pages and the `/ui/stream` events: no hostile string may become markup a browser would act on.
 * Generic: the crawl follows whatever the pages link to, so pages added later are covered too.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTokenAuth } from "../../src/auth/token-auth.js";
import { createTokenService } from "../../src/auth/token-service.js";
import type { ControlPlane } from "../../src/control-plane/control-plane.js";
import { createControlPlane } from "../../src/control-plane/create-control-plane.js";
import { NAV } from "../../src/dashboard/layout.js";
import { createHttpApp, type HttpApp } from "../../src/http/create-http-app.js";
import { createMemoryStorage } from "../../src/storage/memory/memory-storage.js";
import { EVENT_KINDS } from "../../src/types/event.js";
import { testClock } from "../support/control-plane-fixture.js";
import { type UiClient, uiSignIn } from "./approvals-support.js";
import { injectionProblems, isLocalUrl, parseSse, scanHtml } from "./html-scan.js";

import { fillWithHostileText, HOSTILE } from "./xss-fixture.js";

const BASE = "http://127.0.0.1:9";

describe("no hostile text becomes markup (pages, fragments, errors, live stream)", () => {
  let cp: ControlPlane;
  let app: HttpApp;
  const handle = (r: Request) => app.fetch(r);
  let approver: UiClient;
  let viewer: UiClient;
  const ticketIds: string[] = [];
  const sessionIds: string[] = [];
  let stream: { body: Promise<string>; stop: () => void; from: number };
  let streamText = "";
  let storageClose: () => Promise<void>;

  beforeAll(async () => {
    const storage = createMemoryStorage();
    storageClose = () => storage.close();
    const clock = testClock(Date.UTC(2026, 5, 1, 3, 0, 0));
    cp = await createControlPlane({
      storage,
      clock,
      policy: {
        version: 1,
        name: HOSTILE[0],
        description: HOSTILE[3],
        actions: { autoApprove: ["read_file", "write_file"], steer: ["force_push"], unlisted: "approve" },
        steering: { guidance: HOSTILE[7], suggestedActions: [HOSTILE[4]] },
        approvals: {
          timeout: "15m",
          onTimeout: "escalate",
          group: HOSTILE[1],
          escalation: [{ to: HOSTILE[2], timeout: "30m" }],
        },
      } as never,
    });
    const tokens = createTokenService({ storage, now: clock.now });
    app = createHttpApp({
      controlPlane: cp,
      auth: createTokenAuth({ storage, now: clock.now }),
      now: clock.now,
      sse: { pollIntervalMs: 10, keepAliveMs: 60_000 },
      dashboard: true,
    });
    const approverToken = (await tokens.create({ role: "approver", name: HOSTILE[0] })).token;
    const viewerToken = (await tokens.create({ role: "viewer", name: HOSTILE[3], createdBy: HOSTILE[5] }))
      .token;
    approver = await uiSignIn(handle, approverToken);
    viewer = await uiSignIn(handle, viewerToken);

    // The live stream, open before anything happens, read until the test ends.
    const from = await cp.feedHead();
    const stop = new AbortController();
    const res = await handle(
      new Request(`${BASE}/ui/stream`, { headers: { cookie: approver.cookie }, signal: stop.signal }),
    );
    expect(res.status).toBe(200);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    const body = (async () => {
      for (;;) {
        const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
        if (done) return streamText;
        streamText += decoder.decode(value, { stream: true });
      }
    })();
    stream = { body, stop: () => stop.abort(), from };

    const filled = await fillWithHostileText(cp, clock, tokens);
    ticketIds.push(...filled.ticketIds);
    sessionIds.push(...filled.sessionIds);
  });

  afterAll(async () => {
    stream?.stop();
    app?.close();
    await cp?.close();
    await storageClose?.();
  });

  /** GETs `path` and checks the answer; returns its HTML ("" for other media types). */
  async function check(client: UiClient, path: string): Promise<string> {
    const res = await client.get(path);
    expect(res.status, `GET ${path}`).toBeLessThan(500);
    if (res.status >= 300 && res.status < 400) {
      expect(isLocalUrl(res.location ?? ""), `redirect of ${path} to ${res.location}`).toBe(true);
      return "";
    }
    const type = res.headers.get("content-type") ?? "";
    if (!type.includes("text/html")) {
      expect(res.headers.get("x-content-type-options"), `nosniff on ${path}`).toBe("nosniff");
      return "";
    }
    expect(injectionProblems(res.text, client.csrf), `GET ${path}`).toEqual([]);
    return res.text;
  }

  /** Local links, live fragments and GET forms (filled with each hostile string) found on a page. */
  function linksOf(html: string, here: string, seenForms: Set<string>): string[] {
    const found: string[] = [];
    let form: { action: string; fields: Map<string, string> } | undefined;
    const forms: { action: string; fields: Map<string, string> }[] = [];
    for (const tag of scanHtml(html).tags) {
      if (tag.name === "form" && !tag.end && (tag.attrs.get("method") ?? "get").toLowerCase() === "get") {
        form = { action: tag.attrs.get("action") ?? "", fields: new Map() };
        forms.push(form);
      } else if (tag.name === "form" && tag.end) form = undefined;
      else if (form && !tag.end && ["input", "select", "textarea"].includes(tag.name)) {
        const name = tag.attrs.get("name");
        if (name) {
          const hidden = tag.attrs.get("type") === "hidden";
          form.fields.set(name, hidden ? (tag.attrs.get("value") ?? "") : "");
        }
      }
      for (const attr of ["href", "hx-get"]) {
        const v = tag.attrs.get(attr);
        if (v !== undefined && !tag.end && isLocalUrl(v) && v.startsWith("/")) found.push(v);
      }
    }
    for (const f of forms) {
      const action = f.action || here.split("?")[0]!;
      // Each distinct form once (a filter form repeated on the pages it leads to would multiply the crawl).
      const signature = `${action}|${[...f.fields.keys()].sort().join(",")}`;
      if (seenForms.has(signature)) continue;
      seenForms.add(signature);
      for (const h of HOSTILE) {
        const q = new URLSearchParams();
        for (const [name, value] of f.fields) q.set(name, value === "" ? h : value);
        found.push(`${action}?${q}`);
      }
    }
    return found.filter((p) => !/^\/(assets|ui\/stream|logout|login)\b/.test(p));
  }

  /** Crawls from the navigation and the given seeds; returns every HTML page read. */
  async function crawl(client: UiClient, seeds: readonly string[]): Promise<Map<string, string>> {
    const pages = new Map<string, string>();
    const seenForms = new Set<string>();
    const queue = [...NAV.map((n) => n.href), ...seeds];
    while (queue.length > 0 && pages.size < 600) {
      const path = queue.shift()!;
      if (pages.has(path)) continue;
      const html = await check(client, path);
      pages.set(path, html);
      for (const next of linksOf(html, path, seenForms)) if (!pages.has(next)) queue.push(next);
    }
    return pages;
  }

  const enc = encodeURIComponent;
  const seeds = () => [
    "/fragments/inbox",
    "/fragments/attention",
    ...ticketIds.flatMap((t) => [`/tickets/${t}`, `/fragments/tickets/${t}`]),
    ...sessionIds.map((s) => `/sessions/${s}`),
    ...HOSTILE.flatMap((h) => [
      `/agents/${enc(h)}`,
      `/tickets/${enc(h)}`,
      `/fragments/tickets/${enc(h)}`,
      `/sessions/${enc(h)}`,
      `/${enc(h)}`,
      `/ui/stream?kind=${enc(h)}`, // refused: the unknown kind is named in the error page
      ...NAV.map((n) => `${n.href}?notice=${enc(h)}`),
    ]),
  ];

  it("pages, fragments and error pages of an approver and of a viewer", async () => {
    for (const client of [approver, viewer]) {
      const pages = await crawl(client, seeds());
      const everything = [...pages.values()].map((html) => {
        const page = scanHtml(html);
        return page.text + page.tags.flatMap((t) => [...t.attrs.values()]).join("\n");
      });
      // The hostile text did reach the pages (as text): the checks above were not vacuous.
      for (const h of HOSTILE) {
        expect(
          everything.some((t) => t.includes(h.trim())),
          `${JSON.stringify(h)} shown somewhere`,
        ).toBe(true);
      }
      const inbox = scanHtml(pages.get("/")!).text;
      for (const h of HOSTILE) expect(inbox).toContain(h.trim().toLowerCase());
      expect(scanHtml(pages.get("/")!).text).toContain(client === approver ? HOSTILE[0] : HOSTILE[3]);
    }
  });

  it("a refused decision shows the posted hostile fields again, escaped", async () => {
    const pending = ticketIds[0]!;
    for (const h of HOSTILE) {
      const res = await approver.post(`/tickets/${pending}/approve`, {
        scope: "session",
        "scope.actions": h,
        "scope.resourceIds": h,
        "scope.maxCostPerAction": h,
        "scope.maxUses": h,
        "scope.ttlMinutes": h,
        reason: h,
        return: h,
      });
      expect(res.status).toBe(422);
      expect(injectionProblems(res.text, approver.csrf)).toEqual([]);
      expect(scanHtml(res.text).tags.some((t) => t.attrs.get("value") === h.trim())).toBe(true);
    }
  });

  it("the notice after a decision names the hostile action, escaped", async () => {
    // An agent other than the approver's namesake (no self-approval), allowed every hostile action.
    await cp.registerAgent({ id: "notice-agent", capabilities: [...HOSTILE] });
    for (const h of HOSTILE) {
      const s = await cp.openSession({ name: h, agentId: "notice-agent" });
      const d = await cp.propose({ sessionId: s.id, agentId: "notice-agent", action: h, resourceId: h });
      const res = await approver.post(`/tickets/${(d as { ticketId: string }).ticketId}/deny`, { reason: h });
      expect(res.status).toBe(303);
      const page = await approver.get(res.location!);
      expect(injectionProblems(page.text, approver.csrf)).toEqual([]);
      const notice = scanHtml(page.text).tags.findIndex((t) => t.attrs.get("class") === "notice");
      expect(notice).toBeGreaterThan(-1);
      expect(scanHtml(page.text).text).toContain(`Denied ${h.toLowerCase()} on ${h}`);
    }
  });

  it("sign-in page: hostile next and notice, refused sign-in, unsigned redirects stay local", async () => {
    for (const h of HOSTILE) {
      for (const next of [h, `/${h}`, `//${h}`, `/\t/${h}`]) {
        const page = await handle(new Request(`${BASE}/login?next=${enc(next)}&notice=${enc(h)}`));
        const html = await page.text();
        expect(injectionProblems(html)).toEqual([]);
        const refused = await handle(
          new Request(`${BASE}/login`, {
            method: "POST",
            headers: { "content-type": "application/x-www-form-urlencoded", origin: BASE },
            body: new URLSearchParams({ token: h, next }).toString(),
          }),
        );
        expect(refused.status).toBe(401);
        expect(injectionProblems(await refused.text())).toEqual([]);
      }
      const unsigned = await handle(new Request(`${BASE}/${enc(h)}?q=${enc(h)}`));
      expect(unsigned.status).toBe(303);
      const to = new URL(unsigned.headers.get("location")!, BASE);
      expect(to.origin).toBe(BASE);
      expect(to.pathname).toBe("/login");
    }
  });

  it("/ui/stream: only real event kinds, numeric data, and row HTML without injections", async () => {
    const head = await cp.feedHead();
    // Wait for the last event, then stop reading.
    await expect
      .poll(() => parseSse(streamText).some((e) => e.id === String(head)), { timeout: 10_000 })
      .toBe(true);
    stream.stop();
    await stream.body;
    const events = parseSse(streamText);
    const rows = events.filter((e) => e.event === "row");
    const kinds = events.filter((e) => e.event !== "row");
    expect(kinds.map((e) => Number(e.id))).toEqual(
      Array.from({ length: head - stream.from }, (_, k) => stream.from + 1 + k),
    );
    for (const e of kinds) {
      expect(EVENT_KINDS as readonly string[]).toContain(e.event);
      expect(e.data).toBe(e.id);
    }
    expect(rows.length).toBe(kinds.length);
    const all = rows.map((r) => r.data).join("\n");
    expect(injectionProblems(all)).toEqual([]);
    // (EventSource joins data lines with LF: a CRLF in the text arrives as LF, still as text.)
    for (const h of HOSTILE) expect(scanHtml(all).text).toContain(h.replace(/\r\n?/g, "\n"));
  });
});
