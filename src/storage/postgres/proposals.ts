import { ControlPlaneError } from "../../errors/control-plane-error.js";
import type { DecisionCode, Outcome, TraceEntry } from "../../types/decision.js";
import type { JsonObject, JsonValue } from "../../types/json.js";
import type { ProposalRecord, ProposalStatus } from "../../types/proposal-record.js";
import type { RiskLevel } from "../../types/risk.js";
import type { ActionTier } from "../../types/tier.js";
import type { ProposalPatch, ProposalStore } from "../storage.js";
import { num, numOrNull, type PgTxContext, parseJson, textOrNull } from "./context.js";
import { listNewestFirst } from "./list-newest.js";

const COLUMNS =
  "id, session_id, agent_id, action, resource_type, resource_id, args::text AS args, metadata::text AS metadata, " +
  "fingerprint, status, outcome, code, reason, risk_level, tier, trace::text AS trace, ticket_id, cost, reserved_cost, " +
  "actual_cost, output::text AS output, error, created_at, updated_at, completed_at";

function toProposal(r: Record<string, unknown>): ProposalRecord {
  return {
    id: r.id as string,
    sessionId: r.session_id as string,
    agentId: textOrNull(r.agent_id),
    action: r.action as string,
    resourceType: textOrNull(r.resource_type),
    resourceId: textOrNull(r.resource_id),
    args: parseJson<JsonObject>(r.args),
    metadata: parseJson<JsonObject>(r.metadata),
    fingerprint: r.fingerprint as string,
    status: r.status as ProposalStatus,
    outcome: r.outcome as Outcome,
    code: r.code as DecisionCode,
    reason: r.reason as string,
    riskLevel: r.risk_level as RiskLevel,
    tier: r.tier as ActionTier,
    trace: parseJson<TraceEntry[]>(r.trace),
    ticketId: textOrNull(r.ticket_id),
    cost: num(r.cost),
    reservedCost: num(r.reserved_cost),
    actualCost: numOrNull(r.actual_cost),
    output: parseJson<JsonValue | null>(r.output),
    error: textOrNull(r.error),
    createdAt: num(r.created_at),
    updatedAt: num(r.updated_at),
    completedAt: numOrNull(r.completed_at),
  };
}

/** Patch fields → column and SQL cast. */
const PATCH_COLUMNS: Readonly<Record<Exclude<keyof ProposalPatch, "status" | "updatedAt">, string>> = {
  outcome: "outcome",
  code: "code",
  reason: "reason",
  ticketId: "ticket_id",
  reservedCost: "reserved_cost",
  actualCost: "actual_cost",
  output: "output",
  error: "error",
  completedAt: "completed_at",
};

/**
 * PostgreSQL implementation of {@link ProposalStore}. `transition` is one `UPDATE … WHERE status = ANY(from)
 * RETURNING`; `insert` checks the session in the same statement and never aborts the transaction.
 */
export function pgProposals(c: PgTxContext): ProposalStore {
  const { proposals: t, sessions } = c.t;
  return {
    async insert(p) {
      const r = await c.q.query(
        `INSERT INTO ${t} (id, session_id, agent_id, action, resource_type, resource_id, args, metadata, fingerprint,
           status, outcome, code, reason, risk_level, tier, trace, ticket_id, cost, reserved_cost, actual_cost, output,
           error, created_at, updated_at, completed_at)
         SELECT $1, $2, $3, $4, $5, $6, $7::jsonb, $8::jsonb, $9, $10, $11, $12, $13, $14, $15, $16::jsonb, $17, $18,
           $19, $20, $21::jsonb, $22, $23, $24, $25
         WHERE EXISTS (SELECT 1 FROM ${sessions} WHERE id = $2)
         ON CONFLICT (id) DO NOTHING RETURNING id`,
        [
          p.id,
          p.sessionId,
          p.agentId,
          p.action,
          p.resourceType,
          p.resourceId,
          JSON.stringify(p.args),
          JSON.stringify(p.metadata),
          p.fingerprint,
          p.status,
          p.outcome,
          p.code,
          p.reason,
          p.riskLevel,
          p.tier,
          JSON.stringify(p.trace),
          p.ticketId,
          p.cost,
          p.reservedCost,
          p.actualCost,
          p.output === null ? null : JSON.stringify(p.output),
          p.error,
          p.createdAt,
          p.updatedAt,
          p.completedAt,
        ],
      );
      if (r.rows.length > 0) return;
      const exists = await c.q.query(`SELECT 1 FROM ${t} WHERE id = $1`, [p.id]);
      if (exists.rows.length > 0) throw new ControlPlaneError("conflict", `proposal ${p.id} already exists`);
      throw new ControlPlaneError("not_found", `session ${p.sessionId} not found`);
    },
    async get(id) {
      const r = await c.q.query(`SELECT ${COLUMNS} FROM ${t} WHERE id = $1`, [id]);
      return r.rows[0] === undefined ? undefined : toProposal(r.rows[0]);
    },
    async transition(id, from, patch) {
      const values: unknown[] = [id, from, patch.status, patch.updatedAt];
      const sets = ["status = $3", "updated_at = $4"];
      for (const [key, column] of Object.entries(PATCH_COLUMNS) as [keyof typeof PATCH_COLUMNS, string][]) {
        const value = patch[key];
        if (value === undefined) continue;
        if (key === "output")
          sets.push(`${column} = $${values.push(value === null ? null : JSON.stringify(value))}::jsonb`);
        else sets.push(`${column} = $${values.push(value)}`);
      }
      const r = await c.q.query(
        `UPDATE ${t} SET ${sets.join(", ")} WHERE id = $1 AND status = ANY($2::text[]) RETURNING ${COLUMNS}`,
        values,
      );
      return r.rows[0] === undefined ? undefined : toProposal(r.rows[0]);
    },
    async findByFingerprint(sessionId, fingerprint, statuses) {
      const r = await c.q.query(
        `SELECT ${COLUMNS} FROM ${t} WHERE session_id = $1 AND fingerprint = $2 AND status = ANY($3::text[])
         ORDER BY pos DESC LIMIT 1`,
        [sessionId, fingerprint, statuses],
      );
      return r.rows[0] === undefined ? undefined : toProposal(r.rows[0]);
    },
    async list(q) {
      return (await listNewestFirst(c, t, COLUMNS, q)).map(toProposal);
    },
    async countWithStatus(status) {
      const r = await c.q.query(`SELECT count(*) AS n FROM ${t} WHERE status = $1`, [status]);
      return Number(r.rows[0]?.n ?? 0);
    },
  };
}

/** Column list and row mapper, shared with the combined decision read. @internal */
export { COLUMNS as PROPOSAL_COLUMNS, toProposal };
