import { loadPolicy, type PolicySource } from "../engines/policy/load-policy.js";
import { insertSession, transitionSession } from "../engines/sessions/session-service.js";
import type { SessionVerb } from "../engines/sessions/session-transitions.js";
import { NotFoundError } from "../errors/control-plane-error.js";
import { assertKnownKeys, checkKnownKeys } from "../errors/unknown-keys.js";
import { ValidationError, type ValidationIssue } from "../errors/validation-error.js";
import type { StorageTx } from "../storage/storage.js";
import { collectMicros } from "../types/money.js";
import type { SessionRecord, SessionStatus } from "../types/session.js";
import { SESSION_STATUSES } from "../types/session.js";
import type { Runtime } from "./runtime.js";
import { type SessionView, sessionRiskView, sessionView } from "./views.js";

/** Input of `openSession`. Budget amounts are in currency units; omitted limits are unlimited. */
export interface OpenSessionInput {
  readonly name?: string;
  /** The agent that owns the session: its kill switch pauses the session. */
  readonly agentId?: string;
  readonly budget?: { readonly maxCost?: number | string; readonly maxActions?: number };
  /** A policy for this session only (frozen as its snapshot); default: the control plane's policy. */
  readonly policy?: PolicySource;
  readonly idempotencyKey?: string;
}

const OPEN_SESSION_KEYS: readonly string[] = ["name", "agentId", "budget", "policy", "idempotencyKey"];
const BUDGET_KEYS: readonly string[] = ["maxCost", "maxActions"];
const LIST_SESSION_KEYS: readonly string[] = ["statuses", "agentId", "limit", "offset"];

/**
 * Opens a session in state `created` with a frozen policy snapshot; its first proposal activates it. A
 * session of an agent whose kill switch is engaged opens `paused` (resume it once the switch is released).
 * @throws ValidationError naming each bad field (`budget.maxActions`, `policy.actions.blocked[0]`, ...).
 */
export async function openSession(rt: Runtime, input: OpenSessionInput = {}): Promise<SessionView> {
  const issues: ValidationIssue[] = [];
  if (input === null || typeof input !== "object")
    throw new ValidationError([{ path: "(root)", message: "expected an object" }], "session");
  checkKnownKeys(input, OPEN_SESSION_KEYS, "", issues);
  const optionalText = (value: unknown, path: string) => {
    if (value !== undefined && (typeof value !== "string" || value.trim() === "")) {
      issues.push({ path, message: "expected a non-empty string", received: value });
    }
  };
  optionalText(input.name, "name");
  optionalText(input.agentId, "agentId");
  let maxCost: number | null = null;
  let maxActions: number | null = null;
  const budget = input.budget;
  if (budget !== undefined) {
    if (budget === null || typeof budget !== "object")
      issues.push({ path: "budget", message: "expected an object" });
    else {
      maxCost = collectMicros(budget.maxCost, "budget.maxCost", issues);
      if (budget.maxActions !== undefined) {
        if (!Number.isSafeInteger(budget.maxActions) || budget.maxActions < 0) {
          issues.push({
            path: "budget.maxActions",
            message: "expected a non-negative integer",
            received: budget.maxActions,
          });
        } else maxActions = budget.maxActions;
      }
      checkKnownKeys(budget, BUDGET_KEYS, "budget.", issues);
    }
  }
  let policy = rt.policy;
  if (input.policy !== undefined) {
    try {
      policy = loadPolicy(input.policy, rt.policyOptions);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      issues.push(...error.issues.map((i) => ({ ...i, path: i.path ? `policy.${i.path}` : "policy" })));
    }
  }
  if (issues.length > 0) throw new ValidationError(issues, "session");
  rt.rememberPolicy(policy);
  const request = { name: input.name, agentId: input.agentId, maxCost, maxActions, policyId: policy.id };
  return rt.mutate("openSession", input.idempotencyKey, request, async (tx, now) => {
    await tx.policies.put({ id: policy.id, document: policy.document as never, createdAt: now });
    // An agent stopped by its kill switch gets its new session paused (resumable once the switch is released).
    const stop =
      input.agentId === undefined
        ? undefined
        : (await tx.killSwitches.list({ engagedOnly: true })).find(
            (k) => k.scope === "agent" && k.target === input.agentId,
          );
    const session: SessionRecord = {
      id: rt.ids(),
      name: input.name ?? null,
      agentId: input.agentId ?? null,
      status: "created",
      policyId: policy.id,
      maxCost,
      maxActions,
      usedCost: 0,
      usedActions: 0,
      lastSeq: 0,
      statusReason: null,
      createdAt: now,
      updatedAt: now,
    };
    const opened = await insertSession(tx, session);
    if (stop === undefined) return sessionView(opened);
    const reason = `kill switch (agent: ${stop.target}): ${stop.reason}`;
    return sessionView(await pauseOpenedSession(tx, opened, reason, now));
  });
}

/** Pauses a just-opened session of an agent whose kill switch is engaged, with its `session_paused` event. */
async function pauseOpenedSession(
  tx: StorageTx,
  session: SessionRecord,
  reason: string,
  now: number,
): Promise<SessionRecord> {
  const [id] = await tx.sessions.transitionWhere(
    { statuses: ["created"], sessionId: session.id },
    "paused",
    reason,
    now,
  );
  if (id === undefined) return session;
  await tx.events.append({
    sessionId: id,
    kind: "session_paused",
    agentId: session.agentId,
    payload: { reason },
    at: now,
  });
  tx.notify({ topic: "session", id });
  return (await tx.sessions.get(id)) ?? session;
}

/**
 * Applies a state-machine verb (`activate`, `pause`, `resume`, `complete`, `abort`) to a session; `actor`
 * (the operator) is recorded as payload `by` of its events.
 * @throws NotFoundError / InvalidTransitionError naming both states; ValidationError naming `actor`.
 */
export async function changeSession(
  rt: Runtime,
  sessionId: string,
  verb: SessionVerb,
  reason: string | null,
  idempotencyKey?: string,
  actor?: string,
): Promise<SessionView> {
  requireId(sessionId, "sessionId");
  if (reason !== null && typeof reason !== "string") {
    throw new ValidationError([{ path: "reason", message: "expected a string" }]);
  }
  checkActor(actor);
  const request = { sessionId, reason, ...(actor === undefined ? {} : { actor }) };
  return rt.mutate(`session.${verb}`, idempotencyKey, request, async (tx, now) =>
    sessionView(await transitionSession(tx, sessionId, verb, reason, now, actor)),
  );
}

/** The longest accepted operator name (`actor`). */
export const MAX_ACTOR_LENGTH = 200;

/**
 * Validates an optional operator name (`actor`): absent, or a string of 1..200 characters.
 * @throws ValidationError naming `actor`.
 */
export function checkActor(value: unknown): asserts value is string | undefined {
  if (value === undefined) return;
  if (typeof value !== "string" || value.length < 1 || value.length > MAX_ACTOR_LENGTH) {
    throw new ValidationError([
      { path: "actor", message: `expected a string of 1 to ${MAX_ACTOR_LENGTH} characters`, received: value },
    ]);
  }
}

/** Reads a session with its accumulated risk (`risk`). @throws NotFoundError */
export async function getSession(rt: Runtime, sessionId: string): Promise<SessionView> {
  requireId(sessionId, "sessionId");
  return rt.storage.read(async (tx) => {
    const view = sessionView(await mustSession(tx, sessionId));
    return { ...view, risk: sessionRiskView((await tx.sessionRisk.get(sessionId))?.state) };
  });
}

/** Lists sessions, newest first. */
export async function listSessions(
  rt: Runtime,
  query: {
    readonly statuses?: readonly SessionStatus[];
    readonly agentId?: string;
    readonly limit?: number;
    readonly offset?: number;
  } = {},
): Promise<readonly SessionView[]> {
  assertKnownKeys(query, LIST_SESSION_KEYS, "", "session query");
  const { limit, offset } = page(query);
  for (const [i, s] of (query.statuses ?? []).entries()) {
    if (!SESSION_STATUSES.includes(s)) {
      throw new ValidationError([
        { path: `statuses[${i}]`, message: `expected one of ${SESSION_STATUSES.join(", ")}`, received: s },
      ]);
    }
  }
  const rows = await rt.storage.read((tx) =>
    tx.sessions.list({
      limit,
      offset,
      ...(query.statuses ? { statuses: query.statuses } : {}),
      ...(query.agentId ? { agentId: query.agentId } : {}),
    }),
  );
  return rows.map(sessionView);
}

/** Reads a session or throws {@link NotFoundError}. */
export async function mustSession(tx: StorageTx, sessionId: string): Promise<SessionRecord> {
  const s = await tx.sessions.get(sessionId);
  if (!s) throw new NotFoundError("session", sessionId);
  return s;
}

/** @throws ValidationError when `value` is not a non-empty string. */
export function requireId(value: unknown, path: string): asserts value is string {
  if (typeof value !== "string" || value === "") {
    throw new ValidationError([{ path, message: "expected a non-empty string", received: value }]);
  }
}

/** Validates `limit` (1..1000, default 100) and `offset` (>= 0, default 0). */
export function page(query: { readonly limit?: number; readonly offset?: number }): {
  limit: number;
  offset: number;
} {
  const issues: ValidationIssue[] = [];
  const limit = query.limit ?? 100;
  const offset = query.offset ?? 0;
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > 1000)
    issues.push({ path: "limit", message: "expected an integer from 1 to 1000", received: limit });
  if (!Number.isSafeInteger(offset) || offset < 0)
    issues.push({ path: "offset", message: "expected a non-negative integer", received: offset });
  if (issues.length > 0) throw new ValidationError(issues);
  return { limit, offset };
}
