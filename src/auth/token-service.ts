import { NotFoundError } from "../errors/control-plane-error.js";
import { ValidationError, type ValidationIssue } from "../errors/validation-error.js";
import type { StoredApiToken } from "../storage/api-token-store.js";
import type { Storage, StorageTx } from "../storage/storage.js";
import { uuidv7 } from "../types/uuid-v7.js";
import { isRole, ROLES, type Role } from "./roles.js";
import { hashApiToken, newApiToken } from "./token-hash.js";

/** An API token as listed and shown: the stored record without its hash (the token itself is never stored). */
export type ApiTokenRecord = Omit<StoredApiToken, "hash">;

/** What {@link TokenService.create} takes. */
export interface CreateTokenInput {
  readonly role: Role;
  /** Required for the `agent` role (stored trimmed), refused for the others. */
  readonly agentId?: string;
  /** At most 128 characters; default `<role>-<last 8 characters of the id>`. */
  readonly name?: string;
  /** Lifetime in milliseconds (a positive integer, at most 100 years); absent = never expires. */
  readonly expiresInMs?: number;
  /** The principal name creating it (recorded as `createdBy`). */
  readonly createdBy?: string;
}

/** A freshly created token: `token` is shown this once and never stored. */
export interface CreatedToken {
  readonly token: string;
  readonly record: ApiTokenRecord;
}

/**
 * Creates, lists and revokes the API tokens of the served surfaces. Tokens are stored as SHA-256 hashes.
 * Each creation and revocation appends a system audit event (`token_created`, `token_revoked`) in the same
 * transaction, naming the token's id, name, role, agent and who acted — never the token.
 */
export interface TokenService {
  /**
   * Creates a token. @throws ValidationError naming the bad field (`role`, `agentId`, `name`, `expiresInMs`).
   */
  create(input: CreateTokenInput): Promise<CreatedToken>;
  /** Every token, oldest first (revoked and expired ones too). */
  list(): Promise<readonly ApiTokenRecord[]>;
  /**
   * Revokes a token; it is refused from the next request on. Revoking a revoked token returns it unchanged.
   * `options.by` names who revoked it in the `token_revoked` audit event.
   * @throws NotFoundError for an unknown id.
   */
  revoke(id: string, options?: { readonly by?: string }): Promise<ApiTokenRecord>;
  /**
   * Creates an admin token when no unrevoked, unexpired token exists; else `undefined`. Safe when several
   * servers start at once on one database: only one of them creates it.
   */
  ensureAdmin(): Promise<CreatedToken | undefined>;
}

/** Options of {@link createTokenService}. */
export interface TokenServiceOptions {
  readonly storage: Storage;
  /** Clock in epoch milliseconds (default `Date.now`). */
  readonly now?: () => number;
}

/** What a token is at `now`: `revoked`, `expired` or `active`. */
export type TokenStatus = "active" | "expired" | "revoked";

/** The status of `record` at `now` (a revoked token is `revoked` even when it has expired since). */
export function tokenStatus(record: ApiTokenRecord, now: number): TokenStatus {
  if (record.revokedAt !== null) return "revoked";
  return record.expiresAt !== null && record.expiresAt <= now ? "expired" : "active";
}

/** The largest `name` a token may have. */
export const MAX_TOKEN_NAME_LENGTH = 128;

/** The longest lifetime a token may be given: 100 years (longer is a mistake; omit the expiry instead). */
export const MAX_TOKEN_LIFETIME_MS = 100 * 365 * 86_400_000;

const toRecord = ({ hash: _hash, ...record }: StoredApiToken): ApiTokenRecord => record;

/** Appends the system audit event of a token change (never the token or its hash). */
async function audit(
  tx: StorageTx,
  kind: "token_created" | "token_revoked",
  t: StoredApiToken,
  by: string | null,
  at: number,
): Promise<void> {
  await tx.events.append({
    sessionId: null,
    kind,
    agentId: t.agentId,
    payload: { tokenId: t.id, name: t.name, role: t.role, expiresAt: t.expiresAt, by },
    at,
  });
}

/** Every problem of `input`, each naming its field. */
export function validateTokenInput(input: CreateTokenInput): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  if (!isRole(input.role)) issues.push({ path: "role", message: `expected one of ${ROLES.join("|")}` });
  if (input.role === "agent") {
    if (typeof input.agentId !== "string" || input.agentId.trim() === "")
      issues.push({ path: "agentId", message: "required for role agent: the agent the token acts as" });
  } else if (input.agentId !== undefined) {
    issues.push({ path: "agentId", message: "only the agent role is bound to an agent" });
  }
  if (input.name !== undefined && (typeof input.name !== "string" || input.name.trim() === ""))
    issues.push({ path: "name", message: "expected a non-empty string" });
  else if (input.name !== undefined && input.name.length > MAX_TOKEN_NAME_LENGTH)
    issues.push({ path: "name", message: `expected at most ${MAX_TOKEN_NAME_LENGTH} characters` });
  if (
    input.expiresInMs !== undefined &&
    (typeof input.expiresInMs !== "number" ||
      !Number.isSafeInteger(input.expiresInMs) ||
      input.expiresInMs <= 0 ||
      input.expiresInMs > MAX_TOKEN_LIFETIME_MS)
  )
    issues.push({
      path: "expiresInMs",
      message: "expected a positive integer number of milliseconds, at most 100 years",
    });
  return issues;
}

/**
 * The token service over a storage: random tokens (`acp_` + 32 random bytes, base64url), shown once, stored
 * only as their SHA-256 hash, expiring and revocable. Pair it with {@link createTokenAuth} to accept them.
 * @example
 * const tokens = createTokenService({ storage });
 * const first = await tokens.ensureAdmin(); // print first.token once on first start
 * const { token } = await tokens.create({ role: "agent", agentId: "billing-bot", expiresInMs: 30 * 86_400_000 });
 */
export function createTokenService(options: TokenServiceOptions): TokenService {
  const { storage } = options;
  const now = options.now ?? Date.now;

  const build = (input: CreateTokenInput, at: number): { token: string; stored: StoredApiToken } => {
    const issues = validateTokenInput(input);
    if (issues.length > 0) throw new ValidationError(issues, "token");
    const id = uuidv7(at);
    const token = newApiToken();
    const stored: StoredApiToken = {
      id,
      hash: hashApiToken(token),
      name: input.name ?? `${input.role}-${id.slice(-8)}`,
      role: input.role,
      agentId: input.role === "agent" ? input.agentId!.trim() : null,
      createdAt: at,
      expiresAt: input.expiresInMs === undefined ? null : at + input.expiresInMs,
      revokedAt: null,
      createdBy: input.createdBy ?? null,
    };
    return { token, stored };
  };

  return {
    async create(input) {
      const { token, stored } = build(input, now());
      await storage.transaction(async (tx) => {
        await tx.apiTokens.insert(stored);
        await audit(tx, "token_created", stored, stored.createdBy, stored.createdAt);
      });
      return { token, record: toRecord(stored) };
    },
    async list() {
      const rows = await storage.read((tx) => tx.apiTokens.list());
      return rows.map(toRecord);
    },
    async revoke(id, revokeOptions = {}) {
      const at = now();
      const record = await storage.transaction(async (tx) => {
        const revoked = await tx.apiTokens.revoke(id, at);
        if (revoked === undefined) return tx.apiTokens.get(id);
        await audit(tx, "token_revoked", revoked, revokeOptions.by ?? null, at);
        return revoked;
      });
      if (record === undefined) throw new NotFoundError("token", id);
      return toRecord(record);
    },
    async ensureAdmin() {
      const at = now();
      const { token, stored } = build({ role: "admin" }, at);
      const inserted = await storage.transaction(async (tx) => {
        if (!(await tx.apiTokens.insertIfNoneActive(stored, at))) return false;
        await audit(tx, "token_created", stored, null, at);
        return true;
      });
      return inserted ? { token, record: toRecord(stored) } : undefined;
    },
  };
}
