import type { DecisionCode, Outcome, TraceEntry } from "../../types/decision.js";
import type { JsonObject, JsonValue } from "../../types/json.js";
import type { ProposalRecord, ProposalStatus } from "../../types/proposal-record.js";
import type { RiskLevel } from "../../types/risk.js";
import type { ActionTier } from "../../types/tier.js";
import type { SqlValues } from "./driver.js";
import type { CachedProposal, FixedProposalFields } from "./proposal-cache.js";
import { fromJson, fromJsonOrNull, int } from "./sql-run.js";

/** Every column of `acp_proposals`, in the order the row mappers read them. */
export const PROPOSAL_COLUMNS = [
  "id",
  "session_id",
  "agent_id",
  "action",
  "resource_type",
  "resource_id",
  "args",
  "metadata",
  "fingerprint",
  "risk_level",
  "tier",
  "trace",
  "cost",
  "created_at",
  // The columns below are the ones a transition may change (see MUTABLE_COLUMNS).
  "status",
  "outcome",
  "code",
  "reason",
  "ticket_id",
  "reserved_cost",
  "actual_cost",
  "output",
  "error",
  "updated_at",
  "completed_at",
] as const;

/** Index of the first mutable column in {@link PROPOSAL_COLUMNS}. */
const FIRST_MUTABLE = 14;

/** The select list of a whole proposal row. */
export const PROPOSAL_SELECT = PROPOSAL_COLUMNS.join(", ");

/**
 * The select list of the changeable part of a row, followed by `fingerprint` and `created_at`, which identify
 * the row a cache entry was taken from.
 */
export const MUTABLE_SELECT = [...PROPOSAL_COLUMNS.slice(FIRST_MUTABLE), "fingerprint", "created_at"].join(
  ", ",
);

/** Maps a whole row read as values in {@link PROPOSAL_COLUMNS} order. */
export function proposalOf(v: SqlValues): ProposalRecord {
  return withMutable(fixedOf(v), v, FIRST_MUTABLE);
}

/**
 * Maps a row read with {@link MUTABLE_SELECT} onto the cached fixed fields, or returns `undefined` when the
 * row is not the one the entry was taken from.
 */
export function proposalFromMutable(cached: CachedProposal, v: SqlValues): ProposalRecord | undefined {
  const n = PROPOSAL_COLUMNS.length - FIRST_MUTABLE;
  if (v[n] !== cached.fingerprint || Number(v[n + 1]) !== cached.createdAt) return undefined;
  const fixed: FixedProposalFields = {
    id: cached.id,
    sessionId: cached.sessionId,
    agentId: cached.agentId,
    action: cached.action,
    resourceType: cached.resourceType,
    resourceId: cached.resourceId,
    args: fromJson<JsonObject>(cached.argsJson),
    metadata: fromJson<JsonObject>(cached.metadataJson),
    fingerprint: cached.fingerprint,
    riskLevel: cached.riskLevel,
    tier: cached.tier,
    trace: fromJson<TraceEntry[]>(cached.traceJson),
    cost: cached.cost,
    createdAt: cached.createdAt,
  };
  return withMutable(fixed, v, 0);
}

/** The cache entry of a whole row read in {@link PROPOSAL_COLUMNS} order. */
export function cachedOfRow(v: SqlValues): CachedProposal {
  return cachedOf(proposalOfFixedText(v), String(v[6]), String(v[7]), String(v[11]));
}

function proposalOfFixedText(v: SqlValues): Omit<CachedProposal, "argsJson" | "metadataJson" | "traceJson"> {
  return {
    id: String(v[0]),
    sessionId: String(v[1]),
    agentId: v[2] === null ? null : String(v[2]),
    action: String(v[3]),
    resourceType: v[4] === null ? null : String(v[4]),
    resourceId: v[5] === null ? null : String(v[5]),
    fingerprint: String(v[8]),
    riskLevel: v[9] as RiskLevel,
    tier: v[10] as ActionTier,
    cost: Number(v[12]),
    createdAt: Number(v[13]),
  };
}

function fixedOf(v: SqlValues): FixedProposalFields {
  return {
    ...proposalOfFixedText(v),
    args: fromJson<JsonObject>(v[6]),
    metadata: fromJson<JsonObject>(v[7]),
    trace: fromJson<TraceEntry[]>(v[11]),
  };
}

/** The fixed fields plus the mutable columns found at `v[at]…` (in {@link PROPOSAL_COLUMNS} order). */
function withMutable(f: FixedProposalFields, v: SqlValues, at: number): ProposalRecord {
  return {
    id: f.id,
    sessionId: f.sessionId,
    agentId: f.agentId,
    action: f.action,
    resourceType: f.resourceType,
    resourceId: f.resourceId,
    args: f.args,
    metadata: f.metadata,
    fingerprint: f.fingerprint,
    status: v[at] as ProposalStatus,
    outcome: v[at + 1] as Outcome,
    code: v[at + 2] as DecisionCode,
    reason: String(v[at + 3]),
    riskLevel: f.riskLevel,
    tier: f.tier,
    trace: f.trace,
    ticketId: v[at + 4] === null ? null : String(v[at + 4]),
    cost: f.cost,
    reservedCost: Number(v[at + 5]),
    actualCost: int(v[at + 6]),
    output: fromJsonOrNull<JsonValue>(v[at + 7]),
    error: v[at + 8] === null ? null : String(v[at + 8]),
    createdAt: f.createdAt,
    updatedAt: Number(v[at + 9]),
    completedAt: int(v[at + 10]),
  };
}

/** What a cache keeps of a record, given the JSON text of its `args`, `metadata` and `trace`. */
export function cachedOf(
  p: Omit<CachedProposal, "argsJson" | "metadataJson" | "traceJson">,
  argsJson: string,
  metadataJson: string,
  traceJson: string,
): CachedProposal {
  return {
    id: p.id,
    sessionId: p.sessionId,
    agentId: p.agentId,
    action: p.action,
    resourceType: p.resourceType,
    resourceId: p.resourceId,
    argsJson,
    metadataJson,
    fingerprint: p.fingerprint,
    riskLevel: p.riskLevel,
    tier: p.tier,
    traceJson,
    cost: p.cost,
    createdAt: p.createdAt,
  };
}
