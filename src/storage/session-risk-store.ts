import type { SessionRiskState } from "../types/session-risk.js";

/** The stored risk state of one session (see {@link SessionRiskStore}). */
export interface SessionRiskRecord {
  readonly sessionId: string;
  readonly state: SessionRiskState;
  readonly updatedAt: number;
}

/**
 * The accumulated risk of each session (policy section `sessionRisk`), stored with the session so that it
 * survives restarts and is shared by every worker. The decision pipeline reads it with {@link lock}, decides,
 * and writes it back with {@link put} in the same transaction.
 */
export interface SessionRiskStore {
  /**
   * Read-for-update: the session's state, held by this transaction until it ends, so that racing decisions of
   * the same session (other workers, other processes) take turns and none loses another's update. Memory and
   * SQLite: writers are serialised anyway; PostgreSQL: a row lock (the row is created, empty, if missing, so
   * that even the first two decisions of a session serialise). `undefined` when nothing is stored yet.
   * Write transactions only.
   */
  lock(sessionId: string, now: number): Promise<SessionRiskState | undefined>;
  /** Stores the session's state (insert or replace). `state` must be JSON. */
  put(sessionId: string, state: SessionRiskState, now: number): Promise<void>;
  /** The stored state, without locking; `undefined` when nothing is stored yet. */
  get(sessionId: string): Promise<SessionRiskRecord | undefined>;
}
