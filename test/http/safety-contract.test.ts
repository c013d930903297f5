import { describe, expect, it } from "vitest";
import { SYSTEM_SESSION_ID } from "../../src/http/schemas/event-frame.js";
import { TOKENS, useHttp } from "../support/http-server.js";

describe("contract kill, state-change feed and health over HTTP", () => {
  const h = useHttp();

  it("kill system aborts every live session (no 50-session cap) with the default reason", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 60; i++) {
      const s = await h().cp.openSession({ agentId: "agent-a" });
      await h().cp.activateSession(s.id);
      ids.push(s.id);
    }
    const res = await h().call("/v1/kill/system", { method: "POST", token: TOKENS.operator });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      scope: "system_halt",
      sessions_aborted: 60,
      sessions_affected: 60,
      tickets_denied: 0,
      changed: true,
    });
    const statuses = await Promise.all(ids.map(async (id) => (await h().cp.getSession(id)).status));
    expect(new Set(statuses)).toEqual(new Set(["aborted"]));
    const [sw] = await h().cp.listKillSwitches({ engagedOnly: true });
    expect(sw).toMatchObject({ scope: "global", reason: "System halt" });
    const after = await h().cp.openSession({ agentId: "agent-a" });
    const d = await h().cp.propose({ sessionId: after.id, agentId: "agent-a", action: "read_file" });
    expect(d).toMatchObject({ outcome: "denied", code: "kill_switch" });
  });

  it("kill session aborts only that session, denies its tickets and records the given reason", async () => {
    const target = await h().cp.openSession({ agentId: "agent-a" });
    const other = await h().cp.openSession({ agentId: "agent-b" });
    const d = await h().cp.propose({ sessionId: target.id, agentId: "agent-a", action: "deploy" });
    const res = await h().call(`/v1/kill/session/${target.id}`, {
      token: TOKENS.admin,
      body: { reason: "runaway loop" },
    });
    expect(await res.json()).toMatchObject({
      scope: "session_abort",
      session_id: target.id,
      agent_id: null,
      sessions_aborted: 1,
      tickets_denied: 1,
    });
    expect((await h().cp.getSession(target.id)).status).toBe("aborted");
    expect((await h().cp.getSession(other.id)).status).toBe("created");
    if (d.outcome !== "pending_approval") throw new Error(d.outcome);
    expect((await h().cp.getTicket(d.ticketId)).status).toBe("denied");
    const [sw] = await h().cp.listKillSwitches({ engagedOnly: true });
    expect(sw).toMatchObject({ scope: "session", target: target.id, reason: "runaway loop" });
  });

  it("default session kill reason is the original's, and an agent token may not kill (nothing changes)", async () => {
    const s = await h().cp.openSession({ agentId: "agent-a" });
    const refused = await h().call(`/v1/kill/session/${s.id}`, { method: "POST", token: TOKENS.agentA });
    expect(refused.status).toBe(403);
    expect((await h().cp.getSession(s.id)).status).toBe("created");
    await h().call(`/v1/kill/session/${s.id}`, { method: "POST", token: TOKENS.operator });
    const [sw] = await h().cp.listKillSwitches({ engagedOnly: true });
    expect(sw?.reason).toBe("Kill switch triggered");
  });

  it("pages the feed by cursor without gaps or repeats and shows system events on the nil session", async () => {
    const s = await h().cp.openSession({ agentId: "agent-a" });
    await h().cp.propose({ sessionId: s.id, agentId: "agent-a", action: "read_file" });
    await h().cp.kill({ scope: "global", reason: "drill" });
    const all = await h().cp.feed({ limit: 1000 });
    const seen: number[] = [];
    let cursor = 0;
    for (;;) {
      const res = await h().call(`/v1/events/state-changes?cursor=${cursor}&limit=2`, {
        token: TOKENS.viewer,
      });
      const page = (await res.json()) as {
        items: { cursor: number; event: { event_id: string; session_id: string; acp_kind: string } }[];
        next_cursor: number | null;
      };
      seen.push(...page.items.map((i) => i.cursor));
      if (page.next_cursor === null) break;
      cursor = page.next_cursor;
    }
    expect(seen).toEqual(all.map((e) => e.id));
    const last = (await (
      await h().call(`/v1/events/state-changes?cursor=${seen.at(-2)}`, { token: TOKENS.viewer })
    ).json()) as { items: { event: { session_id: string; event_kind: string; acp_kind: string } }[] };
    expect(last.items[0]?.event).toMatchObject({
      session_id: SYSTEM_SESSION_ID,
      event_kind: "kill_switch_triggered",
      acp_kind: "kill_switch_engaged",
    });
  });

  it("shows an agent token the feed of its own session only", async () => {
    const mine = await h().cp.openSession({ agentId: "agent-a" });
    await h().cp.openSession({ agentId: "agent-b" });
    const res = await h().call(`/v1/events/state-changes?session_id=${mine.id}`, { token: TOKENS.agentA });
    const page = (await res.json()) as { items: { event: { session_id: string } }[] };
    expect(page.items.length).toBeGreaterThan(0);
    expect(new Set(page.items.map((i) => i.event.session_id))).toEqual(new Set([mine.id]));
  });

  it("counts sessions by status, pending tickets and live cycles in the health snapshot", async () => {
    const a = await h().cp.openSession({ agentId: "agent-a" });
    await h().cp.propose({ sessionId: a.id, agentId: "agent-a", action: "deploy" });
    const b = await h().cp.openSession({ agentId: "agent-b" });
    await h().cp.activateSession(b.id);
    await h().cp.pauseSession(b.id);
    await h().cp.openSession();
    await h().cp.beginCycle(a.id, { owner: "runner-1", ttlMs: 60_000 });
    const before = Math.floor(Date.now() / 1000) * 1000;
    const res = await h().call("/v1/health", { token: TOKENS.viewer });
    const after = Date.now();
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      total_sessions: 3,
      active_sessions: 1,
      created_sessions: 1,
      paused_sessions: 1,
      pending_tickets: 1,
      sessions_with_active_cycles: 1,
    });
    const captured = Date.parse(body.captured_at as string);
    expect(captured).toBeGreaterThanOrEqual(before);
    expect(captured).toBeLessThanOrEqual(after);
  });
});
