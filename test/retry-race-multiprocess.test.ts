import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ControlPlane, createControlPlane } from "../src/control-plane/create-control-plane.js";
import type { Decision } from "../src/control-plane/decision.js";
import type { Storage } from "../src/storage/storage.js";
import { type CommandWorker, type Reply, startCommandWorker } from "./support/command-worker.js";
import { TEST_POLICY } from "./support/control-plane-fixture.js";
import { DATABASE_URL, dropSchema, probePostgres, uniqueSchema } from "./support/postgres.js";
import { openStorage, type StorageSpec } from "./support/storage-spec.js";

/**
 * Several processes race on one request at once: the same idempotency key (issue 8, item 3) or retries of one
 * approved proposal (item 10). Every round starts all calls together; no call may fail with anything but a
 * ControlPlaneError, and the shared state must show exactly one effect.
 */
const PROCESSES = 4;
const ROUNDS = 6;

const server = await probePostgres();
const dir = mkdtempSync(join(tmpdir(), "acp-retry-race-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Target {
  readonly name: string;
  readonly available: boolean;
  spec(): StorageSpec;
  cleanup(): Promise<void>;
}
const schema = uniqueSchema("retry_race");
const targets: Target[] = [
  {
    name: "SQLite file",
    available: true,
    spec: () => ({ kind: "sqlite", path: join(dir, "race.db") }),
    cleanup: async () => {},
  },
  {
    name: "PostgreSQL",
    available: server.available,
    spec: () => ({ kind: "postgres", url: DATABASE_URL, schema }),
    cleanup: () => dropSchema(schema),
  },
];

/** Sends one call to every worker at once; resolves with every reply. */
function all<T>(workers: readonly CommandWorker[], method: string, args: (i: number) => unknown[]) {
  return Promise.all(workers.map((w, i) => w.send<T>(method, ...args(i))));
}

describe.each(targets.filter((t) => t.available))("racing retries across processes on $name", (target) => {
  let storage: Storage;
  let cp: ControlPlane;
  let workers: CommandWorker[] = [];
  beforeAll(async () => {
    storage = await openStorage(target.spec());
    cp = await createControlPlane({ storage, policy: TEST_POLICY, recoverOnStart: false });
    await cp.openSession(); // migrations applied before the workers open the same storage
    workers = await Promise.all(
      Array.from({ length: PROCESSES }, () => startCommandWorker({ storage: target.spec() })),
    );
  }, 120_000);
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await cp?.close();
    await storage?.close();
    await target.cleanup();
  });

  it(`${PROCESSES} processes propose with one key and input at once ⇒ one proposal, one decision, no error; another input ⇒ idempotency_conflict`, async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const s = await cp.openSession({ budget: { maxActions: 50 } });
      const key = `propose-${round}-${s.id}`;
      const proposal = { sessionId: s.id, action: "read_file", resourceId: `r-${round}`, cost: 1 };
      const replies = await all<Decision>(workers, "propose", () => [{ ...proposal, idempotencyKey: key }]);
      expect(
        replies.filter((r) => !r.ok),
        `round ${round}`,
      ).toEqual([]);
      for (const r of replies) expect(r.result).toEqual(replies[0]!.result);
      expect(replies[0]!.result.outcome).toBe("allowed");
      expect(await cp.listProposals({ sessionId: s.id })).toHaveLength(1);
      expect((await cp.getSession(s.id)).budget.usedActions).toBe(1);

      const other = await all(workers, "propose", (i) => [{ ...proposal, cost: 2 + i, idempotencyKey: key }]);
      for (const r of other)
        expect(r, `round ${round}`).toMatchObject({ ok: false, code: "idempotency_conflict" });
      expect(await cp.listProposals({ sessionId: s.id })).toHaveLength(1);
    }
  }, 300_000);

  it(`${PROCESSES} processes approve one ticket with one key at once ⇒ all get the one ticket view, granted once`, async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const s = await cp.openSession();
      const d = await cp.propose({ sessionId: s.id, action: "deploy", resourceId: `svc-${round}` });
      if (d.outcome !== "pending_approval") throw new Error(`expected a ticket, got ${d.outcome}`);
      const key = `approve-${round}-${s.id}`;
      const replies = await all(workers, "approve", () => [
        d.ticketId,
        { decidedBy: "alice", idempotencyKey: key },
      ]);
      expect(
        replies.filter((r) => !r.ok),
        `round ${round}`,
      ).toEqual([]);
      for (const r of replies) expect(r.result).toEqual(replies[0]!.result);
      const grants = (await cp.events(s.id)).filter((e) => e.kind === "approval_granted");
      expect(grants).toHaveLength(1);
    }
  }, 300_000);

  it(`${PROCESSES} processes retry one approved proposal at once ⇒ it executes once; the others get a decision`, async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const s = await cp.openSession({ budget: { maxCost: 1000 } });
      // One resource-less and one resource-bound approved proposal per round.
      for (const resourceId of [undefined, `acct-${round}`]) {
        const proposal = {
          sessionId: s.id,
          action: "send_payment",
          resourceId,
          cost: 10,
          args: { n: round },
        };
        const asked = await cp.propose(proposal);
        if (asked.outcome !== "pending_approval") throw new Error(`expected a ticket, got ${asked.outcome}`);
        await cp.approve(asked.ticketId, { decidedBy: "alice" });
        const replies: Reply<Decision>[] = await all<Decision>(workers, "propose", () => [proposal]);
        const failures = replies.filter((r) => !r.ok);
        // Never an internal error: a loser gets a decision (or at worst a ControlPlaneError with a code).
        for (const f of failures) expect(f.code, `round ${round}: ${f.error}`).toMatch(/^[a-z_]+$/);
        const decisions = replies.filter((r) => r.ok).map((r) => r.result);
        const claimed = decisions.filter((d) => d.proposalId === asked.proposalId);
        expect(claimed, `round ${round}`).toHaveLength(1);
        expect(claimed[0]).toMatchObject({ outcome: "allowed", code: "approved" });
        for (const d of decisions.filter((x) => x.proposalId !== asked.proposalId)) {
          expect(d.outcome, `round ${round}`).not.toBe("allowed");
        }
        expect((await cp.getProposal(asked.proposalId)).status).toBe("executing");
        await cp.complete(asked.proposalId, { ok: true });
      }
      const session = await cp.getSession(s.id);
      expect(session.budget.usedCost).toBe("20");
      expect(session.budget.usedActions).toBe(2);
    }
  }, 300_000);
});
