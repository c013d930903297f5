export {
  idempotencyFingerprint,
  recordIdempotent,
  replayAfterFailure,
  replayIdempotent,
} from "./idempotent.js";
