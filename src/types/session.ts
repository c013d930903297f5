/** Session states. `completed` and `aborted` are terminal. */
export const SESSION_STATUSES = ["created", "active", "paused", "completed", "aborted"] as const;
/** One of {@link SESSION_STATUSES}. */
export type SessionStatus = (typeof SESSION_STATUSES)[number];

/**
 * A governed session: a unit of agent work with a frozen policy snapshot, a budget and an audit stream.
 * Money fields are in micros (see `toMicros`); `usedCost`/`usedActions` include reservations of
 * proposals that are executing.
 */
export interface SessionRecord {
  readonly id: string;
  readonly name: string | null;
  /** The agent that owns the session (kill switch scope `agent` pauses it), if any. */
  readonly agentId: string | null;
  readonly status: SessionStatus;
  /** Id of the frozen policy snapshot. */
  readonly policyId: string;
  readonly maxCost: number | null;
  readonly maxActions: number | null;
  readonly usedCost: number;
  readonly usedActions: number;
  /** Highest event sequence number of the session (0 before the first event). */
  readonly lastSeq: number;
  readonly statusReason: string | null;
  readonly createdAt: number;
  readonly updatedAt: number;
}
