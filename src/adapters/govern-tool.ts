import { hash } from "node:crypto";
import type { ControlPlane } from "../control-plane/control-plane.js";
import type { Decision } from "../control-plane/decision.js";
import { guardExecution } from "../control-plane/execution-guard.js";
import { createKillWatch, type KillWatch, markOutcomeUnknown } from "../control-plane/kill-watch.js";
import { withToolSpan } from "../telemetry/tool-span.js";
import type { ProposalInput } from "../types/proposal.js";
import { proposalOf, type ResolvedMapping, resolveMapping } from "./govern-mapping.js";
import { abortedMessage, pendingMessage, refusalMessage, steeringText } from "./govern-messages.js";
import type {
  GovernedDecision,
  GovernedExecution,
  GovernedResult,
  GovernedTool,
  ToolCallContext,
  ToolMapping,
} from "./govern-types.js";

/** How long a call id's result is remembered, so a framework's second hook for the same call reuses it. */
const CALL_MEMORY_MS = 10 * 60_000;
/** At most this many call ids are remembered per governed tool (oldest forgotten first). */
const CALL_MEMORY_MAX = 10_000;

/**
 * Governs a tool: every call is proposed to the control plane, waits for an approval up to
 * `mapping.approvalWaitMs` (or returns `pending_approval` with the ticket), executes only when allowed — with a
 * lease heartbeat and an `AbortSignal` that fires when a kill switch covering the call engages — and completes
 * with the outcome, the actual cost and the error. Every control-plane outcome is a value (`status`); an error
 * thrown by the tool is recorded as `execution_failed` and rethrown.
 *
 * The same call id (`call.callId`) gives the same proposal: `decide` then `run` for one call proposes once and
 * runs once, and a call re-run after its ticket was approved (also in another process) claims that approval.
 * @throws ValidationError naming each bad mapping path.
 * @example
 * const send = governTool(cp, (a: { to: string }, { signal }) => mailer.send(a.to, { signal }), {
 *   action: "send_email", sessionId: session.id, resourceId: (a) => a.to, cost: "0.01",
 * });
 * const result = await send.run({ to: "ann@example.com" }, { callId: "call_1" });
 * if (result.status !== "executed") console.log(result.message); // what the model should read
 */
export function governTool<A, R>(
  cp: ControlPlane,
  tool: (args: A, execution: GovernedExecution) => R | Promise<R>,
  mapping: ToolMapping<A>,
): GovernedTool<A, R> {
  if (typeof tool !== "function") throw new TypeError("governTool: tool must be a function");
  const m = resolveMapping(mapping);
  /** Allowed decisions of calls not run yet (from `decide`), by call id. */
  const allowed = new Map<string, { decision: Decision; input: ProposalInput; at: number }>();
  /** Runs by call id: a second `run` of the same call gets the first one's result. */
  const runs = new Map<string, { result: Promise<GovernedResult<R>>; at: number }>();

  const decideCall = async (args: A, call: ToolCallContext) => {
    const input = await proposalOf(m, args, call);
    return { input, governed: await decideInput(cp, m, input, m.toolName(args, call), call) };
  };

  const run = (args: A, call: ToolCallContext = {}): Promise<GovernedResult<R>> => {
    const id = call.callId;
    const known = id === undefined ? undefined : runs.get(id);
    if (known) return known.result;
    const result = withToolSpan(
      { toolName: m.toolName(args, call), callId: id, sessionId: call.sessionId, agentId: call.agentId },
      async (span) => {
        const ready = id === undefined ? undefined : allowed.get(id);
        if (id !== undefined) allowed.delete(id);
        const { input, governed } = ready
          ? { input: ready.input, governed: { status: "allowed" as const, decision: ready.decision } }
          : await decideCall(args, call);
        span.setDecision(governed.decision);
        if (governed.status !== "allowed") return governed;
        try {
          return await execute(cp, m, tool, args, call, input, governed.decision);
        } catch (error) {
          span.fail(error);
          throw error;
        }
      },
    );
    if (id !== undefined) {
      remember(runs, id, { result, at: Date.now() });
      // Only settled outcomes are remembered: a pending or refused call is decided again when re-run.
      result.then(
        (r) => {
          if (r.status === "pending_approval" || r.status === "refused") runs.delete(id);
        },
        () => undefined,
      );
    }
    return result;
  };

  return {
    run,
    async decide(args, call = {}) {
      const id = call.callId;
      const ready = id === undefined ? undefined : allowed.get(id);
      if (ready) return { status: "allowed", decision: ready.decision };
      const { input, governed } = await decideCall(args, call);
      if (governed.status === "allowed" && id !== undefined)
        remember(allowed, id, { decision: governed.decision, input, at: Date.now() });
      return governed;
    },
    async isApproved(ticketId) {
      return (await cp.getTicket(ticketId)).status === "approved";
    },
  };
}

/**
 * The idempotency key of one call: the first decision of a call id is replayed to every later proposal of it (also
 * in another process), so a call whose ticket was denied stays denied instead of asking again.
 */
function callKey(sessionId: string, callId: string | undefined): string | undefined {
  if (callId === undefined) return undefined;
  return `tool-call:${hash("sha256", `${sessionId}\u0000${callId}`, "base64url")}`;
}

/**
 * Proposes (with the call's key); a pending ticket is looked up and waited for up to `approvalWaitMs`. An approved
 * ticket is claimed by proposing the identical call again, without the key: that claim runs it once.
 */
async function decideInput<A>(
  cp: ControlPlane,
  m: ResolvedMapping<A>,
  input: ProposalInput,
  toolName: string,
  call: ToolCallContext,
): Promise<GovernedDecision> {
  const key = callKey(input.sessionId, call.callId);
  const decision = await cp.propose(key === undefined ? input : { ...input, idempotencyKey: key });
  if (decision.outcome === "allowed") return { status: "allowed", decision };
  if (decision.outcome !== "pending_approval")
    return refused(toolName, decision, decision.code, decision.reason);
  const pending = pendingOf(toolName, decision);
  const { signal } = call;
  if (signal?.aborted) return pending;
  const waited = await cp
    .waitForDecision(decision.ticketId, { timeoutMs: m.approvalWaitMs, ...(signal ? { signal } : {}) })
    .catch((error: unknown) => {
      if (signal?.aborted) return undefined;
      throw error;
    });
  if (!waited || waited.timedOut) return pending;
  if (waited.status === "approved") {
    const { status } = await cp.getProposal(decision.proposalId);
    if (status === "approved") {
      const claimed = await cp.propose(input);
      if (claimed.outcome === "allowed") return { status: "allowed", decision: claimed };
      if (claimed.outcome === "pending_approval") return pendingOf(toolName, claimed);
      return refused(toolName, claimed, claimed.code, claimed.reason);
    }
    const reason = `ticket ${decision.ticketId} was approved and this call was already run (proposal ${status})`;
    return refused(toolName, decision, "already_run", reason);
  }
  const code = waited.status === "denied" ? "approval_denied" : "approval_expired";
  const by = waited.ticket.decidedBy ? ` by ${waited.ticket.decidedBy}` : "";
  const why = waited.ticket.reason ? `: ${waited.ticket.reason}` : "";
  return refused(toolName, decision, code, `ticket ${decision.ticketId} was ${waited.status}${by}${why}`);
}

function pendingOf(toolName: string, decision: Decision & { ticketId: string }): GovernedDecision {
  const message = pendingMessage(toolName, decision.ticketId, decision.reason);
  return { status: "pending_approval", ticketId: decision.ticketId, decision, message };
}

function refused(toolName: string, decision: Decision, code: string, reason: string): GovernedDecision {
  const message = refusalMessage(toolName, code, reason, steeringText(decision));
  return { status: "refused", decision, code, reason, message };
}

/** Runs an allowed call with a heartbeat and the kill-switch watch, then records its outcome. */
async function execute<A, R>(
  cp: ControlPlane,
  m: ResolvedMapping<A>,
  tool: (args: A, execution: GovernedExecution) => R | Promise<R>,
  args: A,
  call: ToolCallContext,
  input: ProposalInput,
  decision: Decision,
): Promise<GovernedResult<R>> {
  const { proposalId } = decision;
  const toolName = m.toolName(args, call);
  // The session's agent answers for a call that names none (an agent kill switch covers it too).
  const agentId = input.agentId ?? (await cp.getSession(input.sessionId)).agentId ?? "";
  const guard = guardExecution(cp, {
    proposalId,
    sessionId: input.sessionId,
    agentId,
    watch: killWatchOf(cp, m.killPollMs),
    heartbeatMs: m.heartbeatMs,
    cancel: call.signal,
  });
  try {
    const stopped = guard.stopped();
    if (stopped !== undefined) {
      // Stopped before it started: nothing happened, so the call failed.
      await cp.complete(proposalId, { ok: false, error: `not run: ${stopped}` });
      return { status: "aborted", decision, reason: stopped, message: abortedMessage(toolName, stopped) };
    }
    const output = await tool(args, { signal: guard.signal, proposalId, callId: call.callId });
    const cost = m.mapping.actualCost?.(output, args) ?? input.cost;
    await cp.complete(proposalId, { ok: true, ...(cost === undefined ? {} : { cost }) });
    return { status: "executed", output, decision };
  } catch (error) {
    const stopped = guard.stopped();
    if (stopped !== undefined) {
      // Stopped while running: the side effect may or may not have happened.
      await markOutcomeUnknown(cp, proposalId).catch(() => undefined);
      return { status: "aborted", decision, reason: stopped, message: abortedMessage(toolName, stopped) };
    }
    const text = error instanceof Error ? error.message : String(error);
    await cp.complete(proposalId, { ok: false, error: text.slice(0, 2000) }).catch(() => undefined);
    throw error;
  } finally {
    guard.release();
  }
}

const watches = new WeakMap<ControlPlane, Map<number, KillWatch>>();

/** One kill-switch watch per control plane and poll interval, shared by every governed tool. */
function killWatchOf(cp: ControlPlane, pollMs: number): KillWatch {
  let byPoll = watches.get(cp);
  if (!byPoll) {
    byPoll = new Map();
    watches.set(cp, byPoll);
  }
  let watch = byPoll.get(pollMs);
  if (!watch) {
    watch = createKillWatch(cp, { pollMs, log: () => undefined });
    byPoll.set(pollMs, watch);
  }
  return watch;
}

function remember<V extends { at: number }>(map: Map<string, V>, key: string, value: V): void {
  const now = value.at;
  for (const [k, v] of map) {
    if (map.size < CALL_MEMORY_MAX && now - v.at < CALL_MEMORY_MS) break;
    map.delete(k);
  }
  map.set(key, value);
}
