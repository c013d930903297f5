import type { Principal } from "./roles.js";

/**
 * Turns the credential of a request into a principal. Implementations: {@link createStaticAuth} (tokens
 * given by the host) and the stored-token authenticator with optional JWT verification.
 */
export interface Authenticator {
  /**
   * Resolves the principal of a bearer credential (the part after `Bearer `), or `undefined` when the
   * credential is unknown, expired, revoked or fails verification. Never throws for a bad credential; a
   * storage fault rejects (the caller answers 503, never "allowed").
   */
  authenticate(credential: string): Promise<Principal | undefined>;
}
