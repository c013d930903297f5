import type { EventRecord } from "../../types/event.js";
import type { ProposalRecord } from "../../types/proposal-record.js";
import type { SessionRecord } from "../../types/session.js";
import type {
  DecisionContextQuery,
  EventStore,
  IdempotencyStore,
  LeaseStore,
  ProposalStore,
  SessionStore,
  StorageTx,
} from "../storage.js";
import {
  type PlanCheck,
  type PlanWrite,
  type SpeculationPlan,
  type SpeculationSnapshot,
  sameStatuses,
} from "./plan.js";

/**
 * Thrown by the recorder for anything it does not model (a store method, a kill switch in force, a refused
 * budget…): the caller then runs the normal transaction instead. Never escapes the fast path.
 */
export class Unsupported extends Error {
  constructor(what: string) {
    super(`speculation does not model ${what}`);
    this.name = "Unsupported";
  }
}

/** What a recorder answers reads from. */
export interface RecorderSource {
  /** The snapshot of a speculative decision. */
  readonly snapshot?: SpeculationSnapshot;
  /** A proposal row known to the caller (e.g. cached when decided on the fast path), by id. */
  readonly proposal?: (id: string) => ProposalRecord | undefined;
}

/** A recording transaction: `tx` for the engine code, `plan()` for what it recorded. */
export interface Recorder {
  readonly tx: StorageTx;
  plan(): SpeculationPlan;
}

/** The stores of {@link StorageTx} that the recorder does not model at all. */
const UNMODELLED_STORES = [
  "policies",
  "agents",
  "tickets",
  "killSwitches",
  "apiTokens",
  "outbox",
  "toolPins",
  "checkpoints",
  "sessionRisk",
  "tokenBudgets",
] as const;

/** A store whose listed methods are implemented and every other method throws {@link Unsupported}. */
function partial<T extends object>(name: string, methods: Partial<T>): T {
  return new Proxy(methods, {
    get(target, prop) {
      if (prop === "then") return undefined;
      const own = (target as Record<string | symbol, unknown>)[prop];
      if (own !== undefined) return own;
      // Every store method of the port returns a promise: so does the refusal.
      return () => Promise.reject(new Unsupported(`${name}.${String(prop)}`));
    },
  }) as T;
}

function sameQuery(a: DecisionContextQuery, b: DecisionContextQuery): boolean {
  return (
    a.sessionId === b.sessionId &&
    a.agentId === b.agentId &&
    a.fingerprint === b.fingerprint &&
    sameStatuses(a.retryStatuses, b.retryStatuses)
  );
}

/**
 * A {@link StorageTx} that answers reads from `source` and RECORDS writes into a plan instead of executing them,
 * returning the results the port's guarded methods would return if the snapshot still holds (which `apply`
 * verifies). Storage-agnostic. Modelled: the decision context (no kill switch in force, no retry predecessor),
 * the idempotency lookup (key absent), lease acquire/release, budget reservation within the snapshot's limits,
 * proposal insert/get/transition of known rows, session event appends, idempotency records. Anything else throws
 * {@link Unsupported}. Event records returned by `append` carry placeholders (`id` 0; `seq` counted from the
 * snapshot's `lastSeq`, 0 without one): the engine code run on the fast path never reads them.
 */
export function recordingTx(source: RecorderSource): Recorder {
  const checks: PlanCheck[] = [];
  const writes: PlanWrite[] = [];
  const rows = new Map<string, ProposalRecord>();
  let session: SessionRecord | undefined;
  let appended = 0;
  const snap = source.snapshot;

  const known = (id: string): ProposalRecord | undefined => {
    const local = rows.get(id);
    if (local !== undefined) return local;
    const cached = source.proposal?.(id);
    if (cached === undefined) return undefined;
    checks.push({
      kind: "proposal_unchanged",
      id,
      status: cached.status,
      reservedCost: cached.reservedCost,
      updatedAt: cached.updatedAt,
    });
    rows.set(id, cached);
    return cached;
  };

  const sessions = partial<SessionStore>("sessions", {
    async reserveBudget(id, cost, actions, now) {
      if (session === undefined || session.id !== id) throw new Unsupported("a budget of an unread session");
      const usedCost = session.usedCost + cost;
      const usedActions = session.usedActions + actions;
      if (session.maxCost !== null && usedCost > session.maxCost) throw new Unsupported("a refused budget");
      if (session.maxActions !== null && usedActions > session.maxActions)
        throw new Unsupported("a refused budget");
      writes.push({ op: "budget_reserve", sessionId: id, cost, actions, now });
      session = { ...session, usedCost, usedActions, updatedAt: now };
      return session;
    },
  });
  const proposals = partial<ProposalStore>("proposals", {
    async insert(record) {
      writes.push({ op: "proposal_insert", record });
      rows.set(record.id, record);
    },
    async get(id) {
      const row = known(id);
      if (row === undefined) throw new Unsupported("a proposal read");
      return row;
    },
    async transition(id, from, patch) {
      const row = known(id);
      if (row === undefined) throw new Unsupported("a transition of an unread proposal");
      if (!from.includes(row.status)) throw new Unsupported("a refused proposal transition");
      writes.push({ op: "proposal_transition", id, from: [...from], patch });
      const { status, updatedAt, ...rest } = patch;
      const next: ProposalRecord = { ...row, ...rest, status, updatedAt };
      rows.set(id, next);
      return next;
    },
  });
  const leases = partial<LeaseStore>("leases", {
    async acquire(lease, now) {
      writes.push({ op: "lease_acquire", lease, now });
      return true;
    },
    async acquireDisplacing(lease, now) {
      writes.push({ op: "lease_acquire", lease, now });
      return { acquired: true, displaced: undefined };
    },
    async release(key, owner) {
      writes.push({ op: "lease_release", key, owner });
      return true;
    },
  });
  const events = partial<EventStore>("events", {
    async append(event): Promise<EventRecord> {
      if (event.sessionId === null) throw new Unsupported("a system event");
      writes.push({ op: "event_append", event });
      appended++;
      const base = session?.id === event.sessionId ? session.lastSeq : 0;
      return {
        id: 0,
        sessionId: event.sessionId,
        seq: base + appended,
        kind: event.kind,
        agentId: event.agentId ?? null,
        proposalId: event.proposalId ?? null,
        ticketId: event.ticketId ?? null,
        payload: event.payload,
        at: event.at,
      };
    },
  });
  const idempotency = partial<IdempotencyStore>("idempotency", {
    async get(key) {
      if (snap === undefined || snap.query.idempotencyKey !== key || snap.idempotency !== undefined) {
        throw new Unsupported("an idempotency replay");
      }
      checks.push({ kind: "idempotency_absent", key });
      return undefined;
    },
    async put(record) {
      writes.push({ op: "idempotency_put", record });
    },
  });

  const tx = partial<StorageTx>("tx", {
    notify() {
      throw new Unsupported("a change notice");
    },
    async decisionContext(query) {
      if (snap === undefined || !sameQuery(query, snap.query.context) || session !== undefined) {
        throw new Unsupported("this decision context");
      }
      const c = snap.context;
      if (c.session === undefined) throw new Unsupported("an unknown session");
      if (c.killSwitch !== undefined) throw new Unsupported("a kill switch in force");
      if (c.retry !== undefined) throw new Unsupported("a retry");
      session = c.session;
      checks.push({
        kind: "decision_context",
        query,
        sessionId: c.session.id,
        status: c.session.status,
        ownerId: c.session.agentId,
        policyId: c.session.policyId,
        actorId: c.agentId,
        agent: c.agent ?? null,
        anyAgent: c.anyAgent,
      });
      return c;
    },
    sessions,
    proposals,
    leases,
    events,
    idempotency,
    ...Object.fromEntries(UNMODELLED_STORES.map((name) => [name, partial(name, {})])),
  });
  return { tx, plan: () => ({ checks: [...checks], writes: [...writes] }) };
}

/** Whether `error` is the recorder's {@link Unsupported} signal. */
export function isUnsupported(error: unknown): error is Unsupported {
  return error instanceof Unsupported;
}
