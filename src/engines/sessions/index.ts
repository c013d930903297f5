export { closeSessionHolds, insertSession, transitionSession } from "./session-service.js";
export {
  canTransition,
  EXECUTABLE_STATUSES,
  LIVE_STATUSES,
  SESSION_TRANSITIONS,
  type SessionVerb,
} from "./session-transitions.js";
