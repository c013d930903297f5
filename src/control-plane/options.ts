import type { AuditKeyRing } from "../engines/audit/keys.js";
import {
  defaultEvaluatorRegistry,
  type EvaluatorRegistry,
} from "../engines/evaluators/evaluator-registry.js";
import type { CompiledPolicy } from "../engines/policy/compiled-policy.js";
import { type LoadPolicyOptions, loadPolicy, type PolicySource } from "../engines/policy/load-policy.js";
import { AGENT_POLICIES, type AgentPolicy } from "../engines/router/route-proposal.js";
import {
  type ModelPriceTable,
  type ResolvedPriceTable,
  resolvePriceTable,
} from "../engines/token-budgets/price-table.js";
import { checkKnownKeys } from "../errors/unknown-keys.js";
import { ValidationError, type ValidationIssue } from "../errors/validation-error.js";
import type { Storage } from "../storage/storage.js";
import {
  type ResolvedTelemetry,
  resolveTelemetryOption,
  type TelemetryOptions,
} from "../telemetry/telemetry-options.js";
import { type Clock, type IdGenerator, systemClock } from "../types/clock.js";
import { type JsonLimits, resolveJsonLimits } from "../types/json-limits.js";
import { uuidv7 } from "../types/uuid-v7.js";

/** Options of `createControlPlane`. */
export interface ControlPlaneOptions {
  /** Where state lives: `createMemoryStorage()`, `createSqliteStorage(...)` or `createPostgresStorage(...)`. */
  readonly storage: Storage;
  /** The default policy of new sessions: a compiled policy, a file path, YAML/JSON text or a plain object. */
  readonly policy: PolicySource;
  /** Options used to load `policy` and every session's frozen policy snapshot. */
  readonly policyOptions?: LoadPolicyOptions;
  /** Evaluator implementations (default: built-ins). Also used to reload snapshots. */
  readonly evaluators?: EvaluatorRegistry;
  /**
   * How the router treats unregistered agents and missing capabilities once at least one agent is
   * registered: `enforce` (default) denies, `warn` allows and reports a warning.
   */
  readonly agentPolicy?: AgentPolicy;
  /** How long an executing proposal holds its resource lock (ms). Default 15 minutes. */
  readonly lockTtlMs?: number;
  /** Longest a session cycle may stay active, however often renewed (ms); longer is stuck. Default 1 hour. */
  readonly maxCycleMs?: number;
  /** Run one recovery pass when the control plane is created. Default true. */
  readonly recoverOnStart?: boolean;
  /** Polling interval of `waitForDecision` when no notification arrives (ms). Default 250. */
  readonly pollIntervalMs?: number;
  /** Clock (default: system time). */
  readonly clock?: Clock;
  /** Id generator (default: time-ordered UUIDv7 from `clock`). */
  readonly ids?: IdGenerator;
  /**
   * Deepest nesting accepted in caller JSON (proposal `args` and `metadata`, completion `output`, policy
   * objects); the value itself is level 1. Default 64, at most 1000.
   */
  readonly maxJsonDepth?: number;
  /**
   * Largest serialized size accepted for each caller JSON value, in characters of its JSON text. Default
   * 1,000,000. Shared references count once per place they appear, as in the serialized text.
   */
  readonly maxJsonSize?: number;
  /**
   * Keys of the verifiable audit log (`readKeyRing(file)`, or `parseKeyFile(json)`): with them the maintenance
   * loop seals a signed Merkle checkpoint of the feed whenever it grew, and `sealCheckpoint()` and
   * `exportAudit()` work. The ring's retired public keys keep checkpoints signed before a rotation valid.
   */
  readonly auditKeys?: AuditKeyRing;
  /**
   * OpenTelemetry spans and metrics, and a recorder for Prometheus (see docs/telemetry.md). Default `true`:
   * through `@opentelemetry/api` when it is installed (a no-op until the host registers an SDK); `false`: no
   * instrumentation; an object: {@link TelemetryOptions}.
   */
  readonly telemetry?: boolean | TelemetryOptions;
  /**
   * Prices per model (currency units per million tokens), used to turn a model call's tokens into a cost when
   * the caller gives none. Validated eagerly: each problem names its path (`modelPrices.gpt-4o.inputPerMillionTokens`).
   * @example { "gpt-4o": inputPerMillionTokens: "2.5", outputPerMillionTokens: "10" }
   */
  readonly modelPrices?: ModelPriceTable;
  /** How long a token reservation is held before recovery expires it and frees its room (ms). Default 15 minutes. */
  readonly tokenReservationTtlMs?: number;
}

/** The keys of {@link ControlPlaneOptions}; any other key is an error. */
export const CONTROL_PLANE_OPTION_KEYS: readonly string[] = [
  "storage",
  "policy",
  "policyOptions",
  "evaluators",
  "agentPolicy",
  "lockTtlMs",
  "maxCycleMs",
  "recoverOnStart",
  "pollIntervalMs",
  "clock",
  "ids",
  "maxJsonDepth",
  "maxJsonSize",
  "auditKeys",
  "telemetry",
  "modelPrices",
  "tokenReservationTtlMs",
];

const POLICY_OPTION_KEYS: readonly string[] = [
  "evaluators",
  "riskClassifier",
  "maxConditionDepth",
  "baseDir",
  "maxMatchLength",
  "jsonLimits",
];

/** Options after validation and defaults. */
export interface ResolvedOptions {
  readonly storage: Storage;
  readonly policy: CompiledPolicy;
  readonly policyOptions: LoadPolicyOptions;
  readonly agentPolicy: AgentPolicy;
  readonly lockTtlMs: number;
  readonly maxCycleMs: number;
  readonly recoverOnStart: boolean;
  readonly pollIntervalMs: number;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  /** Limits on caller JSON, from `maxJsonDepth` and `maxJsonSize`. */
  readonly jsonLimits: JsonLimits;
  /** Keys of the verifiable audit log; `undefined`: no checkpoints are sealed. */
  readonly auditKeys: AuditKeyRing | undefined;
  /** What the facade reports to (spans, metrics, a recorder). */
  readonly telemetry: ResolvedTelemetry;
  /** The validated `modelPrices` (micro-units per million tokens). */
  readonly modelPrices: ResolvedPriceTable;
  readonly tokenReservationTtlMs: number;
}

/**
 * Validates options eagerly; every problem names its option path.
 * @throws ValidationError listing each bad option; the policy's own problems as its ValidationError.
 */
export function resolveOptions(options: ControlPlaneOptions): ResolvedOptions {
  const issues: ValidationIssue[] = [];
  if (options === null || typeof options !== "object") {
    throw new ValidationError([{ path: "options", message: "expected an object" }], "control plane options");
  }
  checkKnownKeys(options, CONTROL_PLANE_OPTION_KEYS, "", issues);
  const po = options.policyOptions as unknown;
  if (po !== undefined) {
    if (po === null || typeof po !== "object")
      issues.push({ path: "policyOptions", message: "expected an object" });
    else checkKnownKeys(po, POLICY_OPTION_KEYS, "policyOptions.", issues);
  }
  const jsonLimits = resolveJsonLimits(options.maxJsonDepth, options.maxJsonSize, issues);
  const s = options.storage as Partial<Storage> | undefined;
  if (!s || typeof s.transaction !== "function" || typeof s.read !== "function") {
    issues.push({
      path: "storage",
      message: "expected a Storage (createMemoryStorage(), createSqliteStorage(...), ...)",
    });
  }
  if (options.policy === undefined || options.policy === null) {
    issues.push({
      path: "policy",
      message: "expected a policy (path, YAML/JSON text, object or loadPolicy result)",
    });
  }
  if (options.agentPolicy !== undefined && !AGENT_POLICIES.includes(options.agentPolicy)) {
    issues.push({
      path: "agentPolicy",
      message: `expected one of ${AGENT_POLICIES.join(", ")}`,
      received: options.agentPolicy,
    });
  }
  const positive = (value: unknown, path: string, fallback: number): number => {
    if (value === undefined) return fallback;
    if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
      issues.push({ path, message: "expected a positive number of milliseconds", received: value });
    }
    return value as number;
  };
  const lockTtlMs = positive(options.lockTtlMs, "lockTtlMs", 15 * 60_000);
  const pollIntervalMs = positive(options.pollIntervalMs, "pollIntervalMs", 250);
  const maxCycleMs = positive(options.maxCycleMs, "maxCycleMs", 60 * 60_000);
  const tokenReservationTtlMs = positive(options.tokenReservationTtlMs, "tokenReservationTtlMs", 15 * 60_000);
  const modelPrices = resolvePriceTable(options.modelPrices, "modelPrices", issues);
  if (options.recoverOnStart !== undefined && typeof options.recoverOnStart !== "boolean") {
    issues.push({ path: "recoverOnStart", message: "expected a boolean", received: options.recoverOnStart });
  }
  if (options.clock !== undefined && typeof options.clock?.now !== "function") {
    issues.push({ path: "clock", message: "expected an object with a now() method" });
  }
  if (options.ids !== undefined && typeof options.ids !== "function") {
    issues.push({ path: "ids", message: "expected a function returning unique strings" });
  }
  const keys = options.auditKeys as Partial<AuditKeyRing> | undefined;
  if (
    keys !== undefined &&
    (keys === null ||
      typeof keys.origin !== "string" ||
      typeof keys.signer?.sign !== "function" ||
      !Array.isArray(keys.publicKeys))
  ) {
    issues.push({ path: "auditKeys", message: "expected an audit key ring (readKeyRing(file))" });
  }
  const telemetry = resolveTelemetryOption(options.telemetry, issues);
  if (issues.length > 0) throw new ValidationError(issues, "control plane options");
  const clock = options.clock ?? systemClock;
  const policyOptions: LoadPolicyOptions = {
    ...options.policyOptions,
    jsonLimits,
    evaluators: options.evaluators ?? options.policyOptions?.evaluators ?? defaultEvaluatorRegistry(),
  };
  return {
    storage: options.storage,
    policy: loadPolicy(options.policy, policyOptions),
    policyOptions,
    agentPolicy: options.agentPolicy ?? "enforce",
    lockTtlMs,
    maxCycleMs,
    recoverOnStart: options.recoverOnStart ?? true,
    pollIntervalMs,
    clock,
    ids: options.ids ?? (() => uuidv7(clock.now())),
    jsonLimits,
    auditKeys: options.auditKeys,
    telemetry,
    modelPrices,
    tokenReservationTtlMs,
  };
}
