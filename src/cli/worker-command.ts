import { createControlPlane } from "../control-plane/create-control-plane.js";
import type { RecoveryReport } from "../control-plane/maintenance.js";
import { readKeyRing } from "../engines/audit/keys.js";
import { ValidationError } from "../errors/validation-error.js";
import { parseDuration } from "../types/policy.js";
import { openStorage, type StorageArgs } from "./open-storage.js";

/** Options of `acp worker` / `acp recover`. */
export interface WorkerArgs extends StorageArgs {
  readonly policy?: string | undefined;
  readonly interval?: string | undefined;
  readonly once?: boolean | undefined;
  /** The audit key file: with it each pass seals a signed checkpoint when the feed grew. */
  readonly auditKey?: string | undefined;
}

/** A policy that denies everything: maintenance only needs the sessions' own frozen snapshots. */
const MAINTENANCE_POLICY = { version: 1 } as const;

/**
 * `acp worker`: runs recovery (expired leases → outcome_unknown, stuck cycles, ticket expiry and escalation)
 * every `--interval` until SIGINT/SIGTERM. Safe to run in several processes at once. With `--once` (or as
 * `acp recover`) it runs one pass and prints its report.
 */
export async function runWorker(
  args: WorkerArgs,
  out: (line: string) => void,
  stopSignal: AbortSignal,
  env: NodeJS.ProcessEnv = process.env,
): Promise<void> {
  const intervalMs = parseDuration(args.interval ?? "5s");
  if (intervalMs === undefined || intervalMs <= 0) {
    throw new ValidationError(
      [
        {
          path: "--interval",
          message: 'expected a duration like "500ms", "5s" or "1m"',
          received: args.interval,
        },
      ],
      "command line",
    );
  }
  const storage = await openStorage(args, env);
  const cp = await createControlPlane({
    storage,
    policy: args.policy ?? MAINTENANCE_POLICY,
    recoverOnStart: false,
    ...(args.auditKey === undefined ? {} : { auditKeys: readKeyRing(args.auditKey) }),
  });
  const print = (r: RecoveryReport) => out(JSON.stringify({ at: new Date().toISOString(), ...r }));
  try {
    if (args.once) {
      print(await cp.recover());
      return;
    }
    out(`acp worker: maintenance every ${intervalMs} ms (${storage.dialect}); stop with Ctrl-C`);
    const handle = cp.startMaintenance({
      intervalMs,
      unref: false,
      onReport: (r) => {
        if (r.leasesReleased + r.expired + r.escalated + r.checkpointsSealed > 0) print(r);
      },
      onError: (e) => out(`acp worker: pass failed: ${e instanceof Error ? e.message : String(e)}`),
    });
    print(await handle.runOnce());
    await new Promise<void>((resolve) => {
      if (stopSignal.aborted) resolve();
      else stopSignal.addEventListener("abort", () => resolve(), { once: true });
    });
    await handle.stop();
    out("acp worker: stopped");
  } finally {
    await cp.close();
    await storage.close();
  }
}
