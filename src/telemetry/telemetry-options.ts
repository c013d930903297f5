import { checkKnownKeys } from "../errors/unknown-keys.js";
import type { ValidationIssue } from "../errors/validation-error.js";
import type { TelemetryRecorder } from "./telemetry-recorder.js";

/** The `telemetry` option of `createControlPlane`. */
export interface TelemetryOptions {
  /**
   * Spans (`acp.propose`, `acp.complete`, `acp.approval_wait`) and metrics (meter `agent-control-plane`) through
   * `@opentelemetry/api` when it is installed. Default `true`; without an SDK registered they are no-ops.
   */
  readonly openTelemetry?: boolean;
  /** Also report each decision and completion here (for example to serve them at `GET /metrics`). */
  readonly recorder?: TelemetryRecorder;
}

/** The keys of {@link TelemetryOptions}. */
export const TELEMETRY_OPTION_KEYS: readonly string[] = ["openTelemetry", "recorder"];

/** {@link TelemetryOptions} after defaults; `undefined` fields are off. */
export interface ResolvedTelemetry {
  readonly openTelemetry: boolean;
  readonly recorder: TelemetryRecorder | undefined;
}

/**
 * Checks and resolves the `telemetry` option: `undefined` or `true` ⇒ OpenTelemetry on (when the API is
 * installed), `false` ⇒ no instrumentation at all, an object ⇒ {@link TelemetryOptions}. Each problem is
 * pushed to `issues` with its path (`telemetry.recorder`, ...).
 */
export function resolveTelemetryOption(value: unknown, issues: ValidationIssue[]): ResolvedTelemetry {
  if (value === undefined || value === true) return { openTelemetry: true, recorder: undefined };
  if (value === false) return { openTelemetry: false, recorder: undefined };
  if (value === null || typeof value !== "object") {
    issues.push({ path: "telemetry", message: "expected a boolean or an object", received: value });
    return { openTelemetry: false, recorder: undefined };
  }
  const o = value as Record<string, unknown>;
  checkKnownKeys(o, TELEMETRY_OPTION_KEYS, "telemetry.", issues);
  if (o.openTelemetry !== undefined && typeof o.openTelemetry !== "boolean") {
    issues.push({
      path: "telemetry.openTelemetry",
      message: "expected a boolean",
      received: o.openTelemetry,
    });
  }
  const r = o.recorder as Partial<TelemetryRecorder> | undefined;
  if (
    r !== undefined &&
    (r === null || typeof r.decision !== "function" || typeof r.completion !== "function")
  ) {
    issues.push({ path: "telemetry.recorder", message: "expected a recorder (createTelemetryRecorder())" });
  }
  return { openTelemetry: o.openTelemetry !== false, recorder: r as TelemetryRecorder | undefined };
}
