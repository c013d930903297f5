import { describe, expect, it } from "vitest";
import { TOKENS, useHttp } from "../support/http-server.js";

describe("kill and resume at agent, session and global scope", () => {
  const h = useHttp();
  const propose = (sessionId: string) =>
    h().call("/v1/proposals", { token: TOKENS.agentA, body: { session_id: sessionId, action: "read_file" } });

  it("an agent kill pauses its sessions and denies its proposals until resumed", async () => {
    const s = await h().cp.openSession({ agentId: "agent-a" });
    const other = await h().cp.openSession({ agentId: "agent-b" });
    const res = await h().call("/v1/kill/agent/agent-a", {
      token: TOKENS.operator,
      body: { reason: "burst" },
      headers: { "x-idempotency-key": "kill-a-1" },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      scope: "agent_abort",
      agent_id: "agent-a",
      session_id: null,
      sessions_paused: 1,
      tickets_denied: 0,
      changed: true,
    });
    expect((await h().cp.getSession(s.id)).status).toBe("paused");
    expect((await h().cp.getSession(other.id)).status).toBe("created");
    expect(await (await propose(s.id)).json()).toMatchObject({ outcome: "denied" });

    const switches = (await (
      await h().call("/v1/kill-switches?engaged_only=true", { token: TOKENS.viewer })
    ).json()) as {
      scope: string;
      target: string;
      engaged: boolean;
      released_at: string | null;
    }[];
    expect(switches).toEqual([
      expect.objectContaining({ scope: "agent", target: "agent-a", engaged: true, reason: "burst" }),
    ]);

    const resumed = await h().call("/v1/resume/agent/agent-a", { token: TOKENS.operator, method: "POST" });
    expect(resumed.status).toBe(200);
    expect(await resumed.json()).toEqual({ released: true });
    const twice = await h().call("/v1/resume/agent/agent-a", { token: TOKENS.operator, method: "POST" });
    expect(await twice.json()).toEqual({ released: false });
    await h().call(`/v1/sessions/${s.id}/resume`, { token: TOKENS.agentA, method: "POST" });
    expect(await (await propose(s.id)).json()).toMatchObject({ outcome: "allowed" });
    const all = (await (await h().call("/v1/kill-switches", { token: TOKENS.viewer })).json()) as unknown[];
    expect(all).toEqual([expect.objectContaining({ engaged: false })]);
  });

  it("releases the global and session switches (engaged through the facade)", async () => {
    const s = await h().cp.openSession({ agentId: "agent-a" });
    await h().cp.kill({ scope: "global", reason: "halt" });
    await h().cp.kill({ scope: "session", sessionId: s.id, reason: "halt" });
    const g = await h().call("/v1/resume/system", { token: TOKENS.admin, method: "POST" });
    expect(await g.json()).toEqual({ released: true });
    const one = await h().call(`/v1/resume/session/${s.id}`, { token: TOKENS.operator, method: "POST" });
    expect(await one.json()).toEqual({ released: true });
    expect(await h().cp.listKillSwitches({ engagedOnly: true })).toEqual([]);
  });

  it("records who killed and who resumed: engaged_by and the events' payload `by` are the token's name", async () => {
    const s = await h().cp.openSession({ agentId: "agent-a" });
    await h().cp.activateSession(s.id);
    const killed = await h().call(`/v1/kill/session/${s.id}`, {
      token: TOKENS.operator,
      body: { reason: "loop" },
    });
    expect(killed.status).toBe(200);
    const system = await h().call("/v1/kill/system", { token: TOKENS.admin, body: {} });
    expect(system.status).toBe(200);
    await h().call("/v1/kill/agent/agent-b", { token: TOKENS.operator, body: {} });
    const switches = (await (await h().call("/v1/kill-switches", { token: TOKENS.viewer })).json()) as {
      scope: string;
      reason: string;
      engaged_by: string | null;
    }[];
    expect(switches.map((k) => [k.scope, k.reason, k.engaged_by])).toEqual([
      ["session", "loop", "olivia"],
      ["global", "System halt", "root"],
      ["agent", "Kill switch triggered", "olivia"],
    ]);
    const page = (await (await h().call(`/v1/sessions/${s.id}/events`, { token: TOKENS.viewer })).json()) as {
      items: { acp_kind: string; payload: Record<string, unknown> }[];
    };
    const kinds = page.items.map((e) => [e.acp_kind, e.payload.by]);
    expect(kinds).toContainEqual(["session_aborted", "olivia"]);
    expect(kinds).toContainEqual(["kill_switch_engaged", "olivia"]);
    await h().call("/v1/resume/system", { token: TOKENS.operator, method: "POST" });
    const released = (await h().cp.feed({ limit: 1000 })).filter((e) => e.kind === "kill_switch_released");
    expect(released.map((e) => e.payload.by)).toEqual(["olivia"]);
    // Engaging an engaged switch again keeps who engaged it first.
    await h().call(`/v1/kill/session/${s.id}`, { token: TOKENS.admin, body: { reason: "again" } });
    const after = (await h().cp.listKillSwitches()).find((k) => k.scope === "session");
    expect(after).toMatchObject({ reason: "loop", engagedBy: "olivia" });
  });

  it("never lets an agent, viewer or approver kill or resume (403); bad input is 422", async () => {
    for (const token of [TOKENS.agentA, TOKENS.viewer, TOKENS.approver]) {
      expect((await h().call("/v1/kill/agent/agent-a", { token, body: {} })).status).toBe(403);
      expect((await h().call("/v1/resume/system", { token, method: "POST" })).status).toBe(403);
    }
    expect(await h().cp.listKillSwitches()).toEqual([]);
    expect((await h().call("/v1/kill-switches", { token: TOKENS.agentA })).status).toBe(403);
    expect((await h().call("/v1/kill/agent/agent-a", { body: {} })).status).toBe(401);
    const bad = await h().call("/v1/kill/agent/agent-a", { token: TOKENS.operator, body: { reason: "" } });
    expect(bad.status).toBe(422);
    expect(
      (await h().call("/v1/resume/session/nope", { token: TOKENS.operator, method: "POST" })).status,
    ).toBe(422);
    expect((await h().call("/v1/kill-switches?engaged_only=yes", { token: TOKENS.viewer })).status).toBe(422);
    const extra = await h().call("/v1/resume/system", { token: TOKENS.operator, body: { scope: "all" } });
    expect(extra.status).toBe(422);
    expect(JSON.stringify(await extra.json())).toContain("scope");
    expect((await h().call("/v1/resume/system", { token: TOKENS.operator, body: {} })).status).toBe(200);
    expect(await h().cp.listKillSwitches()).toEqual([]);
  });
});
