import type { ControlPlane } from "./control-plane.js";
import type { KillWatch } from "./kill-watch.js";

/** What guards one allowed side effect while it runs. */
export interface ExecutionGuard {
  /** Fires when a kill switch covers the call or the caller cancels it: pass it to the side effect. */
  readonly signal: AbortSignal;
  /** Why the call was stopped (`undefined` while it was not). */
  stopped(): string | undefined;
  /** Stops the heartbeat and the watch; call it once the side effect has ended. */
  release(): void;
}

/**
 * Guards an executing proposal: heartbeats its lease every `heartbeatMs`, and aborts `signal` when a kill switch
 * covering the call engages (through `watch`) or when the caller's own `cancel` signal aborts.
 * @example
 * const guard = guardExecution(cp, { proposalId, sessionId, agentId, watch, heartbeatMs: 10_000 });
 * try { await doIt({ signal: guard.signal }); } finally { guard.release(); }
 */
export function guardExecution(
  cp: ControlPlane,
  options: {
    readonly proposalId: string;
    readonly sessionId: string;
    readonly agentId: string;
    readonly watch: KillWatch;
    readonly heartbeatMs: number;
    readonly cancel?: AbortSignal | undefined;
    /** What a cancellation by `cancel` is recorded as (default "cancelled by the caller"). */
    readonly cancelReason?: string;
    readonly onHeartbeatError?: (error: unknown) => void;
  },
): ExecutionGuard {
  const controller = new AbortController();
  let why: string | undefined;
  const stop = (reason: string) => {
    why ??= reason;
    controller.abort(new Error(reason));
  };
  const { cancel } = options;
  const onCancel = () => stop(options.cancelReason ?? "cancelled by the caller");
  cancel?.addEventListener("abort", onCancel, { once: true });
  const untrack = options.watch.track({
    sessionId: options.sessionId,
    agentId: options.agentId,
    abort: stop,
  });
  if (cancel?.aborted) onCancel();
  const beat = setInterval(() => {
    cp.heartbeat(options.proposalId).catch((error: unknown) => options.onHeartbeatError?.(error));
  }, options.heartbeatMs);
  beat.unref();
  return {
    signal: controller.signal,
    stopped: () => why,
    release() {
      clearInterval(beat);
      untrack();
      cancel?.removeEventListener("abort", onCancel);
    },
  };
}
