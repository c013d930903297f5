import type { SteeringContext, TraceEntry } from "../../types/decision.js";
import type { ModelsPolicy } from "../../types/model-governance.js";
import type { ApprovalTimeoutMode, ExecutionMode, PolicyDocument, UnlistedMode } from "../../types/policy.js";
import type { Proposal } from "../../types/proposal.js";
import type { RiskLevel } from "../../types/risk.js";
import type { SessionRiskPolicy } from "../../types/session-risk.js";
import type { CompiledCondition, EvaluatorBinding } from "../conditions/compile-condition.js";
import type { Redactor } from "./redact-fields.js";
import type { RiskAssessor } from "./risk-classifier.js";

/** Which list an action resolved to (after precedence). */
export type ActionListKind = "blocked" | "steer" | "alwaysApprove" | "autoApprove" | "unrestricted";

/**
 * The pre-built parts the decision functions use on the hot path. Not a stable API: read `document` instead.
 * @internal
 */
export interface PolicyInternals {
  readonly actionKinds: ReadonlyMap<string, ActionListKind>;
  readonly unlisted: UnlistedMode;
  readonly assessRisk: RiskAssessor;
  readonly assetMatches: (proposal: Proposal) => boolean;
  readonly matchedOnly: boolean;
  readonly autoApproveWhen: CompiledCondition | undefined;
  /** Flat auto-approve check by risk rank (index = RISK_RANK). */
  readonly flatAutoApprove: readonly boolean[];
  /** Trace entry of the flat check by risk rank. */
  readonly flatAutoTrace: readonly TraceEntry[];
  readonly maxRisk: RiskLevel;
  readonly steering: ReadonlyMap<string, SteeringContext>;
  readonly evaluators: readonly EvaluatorBinding[];
  /** Replaces the policy's `redact` fields before a proposal is stored; `undefined` when there are none. */
  readonly redact: Redactor | undefined;
  /** The model governor (`models` section); `undefined`: every model is allowed. */
  readonly models: ModelsPolicy | undefined;
  /** Session risk accumulation (`sessionRisk` section); `undefined`: off. */
  readonly sessionRisk: SessionRiskPolicy | undefined;
}

/** One step of an approval escalation chain: the approver group it moves to and how long it waits there. */
export interface EscalationStep {
  readonly to: string;
  readonly timeoutMs: number;
}

/** The approval settings of a compiled policy. */
export interface CompiledApprovals {
  /** How long a ticket waits at its first step. */
  readonly timeoutMs: number;
  readonly onTimeout: ApprovalTimeoutMode;
  /** The first approver group, if named. */
  readonly group: string | null;
  /** Steps taken, in order, when `onTimeout` is `escalate`; after the last one the ticket expires. */
  readonly escalation: readonly EscalationStep[];
  /**
   * Whether `approve`/`deny` may be decided by the proposal's acting agent or the session's owner
   * (`approvals.allowSelfApproval`, default false: such a decision is refused with `self_approval`).
   */
  readonly allowSelfApproval: boolean;
}

/**
 * An immutable, compiled policy, produced by `loadPolicy`. `document` is the normalised JSON document; feeding it
 * back to `loadPolicy` yields a policy with the same `id` (this is how sessions persist their snapshot).
 */
export interface CompiledPolicy {
  /** First 32 hex digits of the SHA-256 of the canonical JSON of `document`. */
  readonly id: string;
  readonly document: PolicyDocument;
  readonly executionMode: ExecutionMode;
  readonly approvals: CompiledApprovals;
  /** @internal */
  readonly internals: PolicyInternals;
}

const compiled = new WeakSet<object>();

/** Marks an object as a compiled policy (done once by the compiler). @internal */
export function markCompiled(policy: CompiledPolicy): CompiledPolicy {
  compiled.add(policy);
  return policy;
}

/** True when `value` was produced by `loadPolicy` (a plain object with the same keys is not). */
export function isCompiledPolicy(value: unknown): value is CompiledPolicy {
  return typeof value === "object" && value !== null && compiled.has(value);
}
