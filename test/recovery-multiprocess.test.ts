/**
 * Recovery across real processes (issue 5), on a SQLite file and on PostgreSQL:
 * - a worker killed with SIGKILL while executing leaves a lease that recovery releases once it expired,
 *   recording `outcome_unknown` exactly once, after which the resource can be taken again;
 * - two maintenance runners in two processes expire each due ticket exactly once, with one event each.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createControlPlane } from "../src/control-plane/create-control-plane.js";
import type { Decision } from "../src/control-plane/decision.js";
import type { Storage } from "../src/storage/storage.js";
import type { EventRecord } from "../src/types/event.js";
import { spawnTs } from "./support/child-process.js";
import { TEST_POLICY } from "./support/control-plane-fixture.js";
import { DATABASE_URL, dropSchema, probePostgres, uniqueSchema } from "./support/postgres.js";
import { spawnWorker } from "./support/spawn-worker.js";
import { openStorage, type StorageSpec } from "./support/storage-spec.js";

const HANG_WORKER = "test/fixtures/execute-then-hang-worker.ts";
const RUNNER = "test/fixtures/maintenance-runner-worker.ts";
const LOCK_TTL_MS = 60_000;
const TICKETS = 120;

const server = await probePostgres();

interface Backend {
  readonly name: string;
  readonly available: boolean;
  spec(): StorageSpec;
  setup(): Promise<void>;
  teardown(): Promise<void>;
}

const sqlite = (): Backend => {
  let dir = "";
  return {
    name: "SQLite file",
    available: true,
    spec: () => ({ kind: "sqlite", path: join(dir, "cp.db") }),
    async setup() {
      dir = mkdtempSync(join(tmpdir(), "acp-recovery-"));
    },
    async teardown() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
};

const postgres = (): Backend => {
  const schema = uniqueSchema("recovery");
  return {
    name: "PostgreSQL",
    available: server.available,
    spec: () => ({ kind: "postgres", url: DATABASE_URL, schema }),
    async setup() {},
    async teardown() {
      await dropSchema(schema);
    },
  };
};

/** The whole audit log (every session), read through the global feed. */
async function allEvents(storage: Storage): Promise<EventRecord[]> {
  const out: EventRecord[] = [];
  for (;;) {
    const page = await storage.read((tx) => tx.events.feed({ afterId: out.at(-1)?.id ?? 0, limit: 500 }));
    out.push(...page);
    if (page.length < 500) return out;
  }
}

for (const backend of [sqlite(), postgres()]) {
  describe.runIf(backend.available)(`recovery across processes on ${backend.name}`, () => {
    let storage: Storage;
    beforeAll(async () => {
      await backend.setup();
      storage = await openStorage(backend.spec());
    });
    afterAll(async () => {
      await storage?.close();
      await backend.teardown();
    });

    it("kill -9 while executing ⇒ after the lease expires recovery releases the lock, marks outcome_unknown once, and the resource is free", async () => {
      const cp = await createControlPlane({ storage, policy: TEST_POLICY, recoverOnStart: false });
      const session = await cp.openSession({ budget: { maxActions: 10 } });
      const resourceId = "reports/q3.csv";
      const worker = spawnTs(HANG_WORKER, [
        JSON.stringify({
          storage: backend.spec(),
          sessionId: session.id,
          resourceId,
          lockTtlMs: LOCK_TTL_MS,
        }),
      ]);
      await worker.waitForLines(1);
      const started = JSON.parse(worker.lines[0]!) as { proposalId: string; outcome: string };
      expect(started.outcome).toBe("allowed");
      expect((await cp.getProposal(started.proposalId)).status).toBe("executing");
      // While the worker lives, its lock holds.
      const blocked = await cp.propose({ sessionId: session.id, action: "write_file", resourceId });
      expect(blocked).toMatchObject({ outcome: "denied", code: "resource_locked" });

      worker.process.kill("SIGKILL");
      expect(await worker.exited).toBe("SIGKILL");

      // Dead, but the lease has not expired yet: recovery leaves it alone.
      expect(await cp.recover()).toMatchObject({ leasesReleased: 0, outcomeUnknown: 0 });
      expect((await cp.getProposal(started.proposalId)).status).toBe("executing");

      // Past the lease (an injected clock): two concurrent recovery passes release it exactly once.
      const later = await createControlPlane({
        storage,
        policy: TEST_POLICY,
        recoverOnStart: false,
        clock: { now: () => Date.now() + LOCK_TTL_MS + 1_000 },
      });
      const reports = await Promise.all([later.recover(), later.recover()]);
      expect(reports.reduce((n, r) => n + r.leasesReleased, 0)).toBe(1);
      expect(reports.reduce((n, r) => n + r.outcomeUnknown, 0)).toBe(1);
      expect(await later.recover()).toMatchObject({ leasesReleased: 0, outcomeUnknown: 0 });

      const lost = await cp.getProposal(started.proposalId);
      expect(lost.status).toBe("outcome_unknown");
      expect(lost.completedAt).toBeNull();
      const surfaced = await cp.listProposals({ statuses: ["outcome_unknown"] });
      expect(surfaced.map((p) => p.id)).toEqual([started.proposalId]);
      const events = await cp.events(session.id);
      const unknown = events.filter((e) => e.kind === "outcome_unknown");
      expect(unknown).toHaveLength(1);
      expect(unknown[0]!.proposalId).toBe(started.proposalId);
      // Never retried, never marked succeeded: no execution event for it.
      expect(
        events.filter((e) => e.proposalId === started.proposalId && e.kind.startsWith("execution_")),
      ).toEqual([]);

      // The resource can be taken again (with the real clock).
      const next = await cp.propose({ sessionId: session.id, action: "write_file", resourceId });
      expect(next.outcome).toBe("allowed");
      await cp.complete(next.proposalId, { ok: true });
      await later.close();
      await cp.close();
    });

    it(`two maintenance runners in two processes ⇒ each of ${TICKETS} due tickets expires exactly once, one event each`, async () => {
      const cp = await createControlPlane({ storage, policy: TEST_POLICY, recoverOnStart: false });
      const tickets: string[] = [];
      for (let s = 0; s < 4; s++) {
        const session = await cp.openSession({ budget: { maxActions: TICKETS } });
        for (let i = 0; i < TICKETS / 4; i++) {
          const d = await cp.propose({
            sessionId: session.id,
            action: "deploy",
            resourceId: `svc-${s}-${i}`,
          });
          expect(d.outcome).toBe("pending_approval");
          tickets.push((d as Decision & { ticketId: string }).ticketId);
        }
      }
      expect((await cp.health()).pendingTickets).toBe(TICKETS);
      const feedStart = (await allEvents(storage)).at(-1)?.id ?? 0;

      // Both runners' clocks are an hour ahead (every ticket is due for them; the deadline is 15 minutes).
      const startAt = Date.now() + 2_500;
      const runners = [0, 1].map(() =>
        spawnWorker(RUNNER, { storage: backend.spec(), clockOffsetMs: 3_600_000, startAt, intervalMs: 2 }),
      );
      const results = await Promise.all(
        runners.map((r) =>
          r.done<{ expired: number; escalated: number; passes: number; errors: string[] }>(),
        ),
      );
      expect(results.flatMap((r) => r.errors)).toEqual([]);

      expect((await cp.health()).pendingTickets).toBe(0);
      for (const id of tickets) {
        const t = await cp.getTicket(id);
        expect(t.status).toBe("expired");
        expect(t.decidedBy).toBeNull();
        expect((await cp.getProposal(t.proposalId)).status).toBe("expired");
      }
      const expiredEvents = (await allEvents(storage)).filter(
        (e) => e.id > feedStart && e.kind === "approval_expired",
      );
      expect(expiredEvents).toHaveLength(TICKETS);
      expect(new Set(expiredEvents.map((e) => e.ticketId))).toEqual(new Set(tickets));
      // What the runners reported adds up to what happened: each expiry counted by exactly one pass.
      expect(results.reduce((n, r) => n + r.escalated, 0)).toBe(0);
      expect(results.reduce((n, r) => n + r.expired, 0)).toBe(TICKETS);
      await cp.close();
    });
  });
}

if (!server.available) it.skip(`recovery on PostgreSQL: ${server.reason}`, () => {});
