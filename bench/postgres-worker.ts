/**
 * Child process of the PostgreSQL benchmark (`bench/postgres.bench.ts`).
 * Usage: node --import tsx bench/postgres-worker.ts '<json command>'; prints JSON lines on stdout.
 */

import { createControlPlane } from "../src/control-plane/create-control-plane.js";
import { createPostgresStorage } from "../src/storage/postgres/index.js";
import type { Storage } from "../src/storage/storage.js";
import { executingProposal, sessionRecord } from "../src/testing/conformance/fixtures.js";

interface Command {
  readonly mode: "governed" | "facade" | "listen" | "notify";
  readonly url: string;
  readonly schema: string;
  readonly worker: number;
  readonly callers?: number;
  readonly perCaller?: number;
  readonly startAt?: number;
  readonly notices?: number;
}

const cmd = JSON.parse(process.argv[2] ?? "{}") as Command;
const say = (message: unknown) => process.stdout.write(`${JSON.stringify(message)}\n`);
const wallClockMs = () => performance.timeOrigin + performance.now();
let counter = 0;

/** Reserve budget + insert proposal + append two events + release the reservation, in one transaction. */
function governed(storage: Storage, sessionId: string): Promise<unknown> {
  const id = `w${cmd.worker}-p${counter++}`;
  return storage.transaction(async (tx) => {
    const now = Date.now();
    if (!(await tx.sessions.reserveBudget(sessionId, 1_000, 1, now))) throw new Error("budget refused");
    await tx.proposals.insert(executingProposal(id, sessionId, now));
    await tx.events.append({ sessionId, kind: "proposal_decided", proposalId: id, payload: {}, at: now });
    await tx.events.append({ sessionId, kind: "cycle_started", proposalId: id, payload: {}, at: now });
    await tx.sessions.adjustBudget(sessionId, -1_000, -1, now);
  });
}

async function main() {
  const callers = cmd.callers ?? 1;
  const storage = createPostgresStorage({ connectionString: cmd.url, schema: cmd.schema, poolSize: callers });
  await storage.migrate();
  if (cmd.mode === "governed") {
    const sessions = Array.from({ length: callers }, (_, i) => `bench-${cmd.worker}-${i}`);
    await storage.transaction(async (tx) => {
      for (const id of sessions) {
        await tx.sessions.insert(
          sessionRecord(id, { agentId: "agent", policyId: "policy", createdAt: 1, updatedAt: 1 }),
        );
      }
    });
    for (let i = 0; i < 100; i++) await governed(storage, sessions[0]!);
    if (cmd.startAt !== undefined)
      await new Promise((r) => setTimeout(r, Math.max(0, cmd.startAt! - Date.now())));
    const samples: number[] = [];
    const start = wallClockMs();
    await Promise.all(
      sessions.map(async (sessionId) => {
        for (let i = 0; i < (cmd.perCaller ?? 0); i++) {
          const t0 = process.hrtime.bigint();
          await governed(storage, sessionId);
          samples.push(Number(process.hrtime.bigint() - t0) / 1000);
        }
      }),
    );
    say({ start, end: wallClockMs(), samples });
  } else if (cmd.mode === "facade") {
    // A governed action through the facade: propose (allowed) + complete, one session per caller.
    const cp = await createControlPlane({
      storage,
      policy: { version: 1, actions: { autoApprove: ["files.write"] } },
      recoverOnStart: false,
    });
    const sessions = await Promise.all(Array.from({ length: callers }, () => cp.openSession()));
    let n = 0;
    const action = async (sessionId: string) => {
      const d = await cp.propose({
        sessionId,
        action: "files.write",
        resourceId: `w${cmd.worker}-r${n++}`,
        cost: 0.01,
      });
      if (d.outcome !== "allowed") throw new Error(`unexpected ${d.outcome}: ${d.reason}`);
      await cp.complete(d.proposalId, { ok: true });
    };
    for (let i = 0; i < 50; i++) await action(sessions[0]!.id);
    if (cmd.startAt !== undefined)
      await new Promise((r) => setTimeout(r, Math.max(0, cmd.startAt! - Date.now())));
    const samples: number[] = [];
    const start = wallClockMs();
    await Promise.all(
      sessions.map(async (s) => {
        for (let i = 0; i < (cmd.perCaller ?? 0); i++) {
          const t0 = process.hrtime.bigint();
          await action(s.id);
          samples.push(Number(process.hrtime.bigint() - t0) / 1000);
        }
      }),
    );
    say({ start, end: wallClockMs(), samples });
    await cp.close();
  } else if (cmd.mode === "listen") {
    const latencies: number[] = [];
    let done!: () => void;
    const finished = new Promise<void>((resolve) => {
      done = resolve;
    });
    await storage.subscribe((c) => {
      const [, sentAt] = c.id.split("@");
      latencies.push((wallClockMs() - Number(sentAt)) * 1000);
      if (latencies.length >= (cmd.notices ?? 0)) done();
    });
    say({ ready: true });
    await finished;
    say({ samples: latencies });
  } else {
    for (let i = 0; i < (cmd.notices ?? 0); i++) {
      await storage.transaction(async (tx) => tx.notify({ topic: "ticket", id: `n${i}@${wallClockMs()}` }));
      await new Promise((r) => setTimeout(r, 2));
    }
    say({ sent: true });
  }
  await storage.close();
}

main().catch((error: unknown) => {
  say({ error: String((error as Error)?.stack ?? error) });
  process.exitCode = 1;
});
