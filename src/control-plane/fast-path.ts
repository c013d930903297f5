import { recordingTx } from "../storage/speculative/recorder.js";
import type { StorageTx } from "../storage/storage.js";
import type { ProposalRecord, ProposalStatus } from "../types/proposal-record.js";
import { type PipelineContext, type PipelineResult, runProposePipeline } from "./propose-pipeline.js";
import type { Runtime } from "./runtime.js";

// The speculative fast path of `propose` and `complete` on storages with `speculation` (PostgreSQL): the
// unchanged pipeline / completion code runs against a recorder of a snapshot, and the recorded plan is applied in
// one statement that re-checks every assumption. Anything the recorder does not model, and any failed check,
// falls back to the normal transaction, whose outcome is then the one returned.

/** The retry statuses the pipeline asks the decision context for (a pending or approved predecessor). */
const RETRY_STATUSES: readonly ProposalStatus[] = ["approved", "pending_approval"];
/** How many proposals decided on the fast path each control plane remembers for a one-statement completion. */
const CACHE_LIMIT = 10_000;

const decidedFast = new WeakMap<Runtime, Map<string, ProposalRecord>>();

/**
 * Test hooks of the fast path, internal: `afterSnapshot` runs between the snapshot and the apply (e.g. to
 * engage a kill switch from another connection).
 * @internal
 */
export const fastPathHooks: { afterSnapshot?: () => Promise<void> } = {};

/** What {@link speculativePropose} concluded: a result, or the context the normal transaction must use. */
export type SpeculativeDecision =
  | { readonly result: PipelineResult }
  | { readonly result?: undefined; readonly ctx: PipelineContext };

/**
 * Decides `ctx` in two round trips when the storage supports it: snapshot, pipeline against the recorder,
 * apply. Returns the result, or (fast path not taken or refused) the context for the normal transaction — it
 * hands out again the ids the speculative run drew, in the same order, so ids do not depend on the path.
 */
export async function speculativePropose(rt: Runtime, ctx: PipelineContext): Promise<SpeculativeDecision> {
  const spec = rt.storage.speculation;
  if (spec === undefined) return { ctx };
  const issued: string[] = [];
  const drawing: PipelineContext = {
    ...ctx,
    newId: () => {
      const id = ctx.newId();
      issued.push(id);
      return id;
    },
  };
  const fallback = (): SpeculativeDecision => ({ ctx: issued.length === 0 ? ctx : reissuing(ctx, issued) });
  const snapshot = await spec.snapshot({
    context: {
      sessionId: ctx.proposal.sessionId,
      agentId: ctx.proposal.agentId,
      fingerprint: ctx.fingerprint,
      retryStatuses: RETRY_STATUSES,
    },
    ...(ctx.idempotencyKey === undefined ? {} : { idempotencyKey: ctx.idempotencyKey }),
  });
  const recorder = recordingTx({ snapshot });
  let result: PipelineResult;
  try {
    result = await runProposePipeline(recorder.tx, drawing);
  } catch {
    // Unsupported (not modelled), or an error that the real transaction raises itself if it still holds.
    return fallback();
  }
  // Evaluators run outside any transaction: nothing was recorded yet, the second pass is a normal transaction.
  if (result.kind === "route_async") return { result };
  await fastPathHooks.afterSnapshot?.();
  const plan = recorder.plan();
  if (!(await spec.apply(plan))) return fallback();
  for (const w of plan.writes) {
    if (w.op === "proposal_insert" && w.record.status === "executing") remember(rt, w.record);
  }
  return { result };
}

/**
 * Completes `proposalId` in one round trip when it was decided on this control plane's fast path and the
 * completion needs nothing the recorder does not model: `run` (the completion) against the cached row, then
 * apply (which verifies the row is unchanged and still executing). `undefined`: take the normal transaction.
 */
export async function speculativeComplete<T>(
  rt: Runtime,
  proposalId: string,
  run: (tx: StorageTx, now: number) => Promise<T>,
): Promise<{ readonly value: T } | undefined> {
  const spec = rt.storage.speculation;
  const cache = decidedFast.get(rt);
  const cached = cache?.get(proposalId);
  if (spec === undefined || cached === undefined) return undefined;
  cache!.delete(proposalId);
  const recorder = recordingTx({ proposal: (id) => (id === proposalId ? cached : undefined) });
  let value: T;
  try {
    value = await run(recorder.tx, rt.clock.now());
  } catch {
    return undefined;
  }
  if (!(await spec.apply(recorder.plan()))) return undefined;
  return { value };
}

function remember(rt: Runtime, record: ProposalRecord): void {
  let cache = decidedFast.get(rt);
  if (cache === undefined) {
    cache = new Map();
    decidedFast.set(rt, cache);
  }
  cache.set(record.id, record);
  if (cache.size > CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
}

function reissuing(ctx: PipelineContext, ids: readonly string[]): PipelineContext {
  let next = 0;
  return { ...ctx, newId: () => (next < ids.length ? ids[next++]! : ctx.newId()) };
}
