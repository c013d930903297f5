import { CHAIN_GENESIS } from "../../engines/audit/chain-link.js";
import { killFenceKey, pgNames } from "./context.js";

/** SQLSTATE raised by `acp_apply_plan` when a check or guard fails (nothing is written). */
export const PLAN_CONFLICT_SQLSTATE = "ACP01";

const SPLIT = 2_147_483_648; // as in events.ts: an id is announced as two non-negative int4 advisory-lock keys

/**
 * `CREATE FUNCTION <schema>.acp_apply_plan(plan jsonb)` (migration 12): applies a speculative plan (see
 * `src/storage/speculative/plan.ts`) atomically, as its own transaction when called in autocommit. In order:
 * takes the kill fence shared (the key of `killFence`); verifies every check — for a decision: the session row
 * locked `FOR UPDATE` with the same status, owner and policy, no engaged kill switch (global, session, acting
 * agent, owner) read after the fence, the acting agent's row and "any agent" unchanged, no retry predecessor; an
 * absent idempotency key; a proposal row unchanged — then runs each write with the guard of its port method:
 * lease insert-if-free (or same owner), budget `used + x <= max`, proposal insert / transition-if-status, event
 * append with the feed announcement before its first id, `last_seq + 1` and the chain link
 * `sha256(prev || canonical bytes)` (the canonical bytes computed by the caller, as `events.ts` does), idempotency
 * insert. Any failure raises SQLSTATE {@link PLAN_CONFLICT_SQLSTATE}. VOLATILE: each statement sees a fresh
 * READ COMMITTED snapshot, so the checks see every kill committed before the fence was granted.
 * `schema` is the unquoted schema name; `s` its quoted form.
 */
export function applyPlanFunctionSql(schema: string, s: string): string {
  const { feedKeys } = pgNames(schema);
  const t = (name: string) => `${s}.acp_${name}`;
  const fail = (what: string) =>
    `RAISE EXCEPTION USING ERRCODE = '${PLAN_CONFLICT_SQLSTATE}', MESSAGE = 'acp_apply_plan: ${what}'`;
  const patch = (column: string, key: string, cast = "") =>
    `${column} = CASE WHEN q ? '${key}' THEN (q->>'${key}')${cast} ELSE ${column} END`;
  return `CREATE OR REPLACE FUNCTION ${s}.acp_apply_plan(plan jsonb) RETURNS jsonb
LANGUAGE plpgsql VOLATILE AS $acp$
DECLARE
  c jsonb; w jsonb; q jsonb; e jsonb;
  st text; owner_id text; pol text;
  v bigint; n bigint; seq_no bigint; head text; ev_id bigint;
  announced boolean := false;
  appended jsonb := '[]'::jsonb;
BEGIN
  PERFORM pg_advisory_xact_lock_shared((${killFenceKey(schema)})::bigint);
  FOR c IN SELECT value FROM jsonb_array_elements(plan->'checks') LOOP
    CASE c->>'kind'
    WHEN 'decision_context' THEN
      SELECT status, agent_id, policy_id INTO st, owner_id, pol FROM ${t("sessions")}
        WHERE id = c->>'sessionId' FOR UPDATE;
      IF NOT FOUND OR st IS DISTINCT FROM c->>'status' OR owner_id IS DISTINCT FROM c->>'ownerId'
        OR pol IS DISTINCT FROM c->>'policyId' THEN ${fail("session changed")}; END IF;
      IF EXISTS (SELECT 1 FROM ${t("kill_switches")} WHERE engaged AND ((scope = 'global' AND target = '')
          OR (scope = 'session' AND target = c->>'sessionId')
          OR (scope = 'agent' AND target IN (c->>'actorId', c->>'ownerId')))) THEN
        ${fail("kill switch engaged")};
      END IF;
      IF (SELECT jsonb_build_object('id', id, 'name', name, 'capabilities', capabilities, 'tags', tags,
            'createdAt', created_at, 'updatedAt', updated_at) FROM ${t("agents")} WHERE id = c->>'actorId')
          IS DISTINCT FROM (CASE WHEN jsonb_typeof(c->'agent') = 'object' THEN c->'agent' END)
        OR EXISTS (SELECT 1 FROM ${t("agents")}) IS DISTINCT FROM (c->>'anyAgent')::boolean THEN
        ${fail("agents changed")};
      END IF;
      IF EXISTS (SELECT 1 FROM ${t("proposals")} WHERE session_id = c->>'sessionId'
          AND fingerprint = c->'query'->>'fingerprint'
          AND status IN (SELECT jsonb_array_elements_text(c->'query'->'retryStatuses'))) THEN
        ${fail("retry predecessor")};
      END IF;
    WHEN 'idempotency_absent' THEN
      IF EXISTS (SELECT 1 FROM ${t("idempotency")} WHERE key = c->>'key') THEN ${fail("idempotency key used")}; END IF;
    WHEN 'proposal_unchanged' THEN
      IF NOT EXISTS (SELECT 1 FROM ${t("proposals")} WHERE id = c->>'id' AND status = c->>'status'
          AND reserved_cost = (c->>'reservedCost')::bigint AND updated_at = (c->>'updatedAt')::bigint) THEN
        ${fail("proposal changed")};
      END IF;
    ELSE ${fail("unknown check")};
    END CASE;
  END LOOP;
  FOR w IN SELECT value FROM jsonb_array_elements(plan->'writes') LOOP
    CASE w->>'op'
    WHEN 'lease_acquire' THEN
      q := w->'lease';
      INSERT INTO ${t("leases")} AS l (key, owner, expires_at, session_id, proposal_id, acquired_at)
        VALUES (q->>'key', q->>'owner', (q->>'expiresAt')::bigint, q->>'sessionId', q->>'proposalId',
          (q->>'acquiredAt')::bigint)
        ON CONFLICT (key) DO UPDATE SET expires_at = EXCLUDED.expires_at, session_id = EXCLUDED.session_id,
          proposal_id = EXCLUDED.proposal_id WHERE l.owner = EXCLUDED.owner;
      GET DIAGNOSTICS n = ROW_COUNT;
      IF n = 0 THEN ${fail("lease held")}; END IF;
    WHEN 'lease_release' THEN
      DELETE FROM ${t("leases")} WHERE key = w->>'key' AND owner = w->>'owner';
    WHEN 'budget_reserve' THEN
      UPDATE ${t("sessions")} SET used_cost = used_cost + (w->>'cost')::bigint,
          used_actions = used_actions + (w->>'actions')::bigint, updated_at = (w->>'now')::bigint
        WHERE id = w->>'sessionId' AND (max_cost IS NULL OR used_cost + (w->>'cost')::bigint <= max_cost)
          AND (max_actions IS NULL OR used_actions + (w->>'actions')::bigint <= max_actions);
      GET DIAGNOSTICS n = ROW_COUNT;
      IF n = 0 THEN ${fail("budget refused")}; END IF;
    WHEN 'proposal_insert' THEN
      q := w->'record';
      INSERT INTO ${t("proposals")} (id, session_id, agent_id, action, resource_type, resource_id, args, metadata,
          fingerprint, status, outcome, code, reason, risk_level, tier, trace, ticket_id, cost, reserved_cost,
          actual_cost, output, error, created_at, updated_at, completed_at)
        SELECT q->>'id', q->>'sessionId', q->>'agentId', q->>'action', q->>'resourceType', q->>'resourceId',
          q->'args', q->'metadata', q->>'fingerprint', q->>'status', q->>'outcome', q->>'code', q->>'reason',
          q->>'riskLevel', q->>'tier', q->'trace', q->>'ticketId', (q->>'cost')::bigint,
          (q->>'reservedCost')::bigint, (q->>'actualCost')::bigint, NULLIF(q->'output', 'null'::jsonb),
          q->>'error', (q->>'createdAt')::bigint, (q->>'updatedAt')::bigint, (q->>'completedAt')::bigint
        WHERE EXISTS (SELECT 1 FROM ${t("sessions")} WHERE id = q->>'sessionId')
        ON CONFLICT (id) DO NOTHING;
      GET DIAGNOSTICS n = ROW_COUNT;
      IF n = 0 THEN ${fail("proposal not inserted")}; END IF;
    WHEN 'proposal_transition' THEN
      q := w->'patch';
      UPDATE ${t("proposals")} SET status = q->>'status', updated_at = (q->>'updatedAt')::bigint,
          ${patch("outcome", "outcome")}, ${patch("code", "code")}, ${patch("reason", "reason")},
          ${patch("ticket_id", "ticketId")}, ${patch("reserved_cost", "reservedCost", "::bigint")},
          ${patch("actual_cost", "actualCost", "::bigint")},
          output = CASE WHEN q ? 'output' THEN NULLIF(q->'output', 'null'::jsonb) ELSE output END,
          ${patch("error", "error")}, ${patch("completed_at", "completedAt", "::bigint")}
        WHERE id = w->>'id' AND status IN (SELECT jsonb_array_elements_text(w->'from'));
      GET DIAGNOSTICS n = ROW_COUNT;
      IF n = 0 THEN ${fail("proposal transition refused")}; END IF;
    WHEN 'event_append' THEN
      e := w->'event';
      IF NOT announced THEN
        SELECT CASE WHEN is_called THEN last_value ELSE 0 END INTO v FROM ${t("events_id_seq")};
        PERFORM pg_advisory_xact_lock_shared((${feedKeys.hi})::int, (v / ${SPLIT})::int),
          pg_advisory_xact_lock_shared((${feedKeys.lo})::int, (v % ${SPLIT})::int);
        announced := true;
      END IF;
      UPDATE ${t("sessions")} SET last_seq = last_seq + 1, chain_head = CASE WHEN w ? 'canonical'
          THEN encode(sha256(decode(coalesce(chain_head, '${CHAIN_GENESIS}'), 'hex') || decode(w->>'canonical', 'hex')), 'hex')
          ELSE chain_head END
        WHERE id = e->>'sessionId' RETURNING last_seq, chain_head INTO seq_no, head;
      IF NOT FOUND THEN ${fail("session missing")}; END IF;
      INSERT INTO ${t("events")} (id, session_id, seq, kind, agent_id, proposal_id, ticket_id, payload, at, chain_hash)
        VALUES (nextval('${t("events_id_seq")}'), e->>'sessionId', seq_no, e->>'kind', e->>'agentId',
          e->>'proposalId', e->>'ticketId', e->'payload', (e->>'at')::bigint, head)
        RETURNING id INTO ev_id;
      appended := appended || jsonb_build_array(jsonb_build_object('id', ev_id, 'seq', seq_no));
    WHEN 'idempotency_put' THEN
      q := w->'record';
      INSERT INTO ${t("idempotency")} (key, operation, fingerprint, result, created_at)
        VALUES (q->>'key', q->>'operation', q->>'fingerprint', q->'result', (q->>'createdAt')::bigint)
        ON CONFLICT (key) DO NOTHING;
      GET DIAGNOSTICS n = ROW_COUNT;
      IF n = 0 THEN ${fail("idempotency key used")}; END IF;
    ELSE ${fail("unknown write")};
    END CASE;
  END LOOP;
  RETURN jsonb_build_object('events', appended);
END
$acp$`;
}
