import { executionLeaseKey } from "../engines/concurrency/resource-lock.js";
import {
  findOrphanedExecutions,
  type LeaseRecovery,
  recoverExpiredLeases,
  settleOrphanedExecutions,
} from "../engines/recovery/recover-leases.js";
import { expireTokenReservations } from "../engines/token-budgets/settle-tokens.js";
import { ControlPlaneError, NotFoundError } from "../errors/control-plane-error.js";
import { assertKnownKeys } from "../errors/unknown-keys.js";
import { ValidationError } from "../errors/validation-error.js";
import { settleDueTickets, type TicketSettlement } from "./approval-api.js";
import { sealCheckpoint } from "./audit-api.js";
import type { Runtime } from "./runtime.js";
import { requireId } from "./session-api.js";

/** What one recovery pass did. */
export interface RecoveryReport extends LeaseRecovery, TicketSettlement {
  /** Audit checkpoints sealed (0 or 1; always 0 without `auditKeys`). */
  readonly checkpointsSealed: number;
  /** Token reservations held past their TTL that were expired (their room freed). */
  readonly tokenReservationsExpired: number;
}

/**
 * One recovery pass, safe to run in several processes at once (each release, expiry, escalation and event
 * happens exactly once): releases expired leases — an executing proposal whose holder stopped heartbeating
 * becomes `outcome_unknown`, a stuck cycle is released — settles executing proposals left without any lease
 * as `outcome_unknown`, then expires or escalates due approval tickets. Afterwards no proposal is
 * `executing` without a live lease. With `auditKeys`, it finally seals a signed checkpoint of the feed when the
 * feed grew since the latest one.
 */
export async function recover(rt: Runtime, batch = 100): Promise<RecoveryReport> {
  rt.assertOpen();
  let leasesReleased = 0;
  let outcomeUnknown = 0;
  let cyclesReleased = 0;
  for (;;) {
    const pass = await rt.storage.transaction((tx) => recoverExpiredLeases(tx, rt.clock.now(), batch));
    leasesReleased += pass.leasesReleased;
    outcomeUnknown += pass.outcomeUnknown;
    cyclesReleased += pass.cyclesReleased;
    if (pass.leasesReleased < batch) break;
  }
  // Executing proposals whose lease is gone altogether (not expired, just missing) are settled too.
  // A read first: the write transaction is opened only when there is something to settle.
  const orphans = await rt.storage.read((tx) => findOrphanedExecutions(tx, batch));
  if (orphans.length > 0) {
    outcomeUnknown += await rt.storage.transaction((tx) =>
      settleOrphanedExecutions(tx, orphans, rt.clock.now()),
    );
  }
  const tickets = await settleDueTickets(rt, batch);
  let tokenReservationsExpired = 0;
  for (;;) {
    // A read first: the write transaction is opened only when a reservation is due.
    const now = rt.clock.now();
    const due = await rt.storage.read((tx) => tx.tokenBudgets.listExpired(now, 1));
    if (due.length === 0) break;
    const n = await rt.storage.transaction((tx) => expireTokenReservations(tx, now, batch));
    tokenReservationsExpired += n;
    if (n < batch) break;
  }
  const sealed = rt.auditKeys === undefined ? undefined : await sealCheckpoint(rt);
  return {
    leasesReleased,
    outcomeUnknown,
    cyclesReleased,
    ...tickets,
    tokenReservationsExpired,
    checkpointsSealed: sealed === undefined ? 0 : 1,
  };
}

/** A running maintenance loop. */
export interface MaintenanceHandle {
  /** Stops the loop and waits for a running pass to finish. */
  stop(): Promise<void>;
  /** Runs one pass now (not overlapping a running one) and returns its report. */
  runOnce(): Promise<RecoveryReport>;
}

/** Options of `startMaintenance`. */
export interface MaintenanceOptions {
  /** Time between passes (ms). */
  readonly intervalMs: number;
  /** Called with each pass's report. */
  readonly onReport?: (report: RecoveryReport) => void;
  /** Called when a pass fails; the loop goes on. Default: logs to stderr. */
  readonly onError?: (error: unknown) => void;
  /** Let the process exit while the loop is the only thing left (default true; a dedicated worker sets false). */
  readonly unref?: boolean;
}

/**
 * Runs {@link recover} every `intervalMs` (passes never overlap). Safe in several processes at once.
 * @throws ValidationError naming `intervalMs`.
 */
export function startMaintenance(rt: Runtime, options: MaintenanceOptions): MaintenanceHandle {
  assertKnownKeys(options, ["intervalMs", "onReport", "onError", "unref"], "", "maintenance options");
  if (typeof options?.intervalMs !== "number" || !(options.intervalMs > 0)) {
    throw new ValidationError([
      { path: "intervalMs", message: "expected a positive number of milliseconds" },
    ]);
  }
  let running: Promise<RecoveryReport> | undefined;
  let stopped = false;
  const onError = options.onError ?? ((e: unknown) => console.error("agent-control-plane maintenance:", e));
  const runOnce = (): Promise<RecoveryReport> => {
    running ??= recover(rt).finally(() => {
      running = undefined;
    });
    return running;
  };
  const tick = () => {
    // A pass still running when the next tick comes is not joined: each pass is reported exactly once.
    if (stopped || rt.closed || running) return;
    runOnce().then(
      (report) => options.onReport?.(report),
      (error: unknown) => onError(error),
    );
  };
  const timer = setInterval(tick, options.intervalMs);
  if (options.unref !== false) timer.unref?.();
  return {
    runOnce,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running?.catch(() => undefined);
    },
  };
}

/**
 * Extends the execution lease of an executing proposal by `ttlMs` (default: the control plane's `lockTtlMs`).
 * A holder that stops calling it loses the lease and the proposal's outcome is recorded as unknown.
 * @throws NotFoundError; ControlPlaneError `conflict` when the proposal is not executing or its lease expired.
 */
export async function heartbeat(
  rt: Runtime,
  proposalId: string,
  ttlMs?: number,
): Promise<{ expiresAt: number }> {
  requireId(proposalId, "proposalId");
  if (ttlMs !== undefined && (typeof ttlMs !== "number" || !(ttlMs > 0))) {
    throw new ValidationError([{ path: "ttlMs", message: "expected a positive number of milliseconds" }]);
  }
  return rt.mutate("heartbeat", undefined, null, async (tx, now) => {
    const p = await tx.proposals.get(proposalId);
    if (!p) throw new NotFoundError("proposal", proposalId);
    const expiresAt = now + (ttlMs ?? rt.lockTtlMs);
    if (p.status !== "executing" || !(await tx.leases.renew(executionLeaseKey(p), p.id, expiresAt, now))) {
      throw new ControlPlaneError(
        "conflict",
        `proposal ${proposalId} holds no live execution lease (status ${p.status})`,
        {
          details: { proposalId, status: p.status },
        },
      );
    }
    return { expiresAt };
  });
}
