import type { CompiledPolicy } from "../engines/policy/compiled-policy.js";
import { parseProposal } from "../engines/router/parse-proposal.js";
import type { AgentPolicy } from "../engines/router/route-proposal.js";
import { assessSessionRisk, riskHistoryLength } from "../engines/session-risk/assess-session-risk.js";
import { EXECUTABLE_STATUSES } from "../engines/sessions/session-transitions.js";
import { ValidationError, type ValidationIssue } from "../errors/validation-error.js";
import type { AgentRecord } from "../types/agent.js";
import type { TraceEntry } from "../types/decision.js";
import { collectMicros, formatMicros } from "../types/money.js";
import { normalizeAction } from "../types/proposal.js";
import type { RiskLevel } from "../types/risk.js";
import { SESSION_STATUSES, type SessionStatus } from "../types/session.js";
import { DRY_RUN_SESSION_ID, type DryRunDecision, dryRunDecision } from "./dry-run-decision.js";

/**
 * An imagined session for {@link dryRunDecide}: its state and budget. Omitted fields mean "a fresh session":
 * status `created`, unlimited budget, nothing used.
 */
export interface DryRunSession {
  readonly status?: SessionStatus;
  readonly agentId?: string | null;
  /** Budget limits and usage in currency units (number or decimal string); `null`/omitted limit: unlimited. */
  readonly maxCost?: number | string | null;
  readonly usedCost?: number | string;
  readonly maxActions?: number | null;
  readonly usedActions?: number;
  /** The session's accumulated risk score (policy `sessionRisk`); default 0. */
  readonly riskScore?: number;
  /** The session's previous actions, oldest first (for `sessionRisk.patterns`); default none. */
  readonly recentActions?: readonly string[];
}

/** Options of {@link dryRunDecide}. */
export interface DryRunOptions {
  readonly session?: DryRunSession;
  /** The proposing agent's record; `null`: a registry exists and the agent is not in it; omitted: no check. */
  readonly agent?: AgentRecord | null;
  readonly agentPolicy?: AgentPolicy;
}

const SESSION_KEYS = [
  "status",
  "agentId",
  "maxCost",
  "usedCost",
  "maxActions",
  "usedActions",
  "riskScore",
  "recentActions",
];

function parseSession(s: DryRunSession | undefined) {
  const issues: ValidationIssue[] = [];
  const raw = (s ?? {}) as Record<string, unknown>;
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new ValidationError([{ path: "session", message: "expected an object" }], "dry-run session");
  }
  for (const key of Object.keys(raw)) {
    if (!SESSION_KEYS.includes(key)) issues.push({ path: `session.${key}`, message: "unknown key" });
  }
  const status = raw.status ?? "created";
  if (!(SESSION_STATUSES as readonly unknown[]).includes(status)) {
    issues.push({ path: "session.status", message: `expected ${SESSION_STATUSES.join("|")}` });
  }
  const count = (value: unknown, path: string, fallback: number | null) => {
    if (value === undefined || value === null) return fallback;
    if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 0) {
      issues.push({ path, message: "expected a non-negative integer" });
      return fallback;
    }
    return value;
  };
  const maxCost =
    raw.maxCost === undefined || raw.maxCost === null
      ? null
      : collectMicros(raw.maxCost, "session.maxCost", issues);
  const usedCost =
    raw.usedCost === undefined ? 0 : (collectMicros(raw.usedCost, "session.usedCost", issues) ?? 0);
  const maxActions = count(raw.maxActions, "session.maxActions", null);
  const usedActions = count(raw.usedActions, "session.usedActions", 0) ?? 0;
  const riskScore = raw.riskScore ?? 0;
  if (typeof riskScore !== "number" || !Number.isFinite(riskScore) || riskScore < 0) {
    issues.push({ path: "session.riskScore", message: "expected a non-negative number" });
  }
  const recent = raw.recentActions ?? [];
  if (!Array.isArray(recent))
    issues.push({ path: "session.recentActions", message: "expected a list of action names" });
  else {
    recent.forEach((a: unknown, i) => {
      if (typeof a !== "string" || a.trim() === "") {
        issues.push({ path: `session.recentActions[${i}]`, message: "expected a non-empty string" });
      }
    });
  }
  if (issues.length > 0) throw new ValidationError(issues, "dry-run session");
  const recentActions = (recent as string[]).map(normalizeAction);
  return {
    status: status as SessionStatus,
    maxCost,
    usedCost,
    maxActions,
    usedActions,
    riskScore: riskScore as number,
    recentActions,
  };
}

/**
 * {@link dryRunDecision} in an imagined session: the decision a proposal would get, with no storage and no side
 * effect — the session state check first, then the pure decision core (agent identity when `agent` is given,
 * policy risk and tier, condition trees, the policy's evaluators), then the budget check against the imagined
 * session's limits (as `propose` does, also before asking a human). Stateful steps that depend on other
 * records (kill switches, approval scopes, resource locks, retries of approved proposals) are not simulated;
 * the session risk (policy `sessionRisk`) is assessed from the imagined `riskScore` and `recentActions`;
 * the trace's first entry `dry_run` says so. Used by `POST /v1/policies/test`.
 * @throws ValidationError for a malformed proposal (`sessionId` may be omitted) or session (`session.*` paths).
 * @example
 * const d = await dryRunDecide(loadPolicy("examples/policy.yaml"), { action: "deploy", cost: "5" }, {
 *   session: { maxCost: "10", usedCost: "9" },
 * });
 * d.code; // "budget_exhausted"
 */
export async function dryRunDecide(
  policy: CompiledPolicy,
  input: Readonly<Record<string, unknown>>,
  options: DryRunOptions = {},
): Promise<DryRunDecision> {
  const proposal = parseProposal({ sessionId: DRY_RUN_SESSION_ID, ...input });
  const session = parseSession(options.session);
  const trace: TraceEntry[] = [
    { step: "dry_run", result: "no kill switch, approval scope or lock simulated" },
  ];
  if (!EXECUTABLE_STATUSES.includes(session.status)) {
    const reason = `session is ${session.status}: no proposal is executable`;
    const risk = policy.internals.assessRisk(proposal);
    trace.push({ step: "session", result: "session_not_executable", detail: reason }, risk);
    return {
      outcome: "denied",
      code: "session_not_executable",
      reason,
      riskLevel: risk.result as RiskLevel,
      tier: "blocked",
      trace,
      warnings: [],
    };
  }
  trace.push({ step: "session", result: "ok" });
  const riskPolicy = policy.internals.sessionRisk;
  const sessionRisk =
    riskPolicy &&
    assessSessionRisk(
      riskPolicy,
      {
        score: session.riskScore,
        actionCount: session.recentActions.length,
        recentActions: session.recentActions.slice(-riskHistoryLength(riskPolicy)),
        detectedPatterns: [],
        level: "low",
      },
      proposal.action,
      policy.internals.assessRisk(proposal).result,
    );
  const core = await dryRunDecision(policy, input, {
    ...(sessionRisk === undefined ? {} : { sessionRisk }),
    ...(options.agent === undefined ? {} : { agent: options.agent }),
    ...(options.agentPolicy === undefined ? {} : { agentPolicy: options.agentPolicy }),
  });
  trace.push(...core.trace);
  if (core.outcome === "allowed" || core.outcome === "pending_approval") {
    const overActions = session.maxActions !== null && session.usedActions + 1 > session.maxActions;
    const overCost = session.maxCost !== null && session.usedCost + proposal.costMicros > session.maxCost;
    if (overActions || overCost) {
      const reason = overActions
        ? `budget exhausted: all ${session.maxActions} actions of the session are used`
        : `budget exhausted: cost ${formatMicros(session.usedCost)} used + ${formatMicros(proposal.costMicros)} would exceed ${formatMicros(session.maxCost ?? 0)}`;
      trace.push({ step: "budget", result: "budget_exhausted", detail: reason });
      return { ...core, outcome: "denied", code: "budget_exhausted", reason, trace };
    }
    trace.push({ step: "budget", result: "ok" });
  }
  return { ...core, trace };
}
