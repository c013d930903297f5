/**
 * The sessions pages in process (createHttpApp with the dashboard over a memory store): filters and paging,
 * a session's page (timeline newest first, proposals, tickets), pause / resume / abort and who may use them.
 */
import { describe, expect, it } from "vitest";
import { TOKENS, useHttp } from "../support/http-server.js";
import { signInClient } from "./sessions-ui-client.js";

describe("sessions pages", () => {
  const h = useHttp({ app: { dashboard: true } });

  it("lists sessions with status, agent and budget, filtered by status and agent, paged", async () => {
    const cp = h().cp;
    const a = await cp.openSession({
      name: "alpha",
      agentId: "agent-a",
      budget: { maxCost: "5", maxActions: 10 },
    });
    await cp.propose({ sessionId: a.id, action: "read_file", cost: "1.5" });
    const b = await cp.openSession({ name: "bravo", agentId: "agent-b" });
    const victor = await signInClient(h().url, TOKENS.viewer);

    const all = await (await victor.get("/sessions")).text();
    expect(all).toContain(`href="/sessions/${a.id}">alpha`);
    expect(all).toContain(`href="/sessions/${b.id}">bravo`);
    expect(all).toMatch(/<meter[^>]*max="5"[^>]*value="1.5"/);
    expect(all).toContain("1.5 of 5");
    expect(all).toContain("1 of 10");
    expect(all).toContain('hx-trigger="sse:session_opened');

    const byAgent = await (await victor.get("/sessions?agent=agent-b")).text();
    expect(byAgent).toContain("bravo");
    expect(byAgent).not.toContain("alpha");
    const byStatus = await (await victor.get("/fragments/sessions?status=active")).text();
    expect(byStatus).toContain("alpha");
    expect(byStatus).not.toContain("bravo");
    expect(await (await victor.get("/sessions?status=paused")).text()).toContain(
      "No sessions match these filters.",
    );

    const bad = await victor.get("/sessions?status=sleeping");
    expect(bad.status).toBe(422);
    expect(await bad.text()).toContain("<code>status</code>");

    for (let i = 0; i < 25; i++) await cp.openSession({ name: `s${i}` });
    const first = await (await victor.get("/sessions")).text();
    expect(first).toContain('href="/sessions?page=2"');
    const second = await (await victor.get("/sessions?page=2")).text();
    expect(second).toContain("bravo");
    expect(second).not.toContain('rel="next"');
  });

  it("shows a session's facts, timeline newest first, proposals and tickets", async () => {
    const cp = h().cp;
    const s = await cp.openSession({ name: "deploys", agentId: "agent-a" });
    await cp.propose({ sessionId: s.id, action: "read_file", resourceId: "README.md" });
    const pending = await cp.propose({ sessionId: s.id, action: "deploy", resourceId: "svc" });
    expect(pending.outcome).toBe("pending_approval");
    const ticketId = pending.outcome === "pending_approval" ? pending.ticketId : "";
    const victor = await signInClient(h().url, TOKENS.viewer);
    const page = await (await victor.get(`/sessions/${s.id}`)).text();
    expect(page).toContain("<h1>Session deploys</h1>");
    expect(page).toContain(`<code>${s.policyId}</code>`);
    expect(page).toContain(`href="/tickets/${ticketId}"`);
    expect(page).toContain("README.md");
    const seqs = [...page.matchAll(/<tr id="seq-(\d+)">/g)].map((m) => Number(m[1]));
    expect(seqs.length).toBeGreaterThan(2);
    expect(seqs).toEqual([...seqs].sort((x, y) => y - x));
    expect(page).toContain(`sse-connect="/ui/stream?session_id=${s.id}&amp;after=`);
    expect(await (await victor.get("/sessions/nope")).status).toBe(404);
  });

  it("pages a long timeline", async () => {
    const cp = h().cp;
    const s = await cp.openSession({ name: "long" });
    for (let i = 0; i < 30; i++) await cp.propose({ sessionId: s.id, action: "log_note" });
    const last = (await cp.getSession(s.id)).lastSeq;
    const victor = await signInClient(h().url, TOKENS.viewer);
    const one = await (await victor.get(`/sessions/${s.id}`)).text();
    expect(one).toContain(`<tr id="seq-${last}">`);
    expect(one).not.toContain('<tr id="seq-1">');
    const two = await (await victor.get(`/sessions/${s.id}?page=2`)).text();
    expect(two).toContain(`<tr id="seq-${last - 25}">`);
    expect(two).not.toContain(`<tr id="seq-${last}">`);
  });

  it("a viewer sees no controls and its forged pause or abort is 403", async () => {
    const cp = h().cp;
    const s = await cp.openSession({ name: "guarded" });
    await cp.activateSession(s.id);
    const victor = await signInClient(h().url, TOKENS.viewer);
    const page = await (await victor.get(`/sessions/${s.id}`)).text();
    expect(page).not.toContain("Pause session");
    expect(page).not.toContain("Abort session");
    const controls = await victor.get(`/fragments/sessions/${s.id}/controls`);
    expect(controls.status).toBe(200);
    expect((await controls.text()).trim()).toBe("");
    expect((await victor.post(`/sessions/${s.id}/pause`, {})).status).toBe(403);
    expect((await victor.post(`/sessions/${s.id}/abort`, { reason: "forged" })).status).toBe(403);
    expect((await cp.getSession(s.id)).status).toBe("active");
  });

  it("an operator pauses, resumes and aborts (the abort needs a reason)", async () => {
    const cp = h().cp;
    const s = await cp.openSession({ name: "ops" });
    await cp.activateSession(s.id);
    const olivia = await signInClient(h().url, TOKENS.operator);
    expect(await (await olivia.get(`/sessions/${s.id}`)).text()).toContain("Pause session");

    const paused = await olivia.post(`/sessions/${s.id}/pause`, { reason: "" });
    expect(paused.status).toBe(303);
    expect(await cp.getSession(s.id)).toMatchObject({ status: "paused", statusReason: "paused by olivia" });
    expect(await (await olivia.get(`/sessions/${s.id}`)).text()).toContain("Resume session");

    expect((await olivia.post(`/sessions/${s.id}/resume`, {})).status).toBe(303);
    expect((await cp.getSession(s.id)).status).toBe("active");
    const byOf = async (kind: string) => (await cp.events(s.id)).find((e) => e.kind === kind)?.payload.by;
    expect([await byOf("session_paused"), await byOf("session_resumed")]).toEqual(["olivia", "olivia"]);

    const noReason = await olivia.post(`/sessions/${s.id}/abort`, { reason: " " });
    expect(noReason.status).toBe(422);
    expect(await noReason.text()).toContain("<code>reason</code>");
    expect((await cp.getSession(s.id)).status).toBe("active");

    expect((await olivia.post(`/sessions/${s.id}/abort`, { reason: "wrong customer" })).status).toBe(303);
    expect(await cp.getSession(s.id)).toMatchObject({
      status: "aborted",
      statusReason: "wrong customer",
    });
    const aborted = (await cp.events(s.id)).find((e) => e.kind === "session_aborted");
    expect(aborted?.payload).toEqual({ reason: "wrong customer", by: "olivia" });
    expect(await (await olivia.get(`/fragments/sessions/${s.id}/facts`)).text()).toContain(
      'wrong customer</span><span class="muted"> · by olivia</span>',
    );
    const ended = await (await olivia.get(`/sessions/${s.id}`)).text();
    expect(ended).not.toContain("Abort session");
    const again = await olivia.post(`/sessions/${s.id}/pause`, {});
    expect(again.status).toBe(409);
  });
});
