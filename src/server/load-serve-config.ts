import { dirname, resolve } from "node:path";
import { z } from "zod";
import { formatPath, type PathSegment, zodMessage } from "../engines/conditions/issue-path.js";
import { checkKnownKeys } from "../errors/unknown-keys.js";
import { ValidationError, type ValidationIssue } from "../errors/validation-error.js";
import { readConfigFile } from "../types/config-file.js";
import { parseDuration } from "../types/policy.js";
import { resolveNotifications } from "./resolve-notifications.js";
import {
  LOG_FORMATS,
  type LogFormat,
  SERVE_DEFAULTS,
  type ServeConfig,
  type ServeConfigFile,
  type ServeJwtConfig,
  type ServeStorageConfig,
  serveConfigSchema,
} from "./serve-config.js";

/** The settings given on the command line of `acp serve` (all strings, as typed). */
export interface ServeFlags {
  readonly sqlite?: string | undefined;
  readonly postgres?: string | undefined;
  readonly schema?: string | undefined;
  readonly policy?: string | undefined;
  readonly host?: string | undefined;
  readonly port?: string | undefined;
  readonly config?: string | undefined;
  readonly logFormat?: string | undefined;
  readonly maintenanceInterval?: string | undefined;
  readonly shutdownGrace?: string | undefined;
  readonly mcpConfig?: string | undefined;
}

/** The keys an object schema allows at `path` inside `schema` (empty when there is no object there). */
function keysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let node: unknown = schema;
  const unwrap = () => {
    while (node instanceof z.ZodOptional || node instanceof z.ZodDefault) node = node.unwrap();
  };
  for (const segment of path) {
    unwrap();
    if (node instanceof z.ZodArray && typeof segment === "number") {
      node = node.element;
      continue;
    }
    if (!(node instanceof z.ZodObject)) return [];
    node = (node.shape as Record<string, unknown>)[String(segment)];
  }
  unwrap();
  return node instanceof z.ZodObject ? Object.keys(node.shape) : [];
}

/**
 * Checks a parsed config document against {@link serveConfigSchema}. Unknown keys are errors with the allowed
 * keys and a "did you mean" hint.
 * @throws ValidationError naming each bad path and the file (`subject`).
 */
export function parseServeConfig(input: unknown, subject = "serve config"): ServeConfigFile {
  const parsed = serveConfigSchema.safeParse(input, { error: zodMessage });
  if (parsed.success) return parsed.data;
  const issues: ValidationIssue[] = [];
  for (const issue of parsed.error.issues) {
    const path = issue.path as PathSegment[];
    if (issue.code === "unrecognized_keys") {
      const unknown = Object.fromEntries(issue.keys.map((k) => [k, true]));
      const prefix = path.length === 0 ? "" : `${formatPath(path)}.`;
      checkKnownKeys(unknown, keysAt(serveConfigSchema, path), prefix, issues);
    } else {
      issues.push({ path: formatPath(path), message: issue.message });
    }
  }
  throw new ValidationError(issues, subject);
}

/**
 * Reads and validates a config file (YAML or JSON, by content).
 * @throws ValidationError naming the file and each bad path (or the syntax error's line and column).
 */
export function readServeConfigFile(file: string): ServeConfigFile {
  const subject = `config file ${file}`;
  return parseServeConfig(readConfigFile(file, subject), subject);
}

function flagError(flag: string, message: string, received: unknown): ValidationError {
  return new ValidationError([{ path: flag, message, received }], "command line");
}

function durationFlag(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = parseDuration(value);
  if (ms === undefined || ms <= 0)
    throw flagError(flag, 'expected a duration like "500ms", "5s" or "1m"', value);
  return ms;
}

function portFlag(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const port = /^\d{1,5}$/.test(value) ? Number(value) : Number.NaN;
  if (!(port >= 0 && port <= 65535)) throw flagError("--port", "expected a port number 0..65535", value);
  return port;
}

function resolveStorage(
  flags: ServeFlags,
  file: ServeConfigFile,
  base: string,
  env: NodeJS.ProcessEnv,
): ServeStorageConfig {
  if (flags.sqlite !== undefined && flags.postgres !== undefined) {
    throw flagError("--sqlite / --postgres", "give at most one of --sqlite and --postgres", undefined);
  }
  if (file.sqlite !== undefined && file.postgres !== undefined) {
    throw new ValidationError(
      [{ path: "sqlite / postgres", message: "give at most one of sqlite and postgres" }],
      "serve config",
    );
  }
  const schema = flags.schema ?? file.schema;
  if (flags.sqlite !== undefined) return { kind: "sqlite", path: flags.sqlite };
  if (flags.postgres !== undefined)
    return { kind: "postgres", url: flags.postgres, ...(schema ? { schema } : {}) };
  const fromEnv = env.ACP_DATABASE_URL;
  if (fromEnv) return { kind: "postgres", url: fromEnv, ...(schema ? { schema } : {}) };
  if (file.postgres !== undefined)
    return { kind: "postgres", url: file.postgres, ...(schema ? { schema } : {}) };
  if (file.sqlite !== undefined) return { kind: "sqlite", path: resolve(base, file.sqlite) };
  return { kind: "sqlite", path: SERVE_DEFAULTS.sqlite };
}

function resolveJwt(jwt: ServeConfigFile["jwt"]): ServeJwtConfig | undefined {
  if (jwt === undefined) return undefined;
  return {
    issuer: jwt.issuer,
    audience: jwt.audience,
    jwksUrl: jwt.jwks_url,
    ...(jwt.role_claim !== undefined ? { roleClaim: jwt.role_claim } : {}),
    ...(jwt.role_map !== undefined ? { roleMap: jwt.role_map } : {}),
    ...(jwt.agent_claim !== undefined ? { agentClaim: jwt.agent_claim } : {}),
    ...(jwt.name_claim !== undefined ? { nameClaim: jwt.name_claim } : {}),
  };
}

/**
 * Resolves the settings of `acp serve`: each comes from the command line, else (for the database)
 * `ACP_DATABASE_URL`, else the `--config` file, else its default. Paths in the config file are relative to
 * the file's directory; paths on the command line to the working directory.
 * @throws ValidationError naming the bad flag, or the file and the bad path inside it.
 */
export function loadServeConfig(flags: ServeFlags, env: NodeJS.ProcessEnv = process.env): ServeConfig {
  const configFile = flags.config === undefined ? undefined : resolve(flags.config);
  const file = configFile === undefined ? {} : readServeConfigFile(configFile);
  const base = configFile === undefined ? process.cwd() : dirname(configFile);
  if (flags.logFormat !== undefined && !(LOG_FORMATS as readonly string[]).includes(flags.logFormat)) {
    throw flagError("--log-format", `expected ${LOG_FORMATS.join(" or ")}`, flags.logFormat);
  }
  if (flags.schema !== undefined && !/^[A-Za-z_][A-Za-z0-9_]*$/.test(flags.schema)) {
    throw flagError("--schema", "expected a PostgreSQL identifier (letters, digits, _)", flags.schema);
  }
  if (flags.host !== undefined && flags.host.trim() === "")
    throw flagError("--host", "expected a host name", "");
  const policy = flags.policy ?? (file.policy === undefined ? undefined : resolve(base, file.policy));
  const jwt = resolveJwt(file.jwt);
  const mcpConfig =
    flags.mcpConfig !== undefined
      ? resolve(flags.mcpConfig)
      : file.mcp === undefined
        ? undefined
        : resolve(base, file.mcp.config);
  return {
    storage: resolveStorage(flags, file, base, env),
    ...(policy !== undefined ? { policy } : {}),
    host: flags.host ?? file.host ?? SERVE_DEFAULTS.host,
    port: portFlag(flags.port) ?? file.port ?? SERVE_DEFAULTS.port,
    logFormat: (flags.logFormat as LogFormat | undefined) ?? file.log_format ?? SERVE_DEFAULTS.logFormat,
    maintenanceIntervalMs:
      durationFlag("--maintenance-interval", flags.maintenanceInterval) ??
      parseDuration(file.maintenance_interval) ??
      SERVE_DEFAULTS.maintenanceIntervalMs,
    shutdownGraceMs:
      durationFlag("--shutdown-grace", flags.shutdownGrace) ??
      parseDuration(file.shutdown_grace) ??
      SERVE_DEFAULTS.shutdownGraceMs,
    limits: {
      maxBodyBytes: file.limits?.max_body_bytes ?? SERVE_DEFAULTS.maxBodyBytes,
      ratePerMinute: file.limits?.rate_per_minute ?? SERVE_DEFAULTS.ratePerMinute,
    },
    ...(jwt !== undefined ? { jwt } : {}),
    ...(file.public_url !== undefined ? { publicUrl: file.public_url } : {}),
    dashboard: resolveDashboard(file.dashboard, env),
    ...(file.notifications?.webhooks?.length
      ? { notifications: resolveNotifications(file.notifications, env) }
      : {}),
    ...(mcpConfig !== undefined ? { mcpConfig } : {}),
    ...(file.audit !== undefined ? { auditKeyFile: resolve(base, file.audit.signing_key_file) } : {}),
    ...(configFile !== undefined ? { configFile } : {}),
    ...(file.model_prices !== undefined
      ? {
          modelPrices: Object.fromEntries(
            Object.entries(file.model_prices).map(([model, p]) => [
              model,
              {
                inputPerMillionTokens: p.input_per_million_tokens,
                outputPerMillionTokens: p.output_per_million_tokens,
              },
            ]),
          ),
        }
      : {}),
  };
}

/** The dashboard settings: the file's, with `ACP_DASHBOARD_SECRET` standing in for `cookie_secret`. */
function resolveDashboard(
  given: ServeConfigFile["dashboard"],
  env: NodeJS.ProcessEnv,
): ServeConfig["dashboard"] {
  if (given?.enabled === false) return false;
  const secret = given?.cookie_secret ?? (env.ACP_DASHBOARD_SECRET || undefined);
  if (secret !== undefined && secret.length < 32) {
    throw new ValidationError(
      [
        {
          path: "ACP_DASHBOARD_SECRET",
          message: "expected at least 32 characters",
          received: `${secret.length} characters`,
        },
      ],
      "environment",
    );
  }
  return {
    ...(secret !== undefined ? { cookieSecret: secret } : {}),
    sessionTtlMs: parseDuration(given?.session_ttl) ?? SERVE_DEFAULTS.dashboardSessionTtlMs,
  };
}
