import { createHash, timingSafeEqual } from "node:crypto";
import { ValidationError } from "../errors/validation-error.js";
import type { Authenticator } from "./authenticator.js";
import { isRole, type Principal, type Role } from "./roles.js";

/** One token given to {@link createStaticAuth}. */
export interface StaticToken {
  readonly token: string;
  readonly role: Role;
  /** Required for the `agent` role, refused for the others. */
  readonly agentId?: string;
  /** Who acts (recorded as `decided_by`); default `static:<index>`. */
  readonly name?: string;
}

const digest = (value: string): Buffer => createHash("sha256").update(value, "utf8").digest();

/**
 * An authenticator over tokens the host supplies (from its own secret store), compared in constant time.
 * For tokens created, stored hashed, expired and revoked by the control plane use the stored-token
 * authenticator instead.
 * @throws ValidationError naming the bad entry (empty or short token, unknown role, agent binding).
 */
export function createStaticAuth(tokens: readonly StaticToken[]): Authenticator {
  const issues = tokens.flatMap((t, i) => {
    const path = `tokens[${i}]`;
    const out: { path: string; message: string }[] = [];
    if (typeof t.token !== "string" || t.token.length < 16)
      out.push({ path: `${path}.token`, message: "expected a string of at least 16 characters" });
    if (!isRole(t.role))
      out.push({ path: `${path}.role`, message: "expected agent|viewer|approver|operator|admin" });
    if (t.role === "agent" && !t.agentId)
      out.push({ path: `${path}.agentId`, message: "required for role agent" });
    if (t.role !== "agent" && t.agentId !== undefined)
      out.push({ path: `${path}.agentId`, message: "only the agent role is bound to an agent" });
    return out;
  });
  if (issues.length > 0) throw new ValidationError(issues, "static tokens");
  const entries = tokens.map((t, i) => ({
    hash: digest(t.token),
    principal: {
      id: `static:${i}`,
      name: t.name ?? `static:${i}`,
      role: t.role,
      agentId: t.agentId ?? null,
      via: "static",
    } satisfies Principal,
  }));
  return {
    async authenticate(credential) {
      const hash = digest(credential);
      let found: Principal | undefined;
      // Compare against every entry so the time taken does not depend on which one matches.
      for (const e of entries) if (timingSafeEqual(e.hash, hash)) found = e.principal;
      return found;
    },
  };
}
