import type { LanguageModelMiddleware } from "ai";
import type { ControlPlane } from "../../control-plane/control-plane.js";
import type { Decision } from "../../control-plane/decision.js";
import { ValidationError, type ValidationIssue } from "../../errors/validation-error.js";
import type { ModelIdentityInput } from "../../types/model-call.js";
import type { ProposalInput } from "../../types/proposal.js";
import { GovernanceRefusal } from "./governance-refusal.js";

type WrapGenerate = NonNullable<LanguageModelMiddleware["wrapGenerate"]>;
type CallParams = Parameters<WrapGenerate>[0]["params"];
type Usage = Awaited<ReturnType<WrapGenerate>>["usage"];

/** The estimate a model call reserves against the token budgets. */
export interface ModelCallEstimate {
  readonly inputTokens: number;
  readonly outputTokens: number;
  /** Estimated cost in currency units; absent: the control plane's price table prices the tokens. */
  readonly cost?: number | string | undefined;
}

/**
 * Options of {@link governModelCalls}.
 * @example { sessionId: session.id, agentId: "support-bot", identity: { orgId: "acme" } }
 */
export interface GovernModelCallsOptions {
  /** The control-plane session the calls are proposed in (or a function returning it per call). */
  readonly sessionId: string | (() => string | Promise<string>);
  readonly agentId?: string | undefined;
  /** The action name of a model call in the policy (default `model_call`). */
  readonly action?: string | undefined;
  /** Who the call is billed to (token budgets match on it). */
  readonly identity?: ModelIdentityInput | undefined;
  /** The estimate (default: prompt characters / 4 in, `maxOutputTokens` or `defaultOutputTokens` out). */
  readonly estimate?: ((params: CallParams) => ModelCallEstimate) | undefined;
  /** Output tokens reserved when the call sets no `maxOutputTokens` (default 1024). */
  readonly defaultOutputTokens?: number | undefined;
  /** How long a call waits for an operator when its proposal needs approval (default 0: refuse at once). */
  readonly approvalWaitMs?: number | undefined;
}

function checkOptions(options: GovernModelCallsOptions): void {
  const issues: ValidationIssue[] = [];
  const { sessionId, action, defaultOutputTokens, approvalWaitMs } = options;
  if (typeof sessionId !== "function" && (typeof sessionId !== "string" || sessionId.trim() === ""))
    issues.push({ path: "sessionId", message: "required: a session id or a function returning one" });
  if (action !== undefined && (typeof action !== "string" || action.trim() === ""))
    issues.push({ path: "action", message: "expected a non-empty action name" });
  for (const [path, value] of [
    ["defaultOutputTokens", defaultOutputTokens],
    ["approvalWaitMs", approvalWaitMs],
  ] as const)
    if (value !== undefined && !(Number.isSafeInteger(value) && value >= 0))
      issues.push({ path, message: "expected a non-negative integer" });
  if (issues.length > 0) throw new ValidationError(issues, "governModelCalls options");
}

function defaultEstimate(params: CallParams, defaultOutputTokens: number): ModelCallEstimate {
  return {
    inputTokens: Math.ceil(JSON.stringify(params.prompt).length / 4),
    outputTokens: params.maxOutputTokens ?? defaultOutputTokens,
  };
}

function refusal(decision: Decision): GovernanceRefusal {
  const pending = decision.outcome === "pending_approval";
  return new GovernanceRefusal({
    status: pending ? "pending_approval" : "refused",
    code: decision.code,
    reason: decision.reason,
    message: pending
      ? `Model call waits for an operator's approval (ticket ${decision.ticketId}): ${decision.reason}`
      : `Model call refused by the control plane (${decision.code}): ${decision.reason}`,
    proposalId: decision.proposalId,
    ticketId: pending ? decision.ticketId : undefined,
  });
}

function usageOutput(usage: Usage | undefined) {
  return { inputTokens: usage?.inputTokens.total ?? null, outputTokens: usage?.outputTokens.total ?? null };
}

/**
 * A `wrapLanguageModel` middleware that proposes every model call to the control plane before it is made
 * (`ProposalInput.model`: model id, identity, estimated tokens), makes it only when allowed, and completes the
 * proposal with the tokens used. A denied call (budget, kill switch, blocked model action) throws a
 * {@link GovernanceRefusal} instead of calling the model. A stream is completed when it ends.
 * @throws ValidationError naming the bad option.
 * @example
 * const model = wrapLanguageModel({ model: openai("gpt-4o"), middleware: governModelCalls(cp, { sessionId: session.id }) });
 */
export function governModelCalls(
  cp: ControlPlane,
  options: GovernModelCallsOptions,
): LanguageModelMiddleware {
  checkOptions(options);
  const action = options.action ?? "model_call";
  const outputTokens = options.defaultOutputTokens ?? 1024;
  const waitMs = options.approvalWaitMs ?? 0;

  const decide = async (params: CallParams, modelId: string, provider: string): Promise<Decision> => {
    const estimate = options.estimate?.(params) ?? defaultEstimate(params, outputTokens);
    const sessionId = typeof options.sessionId === "function" ? await options.sessionId() : options.sessionId;
    const input: ProposalInput = {
      sessionId,
      agentId: options.agentId,
      action,
      metadata: { provider },
      model: { model: modelId, identity: options.identity, ...estimate },
    };
    let decision = await cp.propose(input);
    if (decision.outcome === "pending_approval" && waitMs > 0) {
      const signal = params.abortSignal;
      await cp.waitForDecision(decision.ticketId, { timeoutMs: waitMs, ...(signal ? { signal } : {}) });
      decision = await cp.propose(input);
    }
    if (decision.outcome !== "allowed") throw refusal(decision);
    return decision;
  };

  return {
    specificationVersion: "v3",
    async wrapGenerate({ doGenerate, params, model }) {
      const { proposalId } = await decide(params, model.modelId, model.provider);
      let result: Awaited<ReturnType<typeof doGenerate>>;
      try {
        result = await doGenerate();
      } catch (error) {
        await cp.complete(proposalId, { ok: false, error: String(error) });
        throw error;
      }
      await cp.complete(proposalId, { ok: true, output: usageOutput(result.usage) });
      return result;
    },
    async wrapStream({ doStream, params, model }) {
      const { proposalId } = await decide(params, model.modelId, model.provider);
      let result: Awaited<ReturnType<typeof doStream>>;
      try {
        result = await doStream();
      } catch (error) {
        await cp.complete(proposalId, { ok: false, error: String(error) });
        throw error;
      }
      let usage: Usage | undefined;
      let failure: string | undefined;
      const settle = new TransformStream<typeof result.stream extends ReadableStream<infer P> ? P : never>({
        transform(part, controller) {
          if (part.type === "finish") usage = part.usage;
          if (part.type === "error") failure = String(part.error);
          controller.enqueue(part);
        },
        async flush() {
          await cp.complete(
            proposalId,
            failure === undefined ? { ok: true, output: usageOutput(usage) } : { ok: false, error: failure },
          );
        },
      });
      return { ...result, stream: result.stream.pipeThrough(settle) };
    },
  };
}
