import { describe, expect, it } from "vitest";
import type { ControlPlane } from "../../src/control-plane/create-control-plane.js";
import { ValidationError } from "../../src/errors/validation-error.js";
import { createMemoryStorage } from "../../src/storage/memory/memory-storage.js";
import {
  makeControlPlane,
  TEST_POLICY,
  useControlPlane,
  withSqliteCase,
} from "../support/control-plane-fixture.js";

const cases = await withSqliteCase();

/** Expects `call` to throw a ValidationError whose issue at `path` is an unknown key (with the allowed keys). */
async function expectUnknownKey(call: () => unknown, path: string, hint?: string): Promise<ValidationError> {
  let caught: unknown;
  try {
    await call();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(ValidationError);
  const error = caught as ValidationError;
  expect(error.code).toBe("validation_failed");
  const issue = error.issues.find((i) => i.path === path);
  expect(issue?.message, error.message).toMatch(/^unknown key.*allowed: /);
  if (hint) expect(issue?.message).toContain(`did you mean "${hint}"?`);
  expect(error.message).toContain(path);
  return error;
}

const x = (value: object): never => value as never;

describe.each(cases)("unknown keys are errors on $name storage; nothing changes", (storageCase) => {
  const h = useControlPlane(storageCase);

  /** A session with one pending ticket. */
  const pendingTicket = async (cp: ControlPlane) => {
    const s = await cp.openSession();
    const d = await cp.propose({ sessionId: s.id, action: "send_payment", resourceId: "a", cost: 1 });
    if (d.outcome !== "pending_approval") throw new Error(`expected pending_approval, got ${d.outcome}`);
    return { session: s, ticketId: d.ticketId };
  };

  it("openSession({ budegt }) and budget.maxcost: no session is created", async () => {
    const { cp } = h();
    await expectUnknownKey(() => cp.openSession(x({ budegt: { maxActions: 1 } })), "budegt", "budget");
    await expectUnknownKey(() => cp.openSession({ budget: x({ maxcost: 1 }) }), "budget.maxcost", "maxCost");
    expect(await cp.listSessions()).toEqual([]);
  });

  it("propose({ cots }) and propose options: no proposal is recorded", async () => {
    const { cp } = h();
    const s = await cp.openSession();
    await expectUnknownKey(
      () => cp.propose(x({ sessionId: s.id, action: "read_file", cots: 1 })),
      "cots",
      "cost",
    );
    await expectUnknownKey(
      () => cp.propose({ sessionId: s.id, action: "read_file" }, x({ transation: {} })),
      "options.transation",
      "transaction",
    );
    expect(await cp.listProposals({ sessionId: s.id })).toEqual([]);
  });

  it("complete({ cots }) and complete options: the proposal stays executing", async () => {
    const { cp } = h();
    const s = await cp.openSession();
    const d = await cp.propose({ sessionId: s.id, action: "read_file", cost: 2 });
    await expectUnknownKey(() => cp.complete(d.proposalId, x({ ok: true, cots: 0 })), "cots", "cost");
    await expectUnknownKey(() => cp.complete(d.proposalId, { ok: true }, x({ tx: 1 })), "options.tx");
    expect((await cp.getProposal(d.proposalId)).status).toBe("executing");
  });

  it("approve with scope { maxuses } or { resourceId }, or an unknown top-level key: the ticket stays pending", async () => {
    const { cp } = h();
    const { ticketId } = await pendingTicket(cp);
    await expectUnknownKey(
      () => cp.approve(ticketId, { decidedBy: "alice", scope: x({ kind: "session", maxuses: 1 }) }),
      "scope.maxuses",
      "maxUses",
    );
    await expectUnknownKey(
      () => cp.approve(ticketId, { decidedBy: "alice", scope: x({ kind: "session", resourceId: "a" }) }),
      "scope.resourceId",
      "resourceIds",
    );
    await expectUnknownKey(
      () => cp.approve(ticketId, x({ decidedBy: "alice", reson: "ok" })),
      "reson",
      "reason",
    );
    expect((await cp.getTicket(ticketId)).status).toBe("pending");
  });

  it("deny with a scope or a typo: the ticket stays pending", async () => {
    const { cp } = h();
    const { ticketId } = await pendingTicket(cp);
    await expectUnknownKey(() => cp.deny(ticketId, x({ decidedBy: "bob", scope: {} })), "scope");
    await expectUnknownKey(() => cp.deny(ticketId, x({ decidedby: "bob" })), "decidedby", "decidedBy");
    expect((await cp.getTicket(ticketId)).status).toBe("pending");
  });

  it("kill and resume: no switch is engaged or released", async () => {
    const { cp } = h();
    await expectUnknownKey(
      () => cp.kill(x({ scope: "global", reason: "r", agent: "a" })),
      "agent",
      "agentId",
    );
    expect(await cp.listKillSwitches()).toEqual([]);
    await cp.kill({ scope: "global", reason: "r" });
    await expectUnknownKey(() => cp.resume(x({ scope: "global", force: true })), "force");
    expect(await cp.listKillSwitches({ engagedOnly: true })).toHaveLength(1);
  });

  it("registerAgent and recordDelegation: nothing is registered or recorded", async () => {
    const { cp } = h();
    await expectUnknownKey(
      () => cp.registerAgent(x({ id: "a", capabilites: ["x"] })),
      "capabilites",
      "capabilities",
    );
    expect(await cp.listAgents()).toEqual([]);
    await cp.registerAgent({ id: "a" });
    await cp.registerAgent({ id: "b" });
    const before = await cp.feed();
    await expectUnknownKey(
      () => cp.recordDelegation(x({ fromAgentId: "a", toAgentId: "b", task: "t", session: "s" })),
      "session",
      "sessionId",
    );
    expect(await cp.feed()).toEqual(before);
  });

  it("session verbs' options: the session keeps its status", async () => {
    const { cp } = h();
    const s = await cp.openSession();
    await expectUnknownKey(() => cp.activateSession(s.id, x({ idempotencykey: "k" })), "idempotencykey");
    await expectUnknownKey(() => cp.pauseSession(s.id, "r", x({ key: "k" })), "key");
    await expectUnknownKey(() => cp.resumeSession(s.id, x({ key: "k" })), "key");
    await expectUnknownKey(() => cp.closeSession(s.id, x({ key: "k" })), "key");
    await expectUnknownKey(() => cp.abortSession(s.id, "r", x({ key: "k" })), "key");
    expect((await cp.getSession(s.id)).status).toBe("created");
  });

  it("list and query objects", async () => {
    const { cp } = h();
    const s = await cp.openSession();
    await expectUnknownKey(() => cp.listSessions(x({ status: ["active"] })), "status", "statuses");
    await expectUnknownKey(() => cp.listProposals(x({ session: s.id })), "session", "sessionId");
    await expectUnknownKey(() => cp.listTickets(x({ statuses: ["pending"], limt: 1 })), "limt", "limit");
    await expectUnknownKey(() => cp.listAgents(x({ tag: ["x"] })), "tag", "tags");
    await expectUnknownKey(() => cp.listKillSwitches(x({ engaged: true })), "engaged", "engagedOnly");
    await expectUnknownKey(() => cp.events(s.id, x({ after: 1 })), "after");
    await expectUnknownKey(() => cp.feed(x({ afterID: 1 })), "afterID", "afterId");
  });

  it("heartbeat, cycles, waitForDecision and startMaintenance options", async () => {
    const { cp } = h();
    const s = await cp.openSession();
    const d = await cp.propose({ sessionId: s.id, action: "read_file" });
    await expectUnknownKey(() => cp.heartbeat(d.proposalId, x({ ttl: 5 })), "ttl", "ttlMs");
    await expectUnknownKey(() => cp.beginCycle(s.id, x({ owner: "w", ttlMs: 10, ttl: 5 })), "ttl", "ttlMs");
    expect(await cp.endCycle(s.id, "w")).toBe(false);
    await expectUnknownKey(() => cp.renewCycle(s.id, x({ owner: "w", ttlMs: 10, extra: 1 })), "extra");
    const { ticketId } = await pendingTicket(cp);
    await expectUnknownKey(() => cp.waitForDecision(ticketId, x({ timeout: 5, timeoutMs: 1 })), "timeout");
    await expectUnknownKey(() => cp.startMaintenance(x({ intervalMs: 1000, interval: 5 })), "interval");
  });
});

describe("createControlPlane options", () => {
  it("{ lockTTL } and policyOptions typos are errors naming the key", async () => {
    const storage = createMemoryStorage();
    await expectUnknownKey(() => makeControlPlane(storage, x({ lockTTL: 5 })), "lockTTL", "lockTtlMs");
    await expectUnknownKey(
      () => makeControlPlane(storage, { policyOptions: x({ maxConditionDeph: 3 }) }),
      "policyOptions.maxConditionDeph",
      "maxConditionDepth",
    );
    // Every option loadPolicy knows passes the check (a regex input cap, for one).
    await makeControlPlane(storage, { policy: TEST_POLICY, policyOptions: { maxMatchLength: 100 } });
    // A valid one still works, and nothing was written by the failed attempts.
    const { cp } = await makeControlPlane(storage, { policy: TEST_POLICY });
    expect(await cp.listSessions()).toEqual([]);
    await storage.close();
  });
});
