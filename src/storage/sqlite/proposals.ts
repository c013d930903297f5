import { ControlPlaneError } from "../../errors/control-plane-error.js";
import type { DecisionCode, Outcome, TraceEntry } from "../../types/decision.js";
import type { JsonObject, JsonValue } from "../../types/json.js";
import type { ProposalRecord, ProposalStatus } from "../../types/proposal-record.js";
import type { RiskLevel } from "../../types/risk.js";
import type { ActionTier } from "../../types/tier.js";
import type { ProposalPatch, ProposalStore } from "../storage.js";
import type { SqlConnection, SqlRow, SqlValue } from "./driver.js";
import {
  fromJson,
  fromJsonOrNull,
  inJsonList,
  int,
  runSql,
  str,
  toJson,
  toJsonOrNull,
  whereClause,
} from "./sql-run.js";

const toProposal = (r: SqlRow): ProposalRecord => ({
  id: String(r.id),
  sessionId: String(r.session_id),
  agentId: str(r.agent_id),
  action: String(r.action),
  resourceType: str(r.resource_type),
  resourceId: str(r.resource_id),
  args: fromJson<JsonObject>(r.args),
  metadata: fromJson<JsonObject>(r.metadata),
  fingerprint: String(r.fingerprint),
  status: r.status as ProposalStatus,
  outcome: r.outcome as Outcome,
  code: r.code as DecisionCode,
  reason: String(r.reason),
  riskLevel: r.risk_level as RiskLevel,
  tier: r.tier as ActionTier,
  trace: fromJson<TraceEntry[]>(r.trace),
  ticketId: str(r.ticket_id),
  cost: Number(r.cost),
  reservedCost: Number(r.reserved_cost),
  actualCost: int(r.actual_cost),
  output: fromJsonOrNull<JsonValue>(r.output),
  error: str(r.error),
  createdAt: Number(r.created_at),
  updatedAt: Number(r.updated_at),
  completedAt: int(r.completed_at),
});

const COLUMNS = [
  "id",
  "session_id",
  "agent_id",
  "action",
  "resource_type",
  "resource_id",
  "args",
  "metadata",
  "fingerprint",
  "status",
  "outcome",
  "code",
  "reason",
  "risk_level",
  "tier",
  "trace",
  "ticket_id",
  "cost",
  "reserved_cost",
  "actual_cost",
  "output",
  "error",
  "created_at",
  "updated_at",
  "completed_at",
] as const;

// Guarded insert: the row is written only if its session exists (also backed by a foreign key).
const INSERT_SQL = `INSERT INTO acp_proposals (${COLUMNS.join(", ")})
  SELECT ${COLUMNS.map(() => "?").join(", ")} WHERE EXISTS (SELECT 1 FROM acp_sessions WHERE id = ?)`;

/** Patch fields → column and serialiser, in a fixed order (so the generated SQL text is stable and cached). */
const PATCH_COLUMNS: readonly (readonly [keyof ProposalPatch, string, (v: unknown) => SqlValue])[] = [
  ["status", "status", (v) => v as string],
  ["updatedAt", "updated_at", (v) => v as number],
  ["outcome", "outcome", (v) => v as string],
  ["code", "code", (v) => v as string],
  ["reason", "reason", (v) => v as string],
  ["ticketId", "ticket_id", (v) => v as string | null],
  ["reservedCost", "reserved_cost", (v) => v as number],
  ["actualCost", "actual_cost", (v) => v as number | null],
  ["output", "output", (v) => toJsonOrNull(v as JsonValue | null)],
  ["error", "error", (v) => v as string | null],
  ["completedAt", "completed_at", (v) => v as number | null],
];

/** SQLite implementation of {@link ProposalStore}. */
export function sqliteProposals(conn: SqlConnection): ProposalStore {
  return {
    async insert(p) {
      const { changes } = await runSql(
        conn,
        INSERT_SQL,
        [
          p.id,
          p.sessionId,
          p.agentId,
          p.action,
          p.resourceType,
          p.resourceId,
          toJson(p.args),
          toJson(p.metadata),
          p.fingerprint,
          p.status,
          p.outcome,
          p.code,
          p.reason,
          p.riskLevel,
          p.tier,
          toJson(p.trace),
          p.ticketId,
          p.cost,
          p.reservedCost,
          p.actualCost,
          toJsonOrNull(p.output),
          p.error,
          p.createdAt,
          p.updatedAt,
          p.completedAt,
          p.sessionId,
        ],
        { conflict: `proposal ${p.id} already exists`, missing: `session ${p.sessionId} not found` },
      );
      if (changes === 0) throw new ControlPlaneError("not_found", `session ${p.sessionId} not found`);
    },
    async get(id) {
      const { rows } = await runSql(conn, "SELECT * FROM acp_proposals WHERE id = ?", [id]);
      return rows[0] ? toProposal(rows[0]) : undefined;
    },
    async transition(id, from, patch) {
      const sets: string[] = [];
      const params: SqlValue[] = [];
      for (const [key, column, encode] of PATCH_COLUMNS) {
        const value = patch[key];
        if (value === undefined) continue;
        sets.push(`${column} = ?`);
        params.push(encode(value));
      }
      params.push(id, toJson(from));
      const { rows } = await runSql(
        conn,
        `UPDATE acp_proposals SET ${sets.join(", ")} WHERE id = ? AND ${inJsonList("status")} RETURNING *`,
        params,
      );
      return rows[0] ? toProposal(rows[0]) : undefined;
    },
    async findByFingerprint(sessionId, fingerprint, statuses) {
      const { rows } = await runSql(
        conn,
        `SELECT * FROM acp_proposals WHERE session_id = ? AND fingerprint = ? AND ${inJsonList("status")}
         ORDER BY rowid DESC LIMIT 1`,
        [sessionId, fingerprint, toJson(statuses)],
      );
      return rows[0] ? toProposal(rows[0]) : undefined;
    },
    async list(q) {
      const w = whereClause([
        q.sessionId !== undefined && ["session_id = ?", q.sessionId],
        q.statuses !== undefined && [inJsonList("status"), toJson(q.statuses)],
      ]);
      const { rows } = await runSql(
        conn,
        `SELECT * FROM acp_proposals ${w.sql} ORDER BY created_at DESC, rowid DESC LIMIT ? OFFSET ?`,
        [...w.params, q.limit, q.offset ?? 0],
      );
      return rows.map(toProposal);
    },
  };
}
