import type { SessionStatus } from "../../types/session.js";

/**
 * The session state machine: created → active ⇄ paused → completed; created/active/paused → aborted.
 * `completed` and `aborted` are terminal. Each verb lists the states it may start from.
 */
export const SESSION_TRANSITIONS = {
  activate: { from: ["created"], to: "active" },
  pause: { from: ["active"], to: "paused" },
  resume: { from: ["paused"], to: "active" },
  complete: { from: ["active", "paused"], to: "completed" },
  abort: { from: ["created", "active", "paused"], to: "aborted" },
} as const satisfies Record<string, { from: readonly SessionStatus[]; to: SessionStatus }>;

/** A verb of {@link SESSION_TRANSITIONS}. */
export type SessionVerb = keyof typeof SESSION_TRANSITIONS;

/** Statuses in which a session accepts proposals (`created` is activated by its first proposal). */
export const EXECUTABLE_STATUSES: readonly SessionStatus[] = ["created", "active"];

/** Statuses that are not terminal. */
export const LIVE_STATUSES: readonly SessionStatus[] = ["created", "active", "paused"];

/** True if `verb` may be applied to a session in `status`. */
export function canTransition(status: SessionStatus, verb: SessionVerb): boolean {
  return (SESSION_TRANSITIONS[verb].from as readonly SessionStatus[]).includes(status);
}
