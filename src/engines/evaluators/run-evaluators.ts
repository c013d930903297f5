import type { JsonObject } from "../../types/json.js";
import type { EvaluatorResult } from "./evaluator.js";

/** Default number of evaluators run at the same time. */
export const DEFAULT_EVALUATOR_CONCURRENCY = 4;
/** Default per-evaluator timeout (ms). */
export const DEFAULT_EVALUATOR_TIMEOUT_MS = 1000;

/** One evaluator invocation to run: `run` receives a signal aborted on timeout, first deny or caller abort. */
export interface EvaluatorTask {
  readonly name: string;
  readonly type: string;
  readonly timeoutMs: number;
  run(signal: AbortSignal): EvaluatorResult | Promise<EvaluatorResult>;
}

/** How one evaluator ended. Everything but `allow` counts as a deny, except `cancelled` (it did not decide). */
export type EvaluatorStatus = "allow" | "deny" | "error" | "timeout" | "cancelled";

/** The result of one evaluator in a run. */
export interface EvaluatorRunResult {
  readonly name: string;
  readonly type: string;
  readonly status: EvaluatorStatus;
  readonly allow: boolean;
  readonly reason: string;
  readonly metadata?: JsonObject | undefined;
  readonly elapsedMs: number;
}

/** The outcome of {@link runEvaluators}. */
export interface ParallelEvaluation {
  /** True when every evaluator allowed (true for an empty list). */
  readonly allow: boolean;
  /** The first deny (deny, error or timeout), or a synthetic one when the caller aborted. */
  readonly denied: EvaluatorRunResult | undefined;
  /** One entry per task, in task order. */
  readonly results: readonly EvaluatorRunResult[];
  /** Tasks never started or aborted while running because of a deny or the caller's signal. */
  readonly cancelledCount: number;
  readonly elapsedMs: number;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    value !== null && typeof value === "object" && typeof (value as { then?: unknown }).then === "function"
  );
}

function result(
  task: EvaluatorTask,
  status: EvaluatorStatus,
  reason: string,
  start: number,
  metadata?: JsonObject,
) {
  const r: EvaluatorRunResult = {
    name: task.name,
    type: task.type,
    status,
    allow: status === "allow",
    reason,
    elapsedMs: performance.now() - start,
  };
  return metadata === undefined ? r : { ...r, metadata };
}

function fromValue(task: EvaluatorTask, value: unknown, start: number): EvaluatorRunResult {
  if (value === null || typeof value !== "object") {
    return result(task, "error", `Evaluator error: ${task.name} returned no result`, start);
  }
  const v = value as Partial<EvaluatorResult>;
  if (typeof v.allow !== "boolean" || typeof v.reason !== "string") {
    return result(task, "error", `Evaluator error: ${task.name} returned a malformed result`, start);
  }
  return result(task, v.allow ? "allow" : "deny", v.reason, start, v.metadata);
}

/**
 * Runs one evaluator with its timeout. Resolves (never rejects): a thrown error, a rejected promise, a malformed
 * result or a timeout become a deny with the reason; an abort of `signal` resolves at once as `cancelled`, without
 * waiting for an evaluator that ignores its signal.
 */
export function runEvaluator(task: EvaluatorTask, signal?: AbortSignal): Promise<EvaluatorRunResult> {
  const start = performance.now();
  if (signal?.aborted)
    return Promise.resolve(result(task, "cancelled", "not started: evaluation aborted", start));
  return new Promise((resolve) => {
    const controller = new AbortController();
    let settled = false;
    const onAbort = () => {
      controller.abort(signal?.reason);
      finish(result(task, "cancelled", "aborted: evaluation stopped", start));
    };
    const timer = setTimeout(() => {
      controller.abort(new Error(`evaluator ${task.name} timed out`));
      finish(result(task, "timeout", `Evaluator ${task.name} timed out after ${task.timeoutMs}ms`, start));
    }, task.timeoutMs);
    function finish(r: EvaluatorRunResult) {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      resolve(r);
    }
    signal?.addEventListener("abort", onAbort, { once: true });
    const fail = (error: unknown) =>
      finish(
        result(
          task,
          "error",
          `Evaluator error: ${error instanceof Error ? error.message : String(error)}`,
          start,
        ),
      );
    try {
      const value = task.run(controller.signal);
      if (isThenable(value)) value.then((v) => finish(fromValue(task, v, start)), fail);
      else finish(fromValue(task, value, start));
    } catch (error) {
      fail(error);
    }
  });
}

/**
 * Runs evaluators in parallel, at most `concurrency` at a time (default 4). After the first deny (a deny, an
 * error or a timeout) no new evaluator starts and running ones are aborted through their signal; they are
 * counted in `cancelledCount`. Aborting `options.signal` stops everything and the run denies.
 * @example
 * const run = await runEvaluators(tasks, { concurrency: 2 });
 * if (!run.allow) console.log(run.denied?.reason);
 */
export function runEvaluators(
  tasks: readonly EvaluatorTask[],
  options?: { readonly concurrency?: number; readonly signal?: AbortSignal },
): Promise<ParallelEvaluation> {
  const start = performance.now();
  const limit = Math.max(1, Math.floor(options?.concurrency ?? DEFAULT_EVALUATOR_CONCURRENCY));
  const outer = options?.signal;
  const results: (EvaluatorRunResult | undefined)[] = new Array(tasks.length);
  const stop = new AbortController();
  let denied: EvaluatorRunResult | undefined;
  let next = 0;
  let active = 0;

  return new Promise((resolve) => {
    const onOuterAbort = () => stop.abort(outer?.reason);
    outer?.addEventListener("abort", onOuterAbort, { once: true });
    if (outer?.aborted) stop.abort(outer.reason);

    const done = () => {
      outer?.removeEventListener("abort", onOuterAbort);
      let cancelledCount = 0;
      const all = tasks.map((task, i) => {
        const r =
          results[i] ??
          result(
            task,
            "cancelled",
            denied ? "not started: another evaluator denied" : "not started: evaluation aborted",
            start,
          );
        if (r.status === "cancelled") cancelledCount++;
        return r;
      });
      if (!denied && stop.signal.aborted) {
        denied = {
          name: "*",
          type: "*",
          status: "cancelled",
          allow: false,
          reason: "evaluation aborted",
          elapsedMs: 0,
        };
      }
      resolve({
        allow: denied === undefined,
        denied,
        results: all,
        cancelledCount,
        elapsedMs: performance.now() - start,
      });
    };

    const pump = () => {
      while (!stop.signal.aborted && active < limit && next < tasks.length) {
        const i = next++;
        active++;
        runEvaluator(tasks[i]!, stop.signal).then((r) => {
          results[i] = r;
          active--;
          if (!r.allow && r.status !== "cancelled" && denied === undefined) {
            denied = r;
            stop.abort(new Error(`evaluator ${r.name} denied`));
          }
          pump();
        });
      }
      if (active === 0 && (stop.signal.aborted || next >= tasks.length)) done();
    };
    pump();
  });
}
