import type { KillTarget } from "../../engines/kill-switch/kill-switch.js";
import { ValidationError } from "../../errors/validation-error.js";
import { KILL_SCOPES, type KillScope } from "../../types/kill-switch.js";

/** Longest kill reason accepted from the form. */
const MAX_REASON = 500;

/** What the engage form holds (as typed; shown again next to an error). */
export interface KillFormValues {
  readonly scope: string;
  readonly agent: string;
  readonly session: string;
  readonly reason: string;
}

/** A checked engage request: the target and the reason as typed. */
export interface KillRequest {
  readonly target: KillTarget;
  readonly reason: string;
}

/** Reads the engage form's fields (`scope`, `agent`, `session`, `reason`), trimmed. */
export function killFormValues(form: URLSearchParams): KillFormValues {
  const get = (name: string) => (form.get(name) ?? "").trim();
  return { scope: get("scope"), agent: get("agent"), session: get("session"), reason: get("reason") };
}

/**
 * Checks the engage form: a known scope, the agent id (scope agent) or session id (scope session), and a
 * non-empty reason.
 * @throws ValidationError naming each bad field (`scope`, `agent`, `session`, `reason`).
 */
export function parseKillRequest(v: KillFormValues): KillRequest {
  const issues: { path: string; message: string; received?: unknown }[] = [];
  const scope = v.scope as KillScope;
  if (!(KILL_SCOPES as readonly string[]).includes(v.scope)) {
    issues.push({ path: "scope", message: `choose one of ${KILL_SCOPES.join(", ")}`, received: v.scope });
  }
  if (scope === "agent" && v.agent === "") {
    issues.push({ path: "agent", message: "the agent id is required to stop one agent" });
  }
  if (scope === "session" && v.session === "") {
    issues.push({ path: "session", message: "the session id is required to stop one session" });
  }
  if (v.reason === "") {
    issues.push({ path: "reason", message: "a reason is required: say why everything in scope must stop" });
  } else if (v.reason.length > MAX_REASON) {
    issues.push({ path: "reason", message: `at most ${MAX_REASON} characters` });
  }
  if (issues.length > 0) throw new ValidationError(issues, "kill switch");
  const target: KillTarget =
    scope === "agent"
      ? { scope, agentId: v.agent }
      : scope === "session"
        ? { scope, sessionId: v.session }
        : { scope: "global" };
  return { target, reason: v.reason };
}

/** Reads the target of a resume form (`scope` and `target`). @throws ValidationError naming the field. */
export function parseResumeTarget(form: URLSearchParams): KillTarget {
  const scope = (form.get("scope") ?? "").trim();
  const id = (form.get("target") ?? "").trim();
  if (!(KILL_SCOPES as readonly string[]).includes(scope)) {
    throw new ValidationError([
      { path: "scope", message: `expected one of ${KILL_SCOPES.join(", ")}`, received: scope },
    ]);
  }
  if (scope !== "global" && id === "") {
    throw new ValidationError([{ path: "target", message: `the ${scope} id is required` }]);
  }
  return scope === "agent"
    ? { scope, agentId: id }
    : scope === "session"
      ? { scope, sessionId: id }
      : { scope: "global" };
}

/** A target in words: "every agent and session", "agent billing-bot", "session 1a2b3c4d". */
export function describeTarget(scope: KillScope, target: string): string {
  return scope === "global" ? "everything (global)" : `${scope} ${target}`;
}
