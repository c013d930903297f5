import type { AuditReport } from "../engines/audit/audit-problem.js";
import { type VerifyAuditQuery, verifyAudit } from "../engines/audit/audit-verifier.js";
import { assertKnownKeys } from "../errors/unknown-keys.js";
import { ValidationError } from "../errors/validation-error.js";
import type { Runtime } from "./runtime.js";
import { requireId } from "./session-api.js";

/**
 * `cp.verifyAudit`: validates the query (only `sessionId`, a non-empty string) and runs every audit check.
 * @throws ValidationError naming a bad or unknown field; NotFoundError for an unknown session.
 */
export async function verifyAuditApi(rt: Runtime, query: VerifyAuditQuery = {}): Promise<AuditReport> {
  if (query === null || typeof query !== "object" || Array.isArray(query)) {
    throw new ValidationError([{ path: "", message: "expected an object", received: query }], "audit query");
  }
  assertKnownKeys(query, ["sessionId"], "", "audit query");
  if (query.sessionId !== undefined) requireId(query.sessionId, "sessionId");
  return verifyAudit(rt.storage, query.sessionId === undefined ? {} : { sessionId: query.sessionId });
}
