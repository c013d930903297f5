/**
 * The hostile strings of the dashboard's XSS test and a control plane filled with them wherever a person or an
 * agent can put text: agents (id, name, capabilities, tags), sessions (names; paused, aborted, killed with a
 * hostile reason), proposals (action, resource, type, args, metadata; completed with hostile output or error,
 * steered, outcome unknown), tickets (pending, escalated, approved once and for the session, denied, by a
 * hostile `decided_by`), delegations, kill switches, exhausted budgets and token events.
 */
import { expect } from "vitest";
import type { TokenService } from "../../src/auth/token-service.js";
import type { ControlPlane } from "../../src/control-plane/control-plane.js";
import type { TestClock } from "../support/control-plane-fixture.js";

/** The hostile strings: tag and attribute break-outs, raw-text escapes, URL schemes, JSON and SSE breaks. */
export const HOSTILE = [
  `"><xss-a data-pwned>`,
  `' data-pwned='1`,
  `" data-pwned="1 x="`,
  `<script>alert(1)</script>`,
  `javascript:alert(1)`,
  `{"X-CSRF-Token":"pwned"}`,
  `","X-CSRF-Token":"pwned`,
  `</title></textarea></script></style><xss-b data-pwned>`,
  `x\r\nevent: row\r\ndata: <xss-c data-pwned>\r\n\r\ny`,
  `<!--<xss-d data-pwned>`,
] as const;

/** What {@link fillWithHostileText} created: every ticket and session id. */
export interface HostileFill {
  readonly ticketIds: readonly string[];
  readonly sessionIds: readonly string[];
}

/**
 * Fills `cp` (whose policy asks approval for unlisted actions, auto-approves `read_file` and `write_file`,
 * steers `force_push` and escalates on timeout) with {@link HOSTILE} text, then lets 16 minutes pass so that
 * tickets escalate and leases lapse. Tickets `[4k]` stay pending.
 */
export async function fillWithHostileText(
  cp: ControlPlane,
  clock: TestClock,
  tokens: TokenService,
): Promise<HostileFill> {
  const ticketIds: string[] = [];
  const sessionIds: string[] = [];
  for (const [i, h] of HOSTILE.entries()) {
    const actions = [h, "read_file", "write_file", "force_push"];
    await cp.registerAgent({ id: h, name: h, capabilities: actions, tags: [h] });
    const s = await cp.openSession({ name: h, agentId: h, budget: { maxActions: 50 } });
    sessionIds.push(s.id);
    const proposal = (n: number) => ({
      sessionId: s.id,
      agentId: h,
      action: h,
      resourceId: `${h}${n}`,
      resourceType: h,
      args: { [h]: h },
      metadata: { [h]: h, note: h },
      cost: "1",
    });
    const asked: string[] = [];
    for (const n of [1, 2, 3, 4]) {
      const d = await cp.propose(proposal(n));
      expect(d.outcome, JSON.stringify(d)).toBe("pending_approval");
      asked.push((d as { ticketId: string }).ticketId);
    }
    ticketIds.push(...asked);
    const decider = HOSTILE[(i + 1) % HOSTILE.length]!; // not the acting agent (no self-approval)
    await cp.approve(asked[1]!, { decidedBy: decider, reason: h, scope: { kind: "once" } });
    await cp.approve(asked[2]!, {
      decidedBy: decider,
      reason: h,
      scope: { kind: "session", actions: [h], resourceIds: [h], maxUses: 2 },
    });
    await cp.deny(asked[3]!, { decidedBy: decider, reason: h });
    await cp.propose({ ...proposal(9), action: "force_push" }); // steered, with the hostile guidance
    const ran = await cp.propose({ ...proposal(5), action: "read_file" });
    await cp.complete(ran.proposalId, i % 2 ? { ok: true, output: { [h]: h } } : { ok: false, error: h });
    await cp.propose({ ...proposal(6), action: "write_file" }); // never completed: outcome unknown later
    await cp.recordDelegation({ fromAgentId: h, toAgentId: h, task: h, sessionId: s.id });
    const spent = await cp.openSession({ name: h, agentId: h, budget: { maxActions: 1, maxCost: "1" } });
    sessionIds.push(spent.id);
    const used = await cp.propose({ ...proposal(7), sessionId: spent.id, action: "read_file" });
    await cp.complete(used.proposalId, { ok: true });
    const paused = await cp.openSession({ name: h, agentId: h });
    sessionIds.push(paused.id);
    await cp.activateSession(paused.id);
    await cp.pauseSession(paused.id, h);
    const aborted = await cp.openSession({ name: h, agentId: h });
    sessionIds.push(aborted.id);
    await cp.abortSession(aborted.id, h);
    await cp.kill({ scope: "session", sessionId: paused.id, reason: h });
  }
  clock.advance(16 * 60_000); // pending tickets escalate to the hostile group; leases lapse
  await cp.expireTickets();
  await cp.recover();
  // A spare agent's kill switch (a global or agent kill would deny the pending tickets the pages must show).
  await cp.registerAgent({
    id: "spare",
    name: HOSTILE[5],
    capabilities: ["read_file"],
    tags: [HOSTILE[6]],
  });
  await cp.kill({ scope: "agent", agentId: "spare", reason: HOSTILE[8] });
  const revoked = await tokens.create({ role: "operator", name: HOSTILE[6], createdBy: HOSTILE[2] });
  await tokens.revoke(revoked.record.id, { by: HOSTILE[1] });
  return { ticketIds, sessionIds };
}
