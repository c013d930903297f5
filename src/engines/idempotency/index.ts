export { recordIdempotent, replayIdempotent } from "./idempotent.js";
