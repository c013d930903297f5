/**
 * Approval latency across processes on PostgreSQL: process B waits on a ticket (`waitForDecision`, polling
 * only every 60 s, so the LISTEN/NOTIFY path is what wakes it), process A (this one) approves. Measures
 * approve-call start in A → B's `waitForDecision` resolved (both stamped with the shared wall clock at
 * sub-millisecond resolution), plus the approve call itself and the time until A reads B's reply.
 * Skipped with a message when no server answers at DATABASE_URL. Run: `npm run bench -- approval-latency`.
 */
import { createControlPlane } from "../src/control-plane/create-control-plane.js";
import type { Decision } from "../src/control-plane/decision.js";
import { createPostgresStorage } from "../src/storage/postgres/index.js";
import { startCommandWorker } from "../test/support/command-worker.js";
import { TEST_POLICY } from "../test/support/control-plane-fixture.js";
import { adminQuery, DATABASE_URL } from "../test/support/postgres.js";
import { printTable, summarize } from "./stats.js";

const URL = DATABASE_URL;
const ROUNDS = 200;
const WARMUP = 20;

const wallMs = () => performance.timeOrigin + performance.now();

/** Runs the suite. */
export async function run(): Promise<void> {
  try {
    await adminQuery("SELECT 1");
  } catch (error) {
    console.log(
      `\n## Approval latency: skipped (no PostgreSQL server at ${URL}: ${(error as Error).message})`,
    );
    return;
  }
  const schema = `acp_bench_approval_${process.pid}`;
  await adminQuery(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  const storage = createPostgresStorage({ connectionString: URL, schema, poolSize: 4 });
  try {
    await storage.migrate();
    const a = await createControlPlane({ storage, policy: TEST_POLICY });
    const b = await startCommandWorker({
      storage: { kind: "postgres", url: URL, schema },
      pollIntervalMs: 60_000,
    });
    try {
      const session = await a.openSession();
      const resumed: number[] = [];
      const approveCall: number[] = [];
      const replySeen: number[] = [];
      let subscriptions = 0;
      const start = wallMs();
      for (let i = 0; i < WARMUP + ROUNDS; i++) {
        const d = await a.propose({ sessionId: session.id, action: "send_payment", resourceId: `pay-${i}` });
        if (d.outcome !== "pending_approval") throw new Error(`expected a ticket, got ${d.outcome}`);
        const ticketId = (d as Decision & { ticketId: string }).ticketId;
        const waiting = b.send("waitForDecision", ticketId, { timeoutMs: 60_000 });
        await b.subscribed(++subscriptions); // B's waiter is listening before A approves
        const t0 = wallMs();
        await a.approve(ticketId, { decidedBy: "bench" });
        const t1 = wallMs();
        const reply = await waiting;
        const t2 = wallMs();
        if (!reply.ok || (reply.result as { status: string }).status !== "approved") {
          throw new Error(`B did not see the approval: ${JSON.stringify(reply)}`);
        }
        if (i < WARMUP) continue;
        resumed.push((reply.resolvedAt! - t0) * 1000);
        approveCall.push((t1 - t0) * 1000);
        replySeen.push((t2 - t0) * 1000);
      }
      const wallUs = (wallMs() - start) * 1000;
      const latencyOnly = (name: string, samples: number[], goal = "") => ({
        ...summarize(name, samples, wallUs),
        opsPerSec: Number.NaN,
        goal,
      });
      printTable("Approval latency across processes (PostgreSQL, LISTEN/NOTIFY)", [
        latencyOnly("approve in A → waitForDecision resolves in B", resumed, "p50 ≤ 50 ms"),
        latencyOnly("approve() call in A", approveCall),
        latencyOnly("approve in A → A reads B's reply (pipe)", replySeen),
      ]);
    } finally {
      await b.stop();
      await a.close();
    }
  } finally {
    await storage.close();
    await adminQuery(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  }
}
