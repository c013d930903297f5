/** Kill switch scopes: everything, one agent's activity, or one session. */
export const KILL_SCOPES = ["global", "agent", "session"] as const;
/** One of {@link KILL_SCOPES}. */
export type KillScope = (typeof KILL_SCOPES)[number];

/** A kill switch. `target` is `""` for global, the agent id for agent, the session id for session. */
export interface KillSwitchRecord {
  readonly scope: KillScope;
  readonly target: string;
  readonly engaged: boolean;
  readonly reason: string;
  /** Who engaged it (the operator's name), or `null` when not recorded. */
  readonly engagedBy: string | null;
  readonly engagedAt: number;
  readonly releasedAt: number | null;
}
