import { auditChainSwitch, chainPayload } from "../../engines/audit/chain-link.js";
import { StorageError } from "../../errors/control-plane-error.js";
import type { PlanWrite, Speculation, SpeculationPlan } from "../speculative/plan.js";
import { PLAN_CONFLICT_SQLSTATE } from "./apply-plan-sql.js";
import type { PgTables } from "./context.js";
import { decisionContextSql, decisionContextValues, toDecisionContext } from "./decision-context.js";
import { RETRYABLE_SQLSTATES, type SqlDriver, sqlState } from "./driver.js";
import { toIdempotency } from "./idempotency.js";

/** A driver that can run autocommit statements (see {@link SqlDriver.autocommit}). */
type AutocommitDriver = SqlDriver & Required<Pick<SqlDriver, "autocommit">>;

/** A write as the function reads it: events carry their canonical bytes (hex) when the chain is on. */
function toParam(w: PlanWrite): unknown {
  if (w.op !== "event_append" || !auditChainSwitch.enabled) return w;
  return { ...w, canonical: chainPayload(w.event).toString("hex") };
}

/**
 * The PostgreSQL {@link Speculation}: `snapshot` is the one-query decision read (`decisionContextSql`) plus the
 * idempotency record, run in autocommit without the kill fence; `apply` is ONE statement,
 * `SELECT <schema>.acp_apply_plan($1::jsonb)` (migration 12, `apply-plan-sql.ts`), its own transaction. A
 * conflict (SQLSTATE `ACP01`, or a deadlock / serialization failure) resolves `false`; nothing was written.
 */
export function pgSpeculation(
  ready: () => Promise<SqlDriver>,
  quotedSchema: string,
  tables: PgTables,
): Speculation {
  const snapshotSql = decisionContextSql(
    tables,
    `,
       (SELECT row_to_json(i) FROM (SELECT key, operation, fingerprint, result::text AS result, created_at
          FROM ${tables.idempotency} WHERE key = $5) i) AS idempotency`,
  );
  const applySql = `SELECT ${quotedSchema}.acp_apply_plan($1::jsonb) AS applied`;
  const driver = async (): Promise<AutocommitDriver> => {
    const d = await ready();
    if (d.autocommit === undefined)
      throw new StorageError("this PostgreSQL driver has no autocommit statements");
    return d as AutocommitDriver;
  };
  const fail = (what: string, error: unknown) =>
    new StorageError(`PostgreSQL ${what} failed: ${(error as Error)?.message ?? String(error)}`, error);
  return {
    async snapshot(query) {
      const d = await driver();
      let rows: readonly Record<string, unknown>[];
      try {
        rows = (
          await d.autocommit(snapshotSql, [
            ...decisionContextValues(query.context),
            query.idempotencyKey ?? null,
          ])
        ).rows;
      } catch (error) {
        throw fail("speculative snapshot", error);
      }
      const row = rows[0] as Record<string, unknown>;
      return { query, context: toDecisionContext(row), idempotency: toIdempotency(row.idempotency) };
    },
    async apply(plan: SpeculationPlan) {
      const d = await driver();
      const param = JSON.stringify({ checks: plan.checks, writes: plan.writes.map(toParam) });
      try {
        await d.autocommit(applySql, [param]);
        return true;
      } catch (error) {
        const state = sqlState(error);
        if (state === PLAN_CONFLICT_SQLSTATE || (state !== undefined && RETRYABLE_SQLSTATES.has(state))) {
          return false;
        }
        throw fail("speculative apply", error);
      }
    },
  };
}
