import type { ControlPlane } from "./control-plane.js";

/** A running side effect that a kill switch may stop (a governed tool call, a forwarded MCP call). */
export interface InFlightCall {
  readonly sessionId: string;
  readonly agentId: string;
  /** Stops the call, recording why. */
  abort(reason: string): void;
}

/** Watches the control plane's feed for kill switches and stops the in-flight calls they cover. */
export interface KillWatch {
  /** Registers an in-flight call; returns its removal. The feed is only polled while some call is in flight. */
  track(call: InFlightCall): () => void;
  /** Stops polling. */
  close(): void;
}

/**
 * Creates the kill-switch watch. While calls are in flight it polls `feed()` every `pollMs` for
 * `kill_switch_engaged` events (from any process sharing the storage), and at once after each commit of this
 * process's control plane (`watchFeed`). When the first call starts it reads the
 * feed head and the engaged switches once, so a switch engaged between that call's decision and the first poll
 * is not missed. It keeps polling `lingerMs` after the last call ended (a burst reads the head once); idle, it
 * reads nothing.
 */
export function createKillWatch(
  cp: ControlPlane,
  options: {
    readonly pollMs: number;
    readonly log: (line: string) => void;
    /** How long polling goes on after the last call ended, so a burst of calls reads the head once. */
    readonly lingerMs?: number;
  },
): KillWatch {
  const calls = new Set<InFlightCall>();
  /** Switches seen engaged while watching (`scope:target`), so a call tracked after the event is covered too. */
  const engaged = new Map<string, { scope: string; target: string; reason: string }>();
  let cursor: number | undefined;
  let timer: NodeJS.Timeout | undefined;
  let polling = false;
  let closed = false;
  let linger: NodeJS.Timeout | undefined;
  const lingerMs = options.lingerMs ?? 5_000;
  /** Stops the wake-ups on this process's own commits. */
  let unwatch: (() => void) | undefined;
  let again = false;
  const halt = () => {
    if (timer !== undefined) clearInterval(timer);
    timer = undefined;
    unwatch?.();
    unwatch = undefined;
    cursor = undefined;
    engaged.clear();
  };

  const covers = (scope: string, target: string, call: InFlightCall) =>
    scope === "global" ||
    (scope === "agent" && call.agentId === target) ||
    (scope === "session" && call.sessionId === target);
  const abort = (call: InFlightCall, k: { scope: string; target: string; reason: string }) =>
    call.abort(`kill switch (${k.scope}${k.target ? `: ${k.target}` : ""}): ${k.reason}`);
  const stop = (scope: string, target: string, reason: string) => {
    engaged.set(`${scope}:${target}`, { scope, target, reason });
    for (const call of calls) if (covers(scope, target, call)) abort(call, { scope, target, reason });
  };

  const poll = async (): Promise<void> => {
    if (cursor === undefined) return;
    if (polling) {
      again = true;
      return;
    }
    polling = true;
    again = false;
    try {
      for (;;) {
        const events = await cp.feed({ afterId: cursor, limit: 200 });
        for (const event of events) {
          cursor = event.id;
          const p = event.payload;
          if (event.kind === "kill_switch_released")
            engaged.delete(`${String(p.scope)}:${String(p.target ?? "")}`);
          if (event.kind !== "kill_switch_engaged") continue;
          stop(String(p.scope ?? ""), String(p.target ?? ""), String(p.reason ?? ""));
        }
        if (events.length < 200 || calls.size === 0) break;
      }
    } catch (error) {
      options.log(`kill-switch watch: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      polling = false;
    }
    if (again) return poll();
  };

  const start = async () => {
    try {
      const head = await cp.feedHead();
      if (calls.size === 0 || closed) return;
      cursor = head;
      for (const k of await cp.listKillSwitches({ engagedOnly: true })) stop(k.scope, k.target, k.reason);
      timer ??= setInterval(() => void poll(), options.pollMs);
      timer.unref();
      // A kill switch engaged through this process's control plane stops its calls as soon as it commits.
      unwatch ??= cp.watchFeed(() => void poll());
    } catch (error) {
      options.log(`kill-switch watch: ${error instanceof Error ? error.message : String(error)}`);
    }
  };

  return {
    track(call) {
      calls.add(call);
      for (const k of engaged.values()) if (covers(k.scope, k.target, call)) abort(call, k);
      if (linger !== undefined) clearTimeout(linger);
      linger = undefined;
      if (calls.size === 1 && timer === undefined && !closed) void start();
      return () => {
        calls.delete(call);
        if (calls.size > 0 || timer === undefined || linger !== undefined) return;
        linger = setTimeout(() => {
          linger = undefined;
          if (calls.size === 0) halt();
        }, lingerMs);
        linger.unref();
      };
    },
    close() {
      closed = true;
      if (linger !== undefined) clearTimeout(linger);
      halt();
    },
  };
}

/**
 * Leaves a dispatched call's outcome unknown the control plane's own way: its execution lease is shortened to
 * 1 ms and a recovery pass then records `outcome_unknown` (a late `complete()` would still record the truth).
 */
export async function markOutcomeUnknown(cp: ControlPlane, proposalId: string): Promise<void> {
  await cp.heartbeat(proposalId, { ttlMs: 1 });
  await new Promise((resolve) => setTimeout(resolve, 5));
  await cp.recover();
}
