import { ControlPlaneError } from "../../errors/control-plane-error.js";
import type { JsonValue } from "../../types/json.js";
import type { ProposalRecord } from "../../types/proposal-record.js";
import type { ProposalPatch, ProposalStore } from "../storage.js";
import type { SqlConnection, SqlValue, SqlValues } from "./driver.js";
import type { ProposalCache } from "./proposal-cache.js";
import {
  cachedOf,
  cachedOfRow,
  MUTABLE_SELECT,
  PROPOSAL_COLUMNS,
  PROPOSAL_SELECT,
  proposalFromMutable,
  proposalOf,
} from "./proposal-rows.js";
import { inJsonList, inParams, runSql, runValues, toJson, toJsonOrNull, whereClause } from "./sql-run.js";

// Guarded insert: the row is written only if its session exists (also backed by a foreign key).
// Parameters in PROPOSAL_COLUMNS order.
const INSERT_SQL = `INSERT INTO acp_proposals (${PROPOSAL_SELECT})
  SELECT ${PROPOSAL_COLUMNS.map(() => "?").join(", ")} WHERE EXISTS (SELECT 1 FROM acp_sessions WHERE id = ?)`;

const SELECT_COLUMNS = PROPOSAL_SELECT;
const GET_SQL = `SELECT ${PROPOSAL_SELECT} FROM acp_proposals WHERE id = ?`;
const GET_MUTABLE_SQL = `SELECT ${MUTABLE_SELECT} FROM acp_proposals WHERE id = ?`;

/** Statuses covered by the partial index `acp_proposals_fingerprint_open` (migration 2). */
const OPEN_STATUSES: ReadonlySet<string> = new Set(["approved", "pending_approval"]);

const FINGERPRINT_SQL = `SELECT ${SELECT_COLUMNS} FROM acp_proposals
  WHERE session_id = ? AND fingerprint = ? AND ${inJsonList("status")} ORDER BY rowid DESC LIMIT 1`;

const openFingerprintSqls = new Map<number, string>();

/** The lookup restricted to approved / pending statuses: its literal `IN` lets SQLite use the partial index. */
function openFingerprintSql(count: number): string {
  let sql = openFingerprintSqls.get(count);
  if (!sql) {
    sql = `SELECT ${SELECT_COLUMNS} FROM acp_proposals
      WHERE session_id = ? AND fingerprint = ? AND status IN ('approved', 'pending_approval')
        AND ${inParams("status", count)}
      ORDER BY rowid DESC LIMIT 1`;
    openFingerprintSqls.set(count, sql);
  }
  return sql;
}

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

const transitionSqls = new Map<number, string>();

/**
 * The guarded transition setting the patch columns in `mask` (bits in {@link PATCH_COLUMNS} order), guarded
 * by `count` statuses, returning the changeable columns (`mutable`) or the whole row. Built once per shape.
 */
function transitionSql(mask: number, count: number, mutable: boolean): string {
  const shape = (mask * 64 + count) * 2 + (mutable ? 1 : 0);
  let sql = transitionSqls.get(shape);
  if (!sql) {
    const sets = PATCH_COLUMNS.filter((_, i) => mask & (1 << i)).map(([, column]) => `${column} = ?`);
    sql = `UPDATE acp_proposals SET ${sets.join(", ")} WHERE id = ? AND ${inParams("status", count)}
      RETURNING ${mutable ? MUTABLE_SELECT : PROPOSAL_SELECT}`;
    transitionSqls.set(shape, sql);
  }
  return sql;
}

/**
 * SQLite implementation of {@link ProposalStore}. With a `cache` (see {@link ProposalCache}), reading back a
 * known proposal fetches only its changeable columns.
 */
export function sqliteProposals(conn: SqlConnection, cache?: ProposalCache): ProposalStore {
  const full = (v: SqlValues | undefined): ProposalRecord | undefined => {
    if (!v) return undefined;
    const record = proposalOf(v);
    cache?.set(cachedOfRow(v));
    return record;
  };
  const get = async (id: string): Promise<ProposalRecord | undefined> => {
    const fixed = cache?.get(id);
    if (fixed) {
      const row = (await runValues(conn, GET_MUTABLE_SQL, [id]))[0];
      if (!row) {
        cache!.delete(id);
        return undefined;
      }
      const record = proposalFromMutable(fixed, row);
      if (record) return record;
    }
    return full((await runValues(conn, GET_SQL, [id]))[0]);
  };
  return {
    async insert(p) {
      const argsJson = toJson(p.args);
      const metadataJson = toJson(p.metadata);
      const traceJson = toJson(p.trace);
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
          argsJson,
          metadataJson,
          p.fingerprint,
          p.riskLevel,
          p.tier,
          traceJson,
          p.cost,
          p.createdAt,
          p.status,
          p.outcome,
          p.code,
          p.reason,
          p.ticketId,
          p.reservedCost,
          p.actualCost,
          toJsonOrNull(p.output),
          p.error,
          p.updatedAt,
          p.completedAt,
          p.sessionId,
        ],
        { conflict: `proposal ${p.id} already exists`, missing: `session ${p.sessionId} not found` },
      );
      if (changes === 0) throw new ControlPlaneError("not_found", `session ${p.sessionId} not found`);
      cache?.set(cachedOf(p, argsJson, metadataJson, traceJson));
    },
    get,
    async transition(id, from, patch) {
      let mask = 0;
      const params: SqlValue[] = [];
      for (let i = 0; i < PATCH_COLUMNS.length; i++) {
        const [key, , encode] = PATCH_COLUMNS[i]!;
        const value = patch[key];
        if (value === undefined) continue;
        mask |= 1 << i;
        params.push(encode(value));
      }
      params.push(id, ...from);
      // Transition-if-status as one guarded UPDATE that returns the row: only its changeable columns when the
      // fixed ones are cached, else all of them.
      const fixed = cache?.get(id);
      const rows = await runValues(conn, transitionSql(mask, from.length, fixed !== undefined), params);
      if (!rows[0]) return undefined;
      if (!fixed) return full(rows[0]);
      return proposalFromMutable(fixed, rows[0]) ?? get(id);
    },
    async findByFingerprint(sessionId, fingerprint, statuses) {
      // Approved / pending-approval lookups (the retry check of every decision) use the partial index.
      const open = statuses.length > 0 && statuses.every((st) => OPEN_STATUSES.has(st));
      const rows = await runValues(
        conn,
        open ? openFingerprintSql(statuses.length) : FINGERPRINT_SQL,
        open ? [sessionId, fingerprint, ...statuses] : [sessionId, fingerprint, toJson(statuses)],
      );
      return full(rows[0]);
    },
    async list(q) {
      const w = whereClause([
        q.sessionId !== undefined && ["session_id = ?", q.sessionId],
        q.statuses !== undefined && [inJsonList("status"), toJson(q.statuses)],
      ]);
      const rows = await runValues(
        conn,
        `SELECT ${SELECT_COLUMNS} FROM acp_proposals ${w.sql} ORDER BY created_at DESC, rowid DESC LIMIT ? OFFSET ?`,
        [...w.params, q.limit, q.offset ?? 0],
      );
      return rows.map(proposalOf);
    },
    async countWithStatus(status) {
      const { rows } = await runSql(conn, "SELECT COUNT(*) AS n FROM acp_proposals WHERE status = ?", [
        status,
      ]);
      return Number(rows[0]?.n ?? 0);
    },
  };
}
