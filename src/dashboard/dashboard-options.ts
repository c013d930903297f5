import { createHash, randomBytes } from "node:crypto";
import { assertKnownKeys } from "../errors/unknown-keys.js";
import { ValidationError } from "../errors/validation-error.js";

/** Options of the operator dashboard served by `createHttpApp` (`dashboard` option). */
export interface DashboardOptions {
  /**
   * Secret that seals the dashboard's session cookies (at least 32 characters). Give the same secret to every
   * instance behind one address so that a sign-in works on all of them and survives restarts. Absent: a random
   * secret per process (a restart signs everyone out).
   */
  readonly cookieSecret?: string;
  /**
   * The address people reach the dashboard at (`https://acp.example.com`), used for links in notifications and
   * as the expected `Origin` of form posts. Absent: the request's own origin.
   */
  readonly publicUrl?: string;
  /** How long a sign-in lasts, in milliseconds (default 12 hours). */
  readonly sessionTtlMs?: number;
}

/** The dashboard settings after defaults and checks. */
export interface ResolvedDashboardOptions {
  /** 32 bytes of key material for the cookie seal. */
  readonly cookieKey: Buffer;
  readonly publicUrl: URL | undefined;
  readonly sessionTtlMs: number;
}

const DEFAULT_SESSION_TTL_MS = 12 * 60 * 60 * 1000;

/**
 * Checks and resolves {@link DashboardOptions}.
 * @throws ValidationError naming `dashboard.<field>`.
 */
export function resolveDashboardOptions(options: DashboardOptions | undefined): ResolvedDashboardOptions {
  const given = options ?? {};
  assertKnownKeys(
    given,
    ["cookieSecret", "publicUrl", "sessionTtlMs"],
    "dashboard.",
    "createHttpApp options",
  );
  const issues: { path: string; message: string; received?: unknown }[] = [];
  if (
    given.cookieSecret !== undefined &&
    (typeof given.cookieSecret !== "string" || given.cookieSecret.length < 32)
  ) {
    issues.push({ path: "dashboard.cookieSecret", message: "expected a string of at least 32 characters" });
  }
  let publicUrl: URL | undefined;
  if (given.publicUrl !== undefined) {
    try {
      publicUrl = new URL(given.publicUrl);
      if (publicUrl.protocol !== "http:" && publicUrl.protocol !== "https:") throw new Error("not http(s)");
    } catch {
      issues.push({
        path: "dashboard.publicUrl",
        message: "expected an http(s) URL",
        received: given.publicUrl,
      });
    }
  }
  const ttl = given.sessionTtlMs ?? DEFAULT_SESSION_TTL_MS;
  if (!Number.isSafeInteger(ttl) || ttl < 60_000) {
    issues.push({
      path: "dashboard.sessionTtlMs",
      message: "expected an integer of at least 60000 ms",
      received: ttl,
    });
  }
  if (issues.length > 0) throw new ValidationError(issues, "createHttpApp options");
  const cookieKey =
    given.cookieSecret === undefined
      ? randomBytes(32)
      : createHash("sha256").update(`acp-dashboard-cookie\0${given.cookieSecret}`).digest();
  return { cookieKey, publicUrl, sessionTtlMs: ttl };
}
