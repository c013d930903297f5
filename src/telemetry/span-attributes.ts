import type { Decision } from "../control-plane/decision.js";
import { type OtelApi, type OtelAttributes, type OtelSpan, SPAN_STATUS_ERROR } from "./otel-api.js";

/**
 * The attributes a decision adds to a span: `acp.outcome`, `acp.code`, `acp.tier`, `acp.risk`,
 * `acp.proposal.id` and, when pending, `acp.ticket.id`.
 */
export function decisionAttributes(d: Decision): OtelAttributes {
  const attributes: Record<string, string> = {
    "acp.outcome": d.outcome,
    "acp.code": d.code,
    "acp.tier": d.tier,
    "acp.risk": d.riskLevel,
    "acp.proposal.id": d.proposalId,
  };
  if (d.outcome === "pending_approval") attributes["acp.ticket.id"] = d.ticketId;
  return attributes;
}

/** Sets {@link decisionAttributes} on `span` one by one (no attribute object is built). */
export function setDecisionAttributes(span: OtelSpan, d: Decision): void {
  span.setAttribute("acp.outcome", d.outcome);
  span.setAttribute("acp.code", d.code);
  span.setAttribute("acp.tier", d.tier);
  span.setAttribute("acp.risk", d.riskLevel);
  span.setAttribute("acp.proposal.id", d.proposalId);
  if (d.outcome === "pending_approval") span.setAttribute("acp.ticket.id", d.ticketId);
}

/** Sets `key` on `span` when `value` is a non-empty string (no attribute object is built). */
export function setPresent(span: OtelSpan, key: string, value: unknown): void {
  if (typeof value === "string" && value !== "") span.setAttribute(key, value);
}

/** Adds the string fields of `fields` that are present (non-empty strings) as attributes. */
export function presentAttributes(fields: Readonly<Record<string, unknown>>): OtelAttributes {
  const attributes: Record<string, string> = {};
  for (const [key, value] of Object.entries(fields)) {
    if (typeof value === "string" && value !== "") attributes[key] = value;
  }
  return attributes;
}

/** Marks a span failed: records the exception, status ERROR and `error.type` (the error's code or name). */
export function failSpan(span: OtelSpan, error: unknown): void {
  const type =
    error !== null && typeof error === "object" && typeof (error as { code?: unknown }).code === "string"
      ? (error as { code: string }).code
      : error instanceof Error
        ? error.name
        : "_OTHER";
  span.setAttribute("error.type", type);
  span.recordException(error instanceof Error ? error : String(error));
  span.setStatus({
    code: SPAN_STATUS_ERROR,
    ...(error instanceof Error ? { message: error.message.slice(0, 500) } : {}),
  });
}

/** Runs `fn` with `span` as the active span when it records (so the caller's nested spans become children). */
export function runInSpan<R>(api: OtelApi, span: OtelSpan, fn: () => R): R {
  if (!span.isRecording()) return fn();
  return api.context.with(api.trace.setSpan(api.context.active(), span), fn);
}
