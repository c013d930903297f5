import type { Role } from "../auth/roles.js";

/**
 * An API token as stored: everything but the token itself, which is never stored. `hash` is the lowercase hex
 * SHA-256 of the token string; a presented credential is found by hashing it the same way.
 */
export interface StoredApiToken {
  readonly id: string;
  /** Hex SHA-256 of the token (64 characters). Unique. */
  readonly hash: string;
  readonly name: string;
  readonly role: Role;
  /** The agent an `agent` token is bound to; `null` for every other role. */
  readonly agentId: string | null;
  readonly createdAt: number;
  /** When the token stops working (epoch ms, exclusive); `null` = never. */
  readonly expiresAt: number | null;
  /** When it was revoked; `null` while it is not. */
  readonly revokedAt: number | null;
  /** The principal name that created it; `null` for a token created by the server itself. */
  readonly createdBy: string | null;
}

/** Stored API tokens (hashed). */
export interface ApiTokenStore {
  /** Inserts a token. A duplicate `id` or `hash` rejects with a `conflict` error. */
  insert(record: StoredApiToken): Promise<void>;
  /**
   * Insert-if-none-active: inserts `record` only when no token is active at `now` (unrevoked, and not
   * expired: `expiresAt` null or `> now`). Two racing callers — also in different processes sharing the
   * database — never both insert. Returns whether it inserted. Used to create the first admin token.
   */
  insertIfNoneActive(record: StoredApiToken, now: number): Promise<boolean>;
  /** The token with this hash, whatever its state (revoked and expired ones too). */
  findByHash(hash: string): Promise<StoredApiToken | undefined>;
  get(id: string): Promise<StoredApiToken | undefined>;
  /** Every token (there are few), oldest first (`createdAt`, then insertion order). */
  list(): Promise<readonly StoredApiToken[]>;
  /**
   * Revoke-once: sets `revokedAt = at` only if the token is not revoked yet. Returns the updated record, or
   * `undefined` when the token does not exist or was already revoked (its first `revokedAt` is kept).
   */
  revoke(id: string, at: number): Promise<StoredApiToken | undefined>;
  /** Number of tokens active at `now`: unrevoked, with `expiresAt` null or `> now`. */
  countActive(now: number): Promise<number>;
}
