import type { AuditReport } from "../engines/audit/audit-problem.js";
import {
  AUDIT_CHECKS,
  checkpointAuditCheck,
  type VerifyAuditQuery,
  verifyAudit,
} from "../engines/audit/audit-verifier.js";
import { assertKnownKeys } from "../errors/unknown-keys.js";
import { ValidationError } from "../errors/validation-error.js";
import type { Runtime } from "./runtime.js";
import { requireId } from "./session-api.js";

/**
 * `cp.verifyAudit`: validates the query (only `sessionId`, a non-empty string) and runs every audit check: the
 * per-session hash chains, and with the control plane's `auditKeys` the signed checkpoints of the whole feed.
 * @throws ValidationError naming a bad or unknown field; NotFoundError for an unknown session.
 */
export async function verifyAuditApi(rt: Runtime, query: VerifyAuditQuery = {}): Promise<AuditReport> {
  if (query === null || typeof query !== "object" || Array.isArray(query)) {
    throw new ValidationError([{ path: "", message: "expected an object", received: query }], "audit query");
  }
  assertKnownKeys(query, ["sessionId"], "", "audit query");
  if (query.sessionId !== undefined) requireId(query.sessionId, "sessionId");
  const checks =
    rt.auditKeys === undefined
      ? AUDIT_CHECKS
      : [...AUDIT_CHECKS, checkpointAuditCheck(rt.auditKeys.publicKeys, rt.auditKeys.origin)];
  return verifyAudit(rt.storage, query.sessionId === undefined ? {} : { sessionId: query.sessionId }, checks);
}
