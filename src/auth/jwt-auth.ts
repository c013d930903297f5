import { createRemoteJWKSet, type JWTPayload, jwtVerify } from "jose";
import { checkKnownKeys } from "../errors/unknown-keys.js";
import { ValidationError, type ValidationIssue } from "../errors/validation-error.js";
import { isRole, type Principal, ROLES, type Role } from "./roles.js";

/**
 * JWT bearer tokens from an organisation's identity provider, verified with `jose` against the provider's
 * JWKS (signature, `iss`, `aud`, `exp`, `nbf`). The role comes from a claim, optionally through `roleMap`.
 */
export interface JwtAuthOptions {
  /** Expected `iss`. */
  readonly issuer: string;
  /** Expected `aud` (the token must list it). */
  readonly audience: string;
  /** URL of the provider's JSON Web Key Set (fetched and cached by `jose`). */
  readonly jwksUrl: string;
  /** Claim holding the role (a string, or an array of strings); default `"role"`. */
  readonly roleClaim?: string;
  /**
   * Claim value → role. When given, only mapped values count; when absent, the claim must hold a role name.
   * With several values the most powerful role wins (`agent` < `viewer` < `approver` < `operator` < `admin`).
   */
  readonly roleMap?: Readonly<Record<string, Role>>;
  /** Claim holding the agent id an `agent` principal acts as (required for it); default `"agent_id"`. */
  readonly agentClaim?: string;
  /** Claim naming who acts (recorded as `decided_by`); default `"sub"`. */
  readonly nameClaim?: string;
}

/** A verifier of JWT credentials: the principal, or `undefined` for anything that fails or maps to no role. */
export type JwtVerifier = (credential: string, now: number) => Promise<Principal | undefined>;

/** Whether `credential` has the shape of a compact JWS (three dot-separated base64url parts). */
export function looksLikeJwt(credential: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(credential);
}

const JWT_OPTION_KEYS: readonly string[] = [
  "issuer",
  "audience",
  "jwksUrl",
  "roleClaim",
  "roleMap",
  "agentClaim",
  "nameClaim",
];

function validate(o: JwtAuthOptions): void {
  const issues: ValidationIssue[] = [];
  // A misspelt key (say `roleClaims`) would silently fall back to a default claim: an error instead.
  checkKnownKeys(o, JWT_OPTION_KEYS, "jwt.", issues);
  for (const key of ["issuer", "audience", "jwksUrl"] as const) {
    if (typeof o[key] !== "string" || o[key].trim() === "")
      issues.push({ path: `jwt.${key}`, message: "expected a non-empty string" });
  }
  if (typeof o.jwksUrl === "string" && o.jwksUrl.trim() !== "") {
    let url: URL | undefined;
    try {
      url = new URL(o.jwksUrl);
    } catch {
      url = undefined;
    }
    if (url === undefined || (url.protocol !== "https:" && url.protocol !== "http:"))
      issues.push({ path: "jwt.jwksUrl", message: "expected an http(s) URL" });
  }
  for (const key of ["roleClaim", "agentClaim", "nameClaim"] as const) {
    if (o[key] !== undefined && (typeof o[key] !== "string" || o[key] === ""))
      issues.push({ path: `jwt.${key}`, message: "expected a non-empty claim name" });
  }
  for (const [value, role] of Object.entries(o.roleMap ?? {})) {
    if (!isRole(role))
      issues.push({ path: `jwt.roleMap.${value}`, message: `expected one of ${ROLES.join("|")}` });
  }
  if (issues.length > 0) throw new ValidationError(issues, "jwt options");
}

const claimValues = (value: unknown): string[] =>
  typeof value === "string"
    ? [value]
    : Array.isArray(value)
      ? value.filter((v): v is string => typeof v === "string")
      : [];

/** The most powerful role the claim grants, or `undefined`. */
function roleOf(payload: JWTPayload, claim: string, roleMap: Readonly<Record<string, Role>> | undefined) {
  let best: Role | undefined;
  for (const value of claimValues(payload[claim])) {
    const role =
      roleMap === undefined
        ? isRole(value)
          ? value
          : undefined
        : Object.hasOwn(roleMap, value)
          ? roleMap[value]
          : undefined;
    if (role !== undefined && (best === undefined || ROLES.indexOf(role) > ROLES.indexOf(best))) best = role;
  }
  return best;
}

/**
 * Builds the JWT verifier of {@link JwtAuthOptions}. The key set is fetched lazily and cached by `jose`;
 * a token signed by an unknown key makes it refetch (at most once per cooldown).
 * @throws ValidationError naming the bad option (`jwt.issuer`, `jwt.jwksUrl`, `jwt.roleMap.<value>`, …).
 */
export function createJwtVerifier(options: JwtAuthOptions): JwtVerifier {
  validate(options);
  const jwks = createRemoteJWKSet(new URL(options.jwksUrl));
  const roleClaim = options.roleClaim ?? "role";
  const agentClaim = options.agentClaim ?? "agent_id";
  const nameClaim = options.nameClaim ?? "sub";
  return async (credential, now) => {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(credential, jwks, {
        issuer: options.issuer,
        audience: options.audience,
        currentDate: new Date(now),
      }));
    } catch {
      return undefined; // bad signature, wrong issuer/audience, expired, unknown key, JWKS unreachable
    }
    const role = roleOf(payload, roleClaim, options.roleMap);
    const name = payload[nameClaim];
    if (role === undefined || typeof name !== "string" || name === "") return undefined;
    const agent = payload[agentClaim];
    const agentId = role === "agent" ? (typeof agent === "string" && agent !== "" ? agent : undefined) : null;
    if (agentId === undefined) return undefined;
    return { id: `jwt:${options.issuer}#${payload.sub ?? name}`, name, role, agentId, via: "jwt" };
  };
}
