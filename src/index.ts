// Root export of agent-control-plane: explicit named exports only (no `export *`).
// The facade (createControlPlane), the memory adapter (SQLite and PostgreSQL are subpath exports), the pure
// policy functions, the types and the errors.

// The facade, the storage port and the memory adapter (SQLite and PostgreSQL are subpath exports).
export { governTool } from "./adapters/govern-tool.js";
export type {
  FromArgs,
  GovernedDecision,
  GovernedExecution,
  GovernedResult,
  GovernedTool,
  ToolCallContext,
  ToolMapping,
} from "./adapters/govern-types.js";
export type { CallOptions, CompletionInput } from "./control-plane/action-api.js";
export type { ApproveInput, DenyInput, TicketSettlement } from "./control-plane/approval-api.js";
export type { CheckpointView } from "./control-plane/audit-api.js";
export {
  type ControlPlane,
  createControlPlane,
  type HealthSnapshot,
  type OperatorCallOptions,
} from "./control-plane/create-control-plane.js";
export type { Decision } from "./control-plane/decision.js";
export { type DryRunOptions, type DryRunSession, dryRunDecide } from "./control-plane/dry-run-decide.js";
export { type DryRunDecision, dryRunDecision } from "./control-plane/dry-run-decision.js";
export type { MaintenanceHandle, MaintenanceOptions, RecoveryReport } from "./control-plane/maintenance.js";
export type { ControlPlaneOptions } from "./control-plane/options.js";
export type { OpenSessionInput } from "./control-plane/session-api.js";
export type {
  TokenBudgetStateView,
  TokenBudgetView,
  TokenReservationView,
  TokenSettlementView,
  TokenUsageInput,
  TokenUsageSummaryView,
} from "./control-plane/token-budget-api.js";
export type {
  ProposalView,
  SessionRiskView,
  SessionView,
  TicketRequestView,
  TicketView,
} from "./control-plane/views.js";
export type { WaitResult } from "./control-plane/wait-for-decision.js";
export type { AgentInput } from "./engines/agents/agent-registry.js";
// Engine internals (budget reservation, locks, ticket decisions, kill switches, idempotency records, session
// transitions, recovery steps) are not exported: they write storage without the facade's checks, so a host
// reaches them only through `createControlPlane`. The pure decision functions below need no storage.
export type { ApprovalScopeInput } from "./engines/approvals/approval-scope.js";
export type { VerifyAuditQuery } from "./engines/audit/audit-verifier.js";
export {
  AUDIT_PROBLEM_KINDS,
  type AuditBundle,
  type AuditKeyFile,
  type AuditKeyRing,
  type AuditProblem,
  type AuditProblemKind,
  type AuditPublicKey,
  type AuditReport,
  type BundleVerification,
  generateKeyFile,
  parseKeyFile,
  readKeyRing,
  rotateKeyFile,
  verifyAuditBundle,
  verifyCheckpoints,
} from "./engines/audit/index.js";
export type { BudgetView } from "./engines/budgets/budget-tracker.js";
export {
  createEvaluatorRegistry,
  defaultEvaluatorRegistry,
  type Evaluator,
  type EvaluatorContext,
  type EvaluatorRegistry,
  type EvaluatorResult,
  type EvaluatorRunResult,
  type EvaluatorTask,
  listEvaluator,
  loadEvaluatorPlugins,
  type ParallelEvaluation,
  regexEvaluator,
} from "./engines/evaluators/index.js";
export type { KillResult, KillTarget } from "./engines/kill-switch/kill-switch.js";
export {
  allowedModels,
  checkModelAccess,
  classifyModelTier,
  type ModelAccessResult,
  type ModelCaller,
} from "./engines/model-governor/index.js";
export type { CompiledApprovals, EscalationStep } from "./engines/policy/compiled-policy.js";
export {
  type CompiledPolicy,
  classifyRisk,
  evaluatePolicy,
  isCompiledPolicy,
  type LoadPolicyOptions,
  loadPolicy,
  loadPolicyText,
  type PolicySource,
  policyJsonSchema,
  type RiskClassifier,
} from "./engines/policy/index.js";
export { type AgentPolicy, parseProposal, type RouteContext, routeProposal } from "./engines/router/index.js";
export {
  assessSessionRisk,
  matchesPattern,
  type SessionRiskAssessment,
} from "./engines/session-risk/index.js";
export type { TokenBudgetInput, TokenIdentityInput } from "./engines/token-budgets/parse-budget-config.js";
export type { ModelPriceInput, ModelPriceTable } from "./engines/token-budgets/price-table.js";
export {
  ControlPlaneError,
  ERROR_CODES,
  type ErrorCode,
  HTTP_STATUS_BY_CODE,
  InvalidTransitionError,
  NotFoundError,
  StorageError,
  ValidationError,
  type ValidationIssue,
} from "./errors/index.js";
export { createMemoryStorage } from "./storage/memory/memory-storage.js";
export type {
  ApiTokenStore,
  ChangeNotice,
  CheckpointStore,
  DeliverySettlement,
  DeliveryStatus,
  IdempotencyRecord,
  NewOutboxDelivery,
  OutboxDelivery,
  OutboxStore,
  PolicySnapshotRecord,
  SessionRiskRecord,
  SessionRiskStore,
  Storage,
  StorageTx,
  StoredApiToken,
  StoredCheckpoint,
  ToolPin,
  ToolPinStore,
  TransactionOptions,
} from "./storage/storage.js";
// Telemetry: OpenTelemetry through the optional peer @opentelemetry/api (loaded on demand), and the recorder
// that feeds Prometheus (`createHttpApp({ metrics })`).
export { SPAN_NAMES } from "./telemetry/instrument-control-plane.js";
export { OTEL_METRICS } from "./telemetry/otel-metrics.js";
export type { TelemetryOptions } from "./telemetry/telemetry-options.js";
export {
  type CompletionSample,
  createTelemetryRecorder,
  DECISION_SECONDS_BUCKETS,
  type DecisionSample,
  type TelemetryRecorder,
  type TelemetrySink,
} from "./telemetry/telemetry-recorder.js";
export {
  TOOL_TYPES,
  type ToolSpan,
  type ToolSpanInfo,
  type ToolType,
  withToolSpan,
} from "./telemetry/tool-span.js";
export type { AgentRecord, DelegationRecord } from "./types/agent.js";
export type { Clock, IdGenerator } from "./types/clock.js";
export {
  ACTION_MODES,
  type ActionMode,
  CONDITION_KINDS,
  type ConditionKind,
  type ConditionNode,
  DEFAULT_MAX_CONDITION_DEPTH,
  FIELD_OPERATORS,
  type FieldOperator,
  RISK_OPERATORS,
  type RiskOperator,
} from "./types/condition.js";
export {
  DECISION_CODES,
  type DecisionCode,
  OUTCOMES,
  type Outcome,
  type ResolutionStep,
  type RoutingDecision,
  type SteeringContext,
  type TraceEntry,
} from "./types/decision.js";
export { EVENT_KINDS, type EventKind, type EventRecord } from "./types/event.js";
export type { JsonObject, JsonValue } from "./types/json.js";
export { KILL_SCOPES, type KillScope, type KillSwitchRecord } from "./types/kill-switch.js";
export type { LeaseRecord } from "./types/lease.js";
export type { ModelCall, ModelCallInput, ModelIdentityInput } from "./types/model-call.js";
export {
  MODEL_ACTION_TIERS,
  MODEL_TIERS,
  type ModelActionTier,
  type ModelsPolicy,
  type ModelTier,
} from "./types/model-governance.js";
export { formatMicros, MICROS_PER_UNIT, microsToUnits, toMicros } from "./types/money.js";
export {
  ASSET_SCOPES,
  type AssetScope,
  type Duration,
  EXECUTION_MODES,
  type ExecutionMode,
  type PolicyDocument,
  type PolicyInput,
  parseDuration,
  RISK_CLASSIFIERS,
  UNLISTED_MODES,
  type UnlistedMode,
} from "./types/policy.js";
export { normalizeAction, type Proposal, type ProposalInput } from "./types/proposal.js";
export type { ProposalRecord } from "./types/proposal-record.js";
export { PROPOSAL_STATUSES, type ProposalStatus } from "./types/proposal-record.js";
export { isRiskLevel, RISK_LEVELS, RISK_RANK, type RiskLevel } from "./types/risk.js";
export type { SessionRecord } from "./types/session.js";
export { SESSION_STATUSES, type SessionStatus } from "./types/session.js";
export {
  EMPTY_SESSION_RISK,
  type RiskPattern,
  type SessionRiskPolicy,
  type SessionRiskState,
} from "./types/session-risk.js";
export type { ApprovalScope, TicketRecord, TicketRequest } from "./types/ticket.js";
export { TICKET_STATUSES, type TicketStatus } from "./types/ticket.js";
export { ACTION_TIERS, type ActionTier } from "./types/tier.js";
export { TOKEN_BUDGET_PERIODS, type TokenBudgetPeriod } from "./types/token-budget.js";
export { uuidv7 } from "./types/uuid-v7.js";
