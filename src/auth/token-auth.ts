import { timingSafeEqual } from "node:crypto";
import { assertKnownKeys } from "../errors/unknown-keys.js";
import type { Storage } from "../storage/storage.js";
import type { Authenticator } from "./authenticator.js";
import { createJwtVerifier, type JwtAuthOptions, looksLikeJwt } from "./jwt-auth.js";
import type { Principal } from "./roles.js";
import { API_TOKEN_PATTERN, hashApiToken } from "./token-hash.js";

/** Options of {@link createTokenAuth}. */
export interface TokenAuthOptions {
  /** Where the tokens of {@link createTokenService} are stored. */
  readonly storage: Storage;
  /** Clock in epoch milliseconds (default `Date.now`): expiry of stored tokens and JWTs is judged by it. */
  readonly now?: () => number;
  /** Also accept JWTs from an identity provider (see {@link JwtAuthOptions}). */
  readonly jwt?: JwtAuthOptions;
}

/**
 * The authenticator of stored API tokens (see {@link createTokenService}), with optional JWT verification.
 *
 * A stored token is hashed (SHA-256), looked up by its hash and the hashes compared with
 * `crypto.timingSafeEqual`; a revoked or expired token is refused. There is no cache: every request reads the
 * token's current state, so a revocation or an expiry takes effect on the very next request, in every process
 * sharing the database.
 *
 * A credential shaped like a JWT (three dot-separated parts) is verified as a JWT only when `jwt` is set;
 * a JWT that fails verification or maps to no role is refused. Storage faults reject (never "allowed").
 * @throws ValidationError for bad `jwt` options, naming the option.
 * @example
 * const auth = createTokenAuth({
 *   storage,
 *   jwt: { issuer: "https://idp.example", audience: "acp", jwksUrl: "https://idp.example/jwks.json",
 *          roleMap: { "acp-approvers": "approver" } },
 * });
 * const app = createHttpApp({ controlPlane, auth, tokens: createTokenService({ storage }) });
 */
export function createTokenAuth(options: TokenAuthOptions): Authenticator {
  assertKnownKeys(options, ["storage", "now", "jwt"], "", "token auth options");
  const { storage } = options;
  const now = options.now ?? Date.now;
  const verifyJwt = options.jwt === undefined ? undefined : createJwtVerifier(options.jwt);

  const stored = async (credential: string): Promise<Principal | undefined> => {
    if (!API_TOKEN_PATTERN.test(credential)) return undefined;
    const hash = hashApiToken(credential);
    const record = await storage.read((tx) => tx.apiTokens.findByHash(hash));
    if (record === undefined) return undefined;
    const a = Buffer.from(record.hash, "hex");
    const b = Buffer.from(hash, "hex");
    if (a.length !== b.length || !timingSafeEqual(a, b)) return undefined;
    const at = now();
    if (record.revokedAt !== null || (record.expiresAt !== null && record.expiresAt <= at)) return undefined;
    return { id: record.id, name: record.name, role: record.role, agentId: record.agentId, via: "token" };
  };

  return {
    async authenticate(credential) {
      if (verifyJwt !== undefined && looksLikeJwt(credential)) return verifyJwt(credential, now());
      return stored(credential);
    },
  };
}
