import { createHash, randomBytes } from "node:crypto";

/** Prefix of every API token the control plane issues (`acp_` + 43 base64url characters). */
export const API_TOKEN_PREFIX = "acp_";

/** The shape of an issued token: the prefix and 32 random bytes in base64url (no padding). */
export const API_TOKEN_PATTERN = /^acp_[A-Za-z0-9_-]{43}$/;

/** A new random API token: `acp_` + 32 bytes from `crypto.randomBytes`, base64url. */
export function newApiToken(): string {
  return API_TOKEN_PREFIX + randomBytes(32).toString("base64url");
}

/** The lowercase hex SHA-256 of a token: what the database stores and what a credential is looked up by. */
export function hashApiToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}
