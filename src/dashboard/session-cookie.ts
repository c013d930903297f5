import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

/** Name of the dashboard's session cookie over plain HTTP (a dashboard on the loopback address). */
export const SESSION_COOKIE = "acp_session";
/**
 * Name of the session cookie over HTTPS: browsers accept a `__Host-` cookie only when Secure, with Path=/ and
 * without Domain, so neither a sibling subdomain nor plain HTTP can plant or overwrite it (cookie tossing).
 */
export const SECURE_SESSION_COOKIE = `__Host-${SESSION_COOKIE}`;

/** What a dashboard sign-in keeps, sealed in its cookie. */
export interface UiSession {
  /** The bearer credential signed in with; authenticated again on every request (revocation applies at once). */
  readonly credential: string;
  /** The CSRF token every state-changing request of this sign-in must carry. */
  readonly csrf: string;
  /** Epoch milliseconds after which the sign-in is over. */
  readonly expiresAt: number;
}

/**
 * Seals a sign-in into a cookie value: AES-256-GCM under `key` with a random nonce, base64url. Only this
 * server (holding `key`) can read or forge it; the browser sees an opaque string.
 */
export function sealSession(session: UiSession, key: Buffer): string {
  const nonce = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, nonce);
  const plain = Buffer.from(JSON.stringify([session.credential, session.csrf, session.expiresAt]), "utf8");
  const sealed = Buffer.concat([cipher.update(plain), cipher.final()]);
  return Buffer.concat([nonce, cipher.getAuthTag(), sealed]).toString("base64url");
}

/** Opens a cookie value sealed by {@link sealSession}; `undefined` if forged, damaged or expired at `now`. */
export function unsealSession(value: string, key: Buffer, now: number): UiSession | undefined {
  try {
    const raw = Buffer.from(value, "base64url");
    if (raw.length < 29) return undefined;
    const decipher = createDecipheriv("aes-256-gcm", key, raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    const plain = Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString("utf8");
    const [credential, csrf, expiresAt] = JSON.parse(plain) as [unknown, unknown, unknown];
    if (typeof credential !== "string" || typeof csrf !== "string" || typeof expiresAt !== "number") {
      return undefined;
    }
    return expiresAt > now ? { credential, csrf, expiresAt } : undefined;
  } catch {
    return undefined; // wrong key, tampered or truncated
  }
}

/** A new random CSRF token (32 bytes, base64url). */
export function newCsrfToken(): string {
  return randomBytes(32).toString("base64url");
}
