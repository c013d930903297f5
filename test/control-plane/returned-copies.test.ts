import { describe, expect, it } from "vitest";
import { useControlPlane, withSqliteCase } from "../support/control-plane-fixture.js";

const cases = await withSqliteCase();

/** Changes a returned object in place; a frozen one refuses (TypeError), which also leaves state unchanged. */
function tamper(target: unknown, change: (value: Record<string, unknown>) => void): void {
  try {
    change(target as Record<string, unknown>);
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
  }
}

describe.each(cases)("returned records are copies on $name storage", (storageCase) => {
  const h = useControlPlane(storageCase);

  it("mutating returned events, proposals, tickets, sessions and agents never changes later reads", async () => {
    const { cp } = h();
    await cp.registerAgent({ id: "bot", capabilities: ["*"] });
    const s = await cp.openSession({ agentId: "bot", budget: { maxCost: 100 } });
    const args = { to: "acct-1", nested: { amount: 5 } };
    const d = await cp.propose({ sessionId: s.id, agentId: "bot", action: "send_payment", cost: 5, args });
    if (d.outcome !== "pending_approval") throw new Error(`expected pending_approval, got ${d.outcome}`);
    const r = await cp.propose({ sessionId: s.id, agentId: "bot", action: "read_file", resourceId: "f" });
    await cp.complete(r.proposalId, { ok: true, output: { lines: [1, 2] } });
    // The caller's own input, changed after the call, is not stored by reference either.
    args.nested.amount = 777;

    const readAll = async () => ({
      events: await cp.events(s.id),
      feed: await cp.feed(),
      proposal: await cp.getProposal(d.proposalId),
      completed: await cp.getProposal(r.proposalId),
      proposals: await cp.listProposals({ sessionId: s.id }),
      ticket: await cp.getTicket(d.ticketId),
      tickets: await cp.listTickets({ sessionId: s.id }),
      session: await cp.getSession(s.id),
      sessions: await cp.listSessions(),
      agent: await cp.getAgent("bot"),
      agents: await cp.listAgents(),
    });
    const before = JSON.parse(JSON.stringify(await readAll()));
    expect(before.proposal.args.nested.amount).toBe(5);

    for (let round = 0; round < 2; round++) {
      const got = await readAll();
      for (const e of [...got.events, ...got.feed]) {
        tamper(e, (v) => {
          v.kind = "session_aborted";
        });
        tamper(e.payload, (v) => {
          v.injected = true;
        });
      }
      for (const p of [got.proposal, got.completed, ...got.proposals]) {
        tamper(p.args, (v) => {
          v.to = "attacker";
        });
        tamper(p.args.nested, (v) => {
          v.amount = 10_000;
        });
        tamper(p.trace[0], (v) => {
          v.step = "changed";
        });
        tamper(p.output, (v) => {
          (v.lines as number[] | undefined)?.push(3);
        });
      }
      for (const t of [got.ticket, ...got.tickets]) {
        tamper(t, (v) => {
          v.status = "approved";
        });
      }
      for (const session of [got.session, ...got.sessions]) {
        tamper(session.budget, (v) => {
          v.usedCost = "0";
        });
      }
      for (const agent of [got.agent, ...got.agents]) {
        tamper(agent.capabilities, (v) => {
          (v as unknown as string[]).push("drop_database");
        });
      }
      expect(JSON.parse(JSON.stringify(await readAll()))).toEqual(before);
    }
  });
});
