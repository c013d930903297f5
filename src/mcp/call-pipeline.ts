import { type CallToolResult, ProtocolError } from "@modelcontextprotocol/server";
import type { ControlPlane } from "../control-plane/control-plane.js";
import type { Decision } from "../control-plane/decision.js";
import { guardExecution } from "../control-plane/execution-guard.js";
import { type KillWatch, markOutcomeUnknown } from "../control-plane/kill-watch.js";
import { ValidationError } from "../errors/validation-error.js";
import { withToolSpan } from "../telemetry/tool-span.js";
import type { JsonObject } from "../types/json.js";
import type { ProposalInput } from "../types/proposal.js";
import type { CompletionQueue } from "./call-completions.js";
import { invalidParams, proposalFor } from "./call-proposal.js";
import {
  badArgumentsResult,
  DECISION_META_KEY,
  decisionMeta,
  errorResult,
  heldResult,
  pendingResult,
  refusedResult,
  unmappedResult,
} from "./call-results.js";
import type { RoutedTool } from "./gateway-routes.js";
import type { McpConfig } from "./types.js";
import { type Upstream, UpstreamUnavailableError } from "./upstream.js";

/** What the call pipeline needs of the gateway. */
export interface CallEnv {
  readonly cp: ControlPlane;
  readonly config: McpConfig;
  readonly upstreams: ReadonlyMap<string, Upstream>;
  /** Stops the forwarded calls a kill switch covers. */
  readonly killWatch: KillWatch;
  readonly log: (line: string) => void;
  /** Longest wait for an upstream's answer (reset by progress). */
  readonly callTimeoutMs: number;
  /** Whether sessions have a budget (each decision then waits for the earlier calls' outcomes). */
  readonly budgeted: boolean;
  /** Outcomes being recorded after the answer went out. */
  readonly completions: CompletionQueue;
  /** Shows a held tool's definition to the pin store again: `false` once an operator accepted it. */
  readonly stillHeld: (routed: RoutedTool) => Promise<boolean>;
}

/** Who calls: the agent, its control-plane session (opened on first use) and, optionally, user elicitation. */
export interface Caller {
  readonly agentId: string;
  session(): Promise<string>;
  /** Asks the client's user to approve (only offered when the client supports elicitation). */
  readonly askUser?: (message: string, signal: AbortSignal) => Promise<boolean | undefined>;
}

/** One `tools/call` request as the pipeline sees it. */
export interface CallRequest {
  readonly args: JsonObject;
  /** Aborted when the client cancels (`notifications/cancelled`) or disconnects. */
  readonly signal: AbortSignal;
  readonly onProgress?: (progress: { progress: number; total?: number; message?: string }) => void;
}

/**
 * Governs one `tools/call`: held and unmapped tools are refused; otherwise the call is proposed, a pending
 * approval is waited for (up to `approvalWaitMs`), and only an allowed call is forwarded upstream and completed.
 * Every refusal is an `isError` result with the decision in `_meta`.
 * @throws ProtocolError -32602 for unusable arguments; -32603 when the control plane fails.
 */
export async function runToolCall(
  env: CallEnv,
  caller: Caller,
  routed: RoutedTool,
  request: CallRequest,
): Promise<CallToolResult> {
  const { route } = routed;
  if (routed.held && (await env.stillHeld(routed)))
    return heldResult(route.exposedName, route.server, route.upstreamName);
  const mapping = route.mapping;
  if (!mapping) return unmappedResult(route.exposedName);
  const sessionId = await caller.session();
  // One `execute_tool` span per governed call: its decision and approval wait are child spans.
  const info = {
    toolName: route.exposedName,
    sessionId,
    agentId: caller.agentId,
    type: "extension",
  } as const;
  return withToolSpan(info, async (span) => {
    // The outcomes of the session's earlier calls are recorded first where they matter to this decision: a
    // resource lock they may hold, a budget they settle. Otherwise their commits overlap this call's.
    if (env.budgeted || mapping.resource !== undefined) await env.completions.settled(sessionId);
    const input = proposalFor(routed, mapping, request.args, { sessionId, agentId: caller.agentId });
    if ("refused" in input) return badArgumentsResult(route.exposedName, input.refused);
    let decision = await propose(env.cp, input);
    span.setDecision(decision);
    if (decision.outcome === "pending_approval") {
      const settled = await settleApproval(env, caller, routed, input, decision, request.signal);
      if ("content" in settled) return settled;
      decision = settled;
      span.setDecision(decision);
    }
    if (decision.outcome !== "allowed") return refusedResult(route.exposedName, decision);
    const result = await forward(env, caller, routed, input, decision, request);
    if (result.isError === true) span.fail(new ToolCallError(firstText(result) ?? "the tool call failed"));
    return result;
  });
}

/** The error an `execute_tool` span records when a forwarded call ends as an error result. */
class ToolCallError extends Error {
  readonly code = "tool_error";
}

async function propose(cp: ControlPlane, input: ProposalInput): Promise<Decision> {
  try {
    return await cp.propose(input);
  } catch (error) {
    if (error instanceof ValidationError) throw invalidParams(`tools/call refused: ${error.message}`);
    throw error;
  }
}

/**
 * Waits for the ticket (asking the user first where the map allows it). Approved: the identical proposal is
 * proposed again and claims the approval (no second ticket). Denied or expired: a refusal. Still pending: the
 * "retry the same call" result.
 */
async function settleApproval(
  env: CallEnv,
  caller: Caller,
  routed: RoutedTool,
  input: ProposalInput,
  pending: Decision & { ticketId: string },
  signal: AbortSignal,
): Promise<Decision | CallToolResult> {
  const tool = routed.route.exposedName;
  if (routed.route.mapping?.userMayApprove && caller.askUser) {
    const message = `Allow ${tool}? ${pending.reason} (ticket ${pending.ticketId})`;
    const answer = await caller.askUser(message, signal).catch(() => undefined);
    const by = `mcp-user:${caller.agentId}`;
    if (answer === true)
      await env.cp
        .approve(pending.ticketId, { decidedBy: by, reason: "approved by the client's user" })
        .catch(() => undefined);
    if (answer === false)
      await env.cp
        .deny(pending.ticketId, { decidedBy: by, reason: "denied by the client's user" })
        .catch(() => undefined);
  }
  const waited = await env.cp
    .waitForDecision(pending.ticketId, { timeoutMs: env.config.approvalWaitMs, signal })
    .catch((error: unknown) => {
      if (signal.aborted) return undefined;
      throw error;
    });
  if (!waited || waited.timedOut) return pendingResult(tool, pending);
  if (waited.status === "approved") return propose(env.cp, input);
  const { ticket } = waited;
  const code = waited.status === "denied" ? "approval_denied" : "approval_expired";
  const why = ticket.reason ? `: ${ticket.reason}` : "";
  return errorResult(
    `${tool} refused by the control plane [${code}]: ticket ${ticket.id} was ${waited.status}` +
      `${ticket.decidedBy ? ` by ${ticket.decidedBy}` : ""}${why}. Do not retry the same call.`,
    { [DECISION_META_KEY]: { ...decisionMeta(pending), outcome: "denied", code, reason: ticket.reason } },
  );
}

/** Forwards an allowed call, heartbeating its lease, and records its outcome. */
async function forward(
  env: CallEnv,
  caller: Caller,
  routed: RoutedTool,
  input: ProposalInput,
  decision: Decision,
  request: CallRequest,
): Promise<CallToolResult> {
  const { cp } = env;
  const { route } = routed;
  const proposalId = decision.proposalId;
  const guard = guardExecution(cp, {
    proposalId,
    sessionId: input.sessionId,
    agentId: caller.agentId,
    watch: env.killWatch,
    heartbeatMs: env.config.heartbeatMs,
    cancel: request.signal,
    cancelReason: "cancelled by the client before it was forwarded",
    onHeartbeatError: (error) => env.log(`heartbeat ${proposalId}: ${text(error)}`),
  });
  const killed = () => (request.signal.aborted ? undefined : guard.stopped());
  const meta = { [DECISION_META_KEY]: decisionMeta(decision) };
  try {
    const why = guard.stopped();
    if (why !== undefined) {
      // Cancelled (or killed) while it was being decided: never dispatched, so nothing happened upstream.
      await cp.complete(proposalId, { ok: false, error: why });
      return errorResult(`${route.exposedName}: ${why}. It was not run.`, meta);
    }
    const upstream = env.upstreams.get(route.server);
    if (!upstream?.connected) throw new UpstreamUnavailableError(route.server);
    const result = await upstream.callTool(route.upstreamName, input.args ?? {}, {
      signal: guard.signal,
      timeoutMs: env.callTimeoutMs,
      ...(request.onProgress ? { onProgress: request.onProgress } : {}),
    });
    const failed = result.isError === true;
    const recording = cp
      .complete(proposalId, {
        ok: !failed,
        ...(input.cost === undefined ? {} : { cost: input.cost }),
        ...(failed ? { error: firstText(result) ?? "the upstream tool reported an error" } : {}),
      })
      .then(
        () => undefined,
        (e: unknown) => env.log(`complete ${proposalId}: ${text(e)}`),
      );
    env.completions.add(input.sessionId, recording);
    return { ...result, _meta: { ...result._meta, ...meta } };
  } catch (error) {
    if (error instanceof UpstreamUnavailableError) {
      // Never dispatched: nothing happened upstream, so the call failed.
      await cp.complete(proposalId, { ok: false, error: error.message });
      return errorResult(`${route.exposedName} failed: ${error.message}. Retry in a moment.`, meta);
    }
    const stoppedBy = killed();
    if (stoppedBy !== undefined || request.signal.aborted || !(error instanceof ProtocolError)) {
      // Dispatched, then cancelled or lost: the side effect may or may not have happened.
      await markOutcomeUnknown(cp, proposalId).catch((e: unknown) =>
        env.log(`outcome_unknown ${proposalId}: ${text(e)}`),
      );
      const why =
        stoppedBy !== undefined
          ? `stopped by a kill switch (${stoppedBy}); the call was cancelled upstream`
          : request.signal.aborted
            ? "cancelled by the client"
            : `lost contact with upstream "${route.server}" (${text(error)})`;
      return errorResult(`${route.exposedName}: ${why}. Its outcome is unknown.`, meta);
    }
    // The upstream answered with a JSON-RPC error: the call failed.
    await cp.complete(proposalId, { ok: false, error: error.message });
    return errorResult(`${route.exposedName} failed upstream: ${error.message}`, meta);
  } finally {
    guard.release();
  }
}

function firstText(result: CallToolResult): string | undefined {
  for (const block of result.content ?? []) if (block.type === "text") return block.text.slice(0, 1000);
  return undefined;
}

function text(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
