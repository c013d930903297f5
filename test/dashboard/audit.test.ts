/**
 * The Audit log page and its JSONL export, in process (`app.fetch`): filters by session, agent and kind,
 * newest first, paging with "older", the export's lines and headers.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { EVENT_KINDS } from "../../src/types/event.js";
import { rowIds, startUi, type UiHarness, type UiSession } from "./audit-support.js";

describe("audit log page", () => {
  let h: UiHarness;
  let viewer: UiSession;
  let a: string;
  let b: string;
  beforeEach(async () => {
    h = await startUi();
    viewer = await h.signIn("viewer");
    a = (await h.cp.openSession({ name: "a", agentId: "agent-a" })).id;
    b = (await h.cp.openSession({ name: "b", agentId: "agent-b" })).id;
    await h.cp.propose({ sessionId: a, agentId: "agent-a", action: "read_file", resourceId: "/etc/motd" });
    await h.cp.propose({ sessionId: b, agentId: "agent-b", action: "deploy", resourceId: "svc", cost: "3" });
    await h.cp.propose({ sessionId: a, agentId: "agent-a", action: "delete_database", resourceId: "db" });
  });
  afterEach(() => h.close());

  async function page(query = ""): Promise<string> {
    const res = await viewer.get(`/audit${query}`);
    expect(res.status).toBe(200);
    return res.text();
  }

  it("shows who acted (payload `by`) first in the row's summary, and nothing for events without one", async () => {
    const olivia = await h.signIn("operator");
    const posted = await olivia.post("/kill", {
      scope: "agent",
      agent: "agent-a",
      reason: "burst",
      confirm: "yes",
    });
    expect(posted.status).toBe(303);
    const html = await page("?kind=kill_switch_engaged");
    expect(html).toContain(
      '<span class="by">by <strong>olivia</strong> · </span><span class="summary">scope: agent',
    );
    expect(html).not.toContain("by: olivia"); // not repeated in the summary
    expect(await page("?kind=session_opened")).not.toContain('class="by"');
  });

  it("lists every event newest first, with readable kinds, links and the full JSON", async () => {
    const all = await h.cp.feed({ limit: 1000 });
    const html = await page();
    expect(rowIds(html)).toEqual(all.map((e) => e.id).reverse());
    expect(html).toContain("approval requested");
    expect(html).toContain(`href="/sessions/${a}"`);
    expect(html).toContain('href="/audit?agent_id=agent-b"');
    expect(html).toMatch(/<details><summary>JSON<\/summary><pre>[^<]*&quot;payload&quot;/);
    // The live tail is wired with the page's filters (none here).
    expect(html).toContain('sse-swap="row"');
    expect(html).toContain(`sse-connect="/ui/stream?after=${await h.cp.feedHead()}"`);
    // Every kind is offered in the filter.
    for (const k of EVENT_KINDS) expect(html).toContain(`<option value="${k}"`);
  });

  it("filters by session, by agent and by kind, and wires the live tail to the same filters", async () => {
    const feed = await h.cp.feed({ limit: 1000 });
    const ids = (pred: (e: (typeof feed)[number]) => boolean) =>
      feed
        .filter(pred)
        .map((e) => e.id)
        .reverse();
    const bySession = await page(`?session_id=${a}`);
    expect(rowIds(bySession)).toEqual(ids((e) => e.sessionId === a));
    expect(rowIds(bySession).length).toBeGreaterThan(0);
    expect(bySession).toContain(`sse-connect="/ui/stream?session_id=${a}&amp;after=`);

    const byAgent = await page("?agent_id=agent-b");
    expect(rowIds(byAgent)).toEqual(ids((e) => e.agentId === "agent-b"));
    expect(rowIds(byAgent).length).toBeGreaterThan(0);

    const byKind = await page("?kind=proposal_decided&agent_id=agent-a");
    expect(rowIds(byKind)).toEqual(ids((e) => e.kind === "proposal_decided" && e.agentId === "agent-a"));
    expect(rowIds(byKind)).toHaveLength(2);
    expect(byKind).toMatch(/<option value="proposal_decided" selected/);
    expect(byKind).toContain('sse-connect="/ui/stream?agent_id=agent-a&amp;kind=proposal_decided&amp;after=');

    const none = await page("?agent_id=nobody");
    expect(rowIds(none)).toEqual([]);
    expect(none).toContain("No events match these filters.");
  });

  it("refuses an unknown kind or a bad cursor naming the field", async () => {
    const res = await viewer.get("/audit?kind=nope");
    expect(res.status).toBe(422);
    expect(await res.text()).toMatch(/<code>kind<\/code>: unknown event kind nope/);
    const cursor = await viewer.get("/audit?before=abc");
    expect(cursor.status).toBe(422);
    expect(await cursor.text()).toMatch(/<code>before<\/code>: expected a positive event id/);
    const exported = await viewer.get("/audit/export.jsonl?kind=nope");
    expect(exported.status).toBe(422);
  });

  it("pages with an older link until the start of the log, without losing or repeating a row", async () => {
    const s = (await h.cp.openSession({ name: "busy", agentId: "agent-a" })).id;
    for (let i = 0; i < 70; i++) await h.cp.propose({ sessionId: s, agentId: "agent-a", action: "log_note" });
    const expected = (await h.cp.feed({ limit: 1000, sessionId: s }))
      .filter((e) => e.kind === "proposal_decided")
      .map((e) => e.id)
      .reverse();
    expect(expected.length).toBe(70);
    const seen: number[] = [];
    let query = `?session_id=${s}&kind=proposal_decided`;
    for (let n = 0; n < 5; n++) {
      const html = await page(query);
      seen.push(...rowIds(html));
      const older = /href="(\/audit\?before=[^"]+)" rel="next"/.exec(html)?.[1];
      if (older === undefined) {
        expect(html).toContain("This is the start of the log.");
        break;
      }
      // Only the newest page is live.
      expect(html.includes('sse-swap="row"')).toBe(n === 0);
      query = older.slice("/audit".length).replaceAll("&amp;", "&");
    }
    expect(seen).toEqual(expected);
  });
});

describe("audit export (JSONL)", () => {
  let h: UiHarness;
  beforeEach(async () => {
    h = await startUi();
  });
  afterEach(() => h.close());

  it("streams every matching event as one event frame per line, as an attachment", async () => {
    const viewer = await h.signIn("viewer");
    const a = (await h.cp.openSession({ name: "a", agentId: "agent-a" })).id;
    const b = (await h.cp.openSession({ name: "b", agentId: "agent-b" })).id;
    // More than one page of the feed (pages of 500).
    for (let i = 0; i < 620; i++) {
      await h.cp.propose({
        sessionId: i % 3 === 0 ? b : a,
        agentId: i % 3 === 0 ? "agent-b" : "agent-a",
        action: "log_note",
      });
    }
    const res = await viewer.get(`/audit/export.jsonl?session_id=${a}&kind=proposal_decided`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("application/x-ndjson");
    expect(res.headers.get("content-disposition")).toMatch(/^attachment; filename="acp-audit_.*\.jsonl"$/);
    const text = await res.text();
    expect(text.endsWith("\n")).toBe(true);
    const lines = text
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l));
    const expected = (await h.cp.feed({ sessionId: a, limit: 1000 })).filter(
      (e) => e.kind === "proposal_decided",
    );
    expect(expected.length).toBe(413);
    expect(lines.map((l) => l.feed_id)).toEqual(expected.map((e) => e.id));
    for (const l of lines) {
      expect(l).toMatchObject({
        frame_kind: "event",
        acp_kind: "proposal_decided",
        session_id: a,
        agent_id: "agent-a",
      });
    }

    const all = (await (await viewer.get("/audit/export.jsonl")).text()).trimEnd().split("\n");
    expect(all.length).toBe(await h.cp.feedHead());
    const byAgent = (await (await viewer.get("/audit/export.jsonl?agent_id=agent-b")).text())
      .trimEnd()
      .split("\n");
    expect(byAgent.every((l) => JSON.parse(l).agent_id === "agent-b")).toBe(true);
    expect(byAgent.length).toBeGreaterThan(200);
  });

  it("is linked from the audit page with the page's filters", async () => {
    const viewer = await h.signIn("viewer");
    const html = await (await viewer.get("/audit?agent_id=agent-a")).text();
    expect(html).toContain('href="/audit/export.jsonl?agent_id=agent-a"');
  });
});
