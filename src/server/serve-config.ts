import { z } from "zod";
import type { JwtAuthOptions } from "../auth/jwt-auth.js";
import { ROLES } from "../auth/roles.js";
import { NOTIFICATION_EVENT_KINDS, NOTIFICATION_TYPES } from "../notifications/event-types.js";
import { WEBHOOK_FORMATS, type WebhookConfig } from "../notifications/webhook-config.js";
import { durationSchema, parseDuration } from "../types/policy.js";

/** Log formats of `acp serve`: readable lines (`text`) or one JSON object per line (`json`). */
export const LOG_FORMATS = ["text", "json"] as const;
/** One of {@link LOG_FORMATS}. */
export type LogFormat = (typeof LOG_FORMATS)[number];

/** Defaults of `acp serve` settings that are neither on the command line nor in the config file. */
export const SERVE_DEFAULTS = {
  sqlite: "./acp.db",
  host: "127.0.0.1",
  port: 7400,
  logFormat: "text",
  maintenanceIntervalMs: 5_000,
  shutdownGraceMs: 10_000,
  maxBodyBytes: 1024 * 1024,
  ratePerMinute: 600,
  dashboardSessionTtlMs: 12 * 60 * 60 * 1000,
  notifierPollMs: 500,
  notificationRetentionMs: 7 * 24 * 60 * 60 * 1000,
} as const;

const positiveDuration = durationSchema.refine((v) => (parseDuration(v) ?? 0) > 0, {
  error: "expected a duration greater than zero",
});
const positiveInt = z.number().int().positive();
const nonEmpty = z.string().min(1);

/** The `limits` section of a serve config file. */
const limitsSchema = z
  .strictObject({
    max_body_bytes: positiveInt
      .optional()
      .meta({ description: "Largest request body in bytes; larger answers 413. Default 1048576 (1 MiB)." }),
    rate_per_minute: positiveInt.optional().meta({
      description:
        "Requests per minute per token (token bucket, bursts up to this many); over it 429. Default 600.",
    }),
  })
  .meta({ description: "Request limits of the HTTP API." });

/** The `jwt` section: bearer JWTs from an identity provider, verified against its JWKS. */
const jwtSchema = z
  .strictObject({
    issuer: nonEmpty.meta({ description: "Required `iss` of accepted tokens." }),
    audience: nonEmpty.meta({ description: "Required `aud` (the token must list it)." }),
    jwks_url: z.url({ protocol: /^https?$/ }).meta({ description: "URL of the issuer's JSON Web Key Set." }),
    role_claim: nonEmpty
      .optional()
      .meta({ description: 'Claim holding the caller\'s role (a string or a list). Default "role".' }),
    role_map: z.record(nonEmpty, z.enum(ROLES)).optional().meta({
      description:
        "Maps claim values (e.g. IdP group names) to roles: agent, viewer, approver, operator, admin. Without it the claim must hold role names.",
    }),
    agent_claim: nonEmpty
      .optional()
      .meta({ description: 'Claim holding the agent id an `agent` role acts as. Default "agent_id".' }),
    name_claim: nonEmpty
      .optional()
      .meta({ description: 'Claim naming who acts (recorded as decided_by). Default "sub".' }),
  })
  .meta({ description: "Optional JWT bearer tokens from an organisation's identity provider." });

/** The `dashboard` section: the operator dashboard served at `/`. */
const dashboardSchema = z
  .strictObject({
    enabled: z.boolean().optional().meta({ description: "Serve the dashboard at /. Default true." }),
    cookie_secret: z
      .string()
      .min(32)
      .optional()
      .meta({
        description:
          "Secret (at least 32 characters) sealing the sign-in cookies; give every instance the same one. " +
          "ACP_DASHBOARD_SECRET stands in for it. Default: random per process (a restart signs everyone out).",
      }),
    session_ttl: positiveDuration
      .optional()
      .meta({ description: 'How long a sign-in lasts. Default "12h".' }),
  })
  .meta({ description: "The operator dashboard (sign in with a token; HttpOnly SameSite=Strict cookie)." });

/** Names a webhook's `events` may hold: event kinds (`approval_requested`) or notification types (`ticket.pending`). */
const EVENT_NAMES = [...NOTIFICATION_EVENT_KINDS, ...Object.values(NOTIFICATION_TYPES)] as [
  string,
  ...string[],
];

/** One entry of `notifications.webhooks`. */
const webhookSchema = z
  .strictObject({
    name: z
      .string()
      .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, {
        error: "expected a name of letters, digits, _ . - (at most 64 characters)",
      })
      .meta({ description: "Unique name of the webhook (in logs, the body's `webhook` and the outbox)." }),
    url: z
      .url({ protocol: /^https?$/ })
      .meta({ description: "Where deliveries are POSTed (http or https)." }),
    secret: z
      .string()
      .min(16)
      .optional()
      .meta({
        description:
          "HMAC-SHA256 key of X-ACP-Signature (at least 16 characters). Prefer secret_env in production. " +
          "Required for the json format unless secret_env is given.",
      }),
    secret_env: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: "expected an environment variable name" })
      .optional()
      .meta({ description: "Name of the environment variable holding the secret (instead of secret)." }),
    events: z
      .array(z.enum(EVENT_NAMES))
      .min(1)
      .optional()
      .meta({
        description:
          "Events sent, as event kinds (approval_requested, …) or types (ticket.pending, …). Default: all of " +
          "approval_requested, approval_granted, approval_denied, approval_expired, approval_escalated, " +
          "kill_switch_engaged, kill_switch_released, budget_exhausted, outcome_unknown.",
      }),
    format: z.enum(WEBHOOK_FORMATS).optional().meta({
      description: "json (the signed envelope, default) or slack (a Slack incoming-webhook message).",
    }),
    timeout: positiveDuration.optional().meta({
      description: 'Longest wait for the receiver\'s answer; slower is a failed attempt. Default "10s".',
    }),
    max_attempts: z
      .number()
      .int()
      .min(1)
      .max(100)
      .optional()
      .meta({ description: "Attempts before a delivery is given up (dead). Default 12." }),
    backoff: z
      .strictObject({
        initial: positiveDuration
          .optional()
          .meta({ description: 'Delay after the first failure. Default "1s".' }),
        max: positiveDuration
          .optional()
          .meta({ description: 'Longest delay between attempts. Default "10m".' }),
      })
      .optional()
      .meta({ description: "Retry delays: doubling from initial up to max, with jitter." }),
  })
  .meta({ description: "A webhook notified of events." });

/** The `notifications` section. */
const notificationsSchema = z
  .strictObject({
    webhooks: z.array(webhookSchema).optional().meta({ description: "Webhooks notified of events." }),
    retention: positiveDuration.optional().meta({
      description: 'How long delivered and given-up deliveries stay in the outbox. Default "7d".',
    }),
  })
  .meta({
    description:
      "Notifications: webhooks on approval, kill-switch, budget and outcome events, sent from a durable outbox.",
  });

/** The `mcp` section: the governed MCP proxy served over Streamable HTTP at `/mcp`. */
const mcpSchema = z
  .strictObject({
    config: nonEmpty.meta({
      description:
        "MCP proxy config file (YAML or JSON, the file `acp mcp-proxy --config` takes): its upstream servers and " +
        "tool map are served at /mcp to `agent` tokens. Its storage is ignored: the server's own database is used.",
    }),
  })
  .meta({ description: "The governed MCP proxy over Streamable HTTP at /mcp (absent: no /mcp route)." });

/** The `audit` section: keys of the verifiable audit log. */
const auditSchema = z
  .strictObject({
    signing_key_file: nonEmpty.meta({
      description:
        "Audit key file (written by `acp audit keygen`): the maintenance loop seals an Ed25519-signed Merkle " +
        "checkpoint of the event feed whenever it grew; GET /v1/audit/checkpoint serves the newest.",
    }),
  })
  .meta({ description: "The verifiable audit log (absent: no checkpoints are sealed)." });

/**
 * The zod schema of an `acp serve` config file (YAML or JSON): the command-line settings plus limits,
 * maintenance, logging, shutdown and JWT settings. Keys are snake_case; unknown keys are errors. Relative
 * paths (`sqlite`, `policy`) are relative to the config file's directory.
 */
export const serveConfigSchema = z
  .strictObject({
    $schema: z.string().optional().meta({ description: "JSON Schema of this file, for editors (ignored)." }),
    sqlite: nonEmpty.optional().meta({
      description: "SQLite database file (created with its directory if missing). Default ./acp.db.",
    }),
    postgres: nonEmpty.optional().meta({
      description: "PostgreSQL connection string (instead of sqlite). ACP_DATABASE_URL stands in for it.",
    }),
    schema: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: "expected a PostgreSQL identifier (letters, digits, _)" })
      .optional()
      .meta({ description: "PostgreSQL schema of the control plane's tables. Default public." }),
    policy: nonEmpty.optional().meta({
      description: "Default policy file of new sessions (YAML or JSON). Without it every action is denied.",
    }),
    host: nonEmpty.optional().meta({ description: "Interface to listen on. Default 127.0.0.1." }),
    port: z
      .number()
      .int()
      .min(0)
      .max(65535)
      .optional()
      .meta({ description: "TCP port; 0 picks a free one (printed at start). Default 7400." }),
    log_format: z
      .enum(LOG_FORMATS)
      .optional()
      .meta({ description: "text (readable lines, default) or json (one JSON object per line)." }),
    maintenance_interval: positiveDuration.optional().meta({
      description:
        'Time between maintenance passes (lease recovery, ticket expiry, escalation). Default "5s".',
    }),
    shutdown_grace: positiveDuration.optional().meta({
      description:
        'Longest wait for in-flight requests on SIGTERM/SIGINT before connections are cut. Default "10s".',
    }),
    public_url: z
      .url({ protocol: /^https?$/ })
      .optional()
      .meta({
        description:
          "Address people reach this server at (https://acp.example.com): links in notifications and the origin " +
          "dashboard forms must come from. Default: the address it listens on.",
      }),
    limits: limitsSchema.optional(),
    jwt: jwtSchema.optional(),
    dashboard: dashboardSchema.optional(),
    notifications: notificationsSchema.optional(),
    mcp: mcpSchema.optional(),
    audit: auditSchema.optional(),
    model_prices: z
      .record(
        z.string().min(1).max(200),
        z.strictObject({
          input_per_million_tokens: z.union([z.string(), z.number()]),
          output_per_million_tokens: z.union([z.string(), z.number()]),
        }),
      )
      .optional()
      .meta({
        description:
          'Prices per model in currency units per million tokens ({ "gpt-4o": { input_per_million_tokens: "2.5", ' +
          'output_per_million_tokens: "10" } }): they price a model call\'s tokens when it gives no cost (token budgets).',
      }),
  })
  .meta({ title: "acp serve config" });

/** A config file as written (snake_case, every key optional). */
export type ServeConfigFile = z.infer<typeof serveConfigSchema>;

/** JWT settings after resolution (camelCase): the options of the JWT authenticator. */
export type ServeJwtConfig = JwtAuthOptions;

/** Where the server keeps its state. */
export type ServeStorageConfig =
  | { readonly kind: "sqlite"; readonly path: string }
  | { readonly kind: "postgres"; readonly url: string; readonly schema?: string };

/** The settings `acp serve` runs with: command line over environment over config file over defaults. */
export interface ServeConfig {
  readonly storage: ServeStorageConfig;
  /** Policy file; `undefined` runs with a policy that denies every action. */
  readonly policy?: string;
  readonly host: string;
  readonly port: number;
  readonly logFormat: LogFormat;
  readonly maintenanceIntervalMs: number;
  readonly shutdownGraceMs: number;
  readonly limits: { readonly maxBodyBytes: number; readonly ratePerMinute: number };
  readonly jwt?: ServeJwtConfig;
  /** Public address (links, expected origin); `undefined`: the listening address. */
  readonly publicUrl?: string;
  /** The dashboard: `false` when disabled. */
  readonly dashboard: false | { readonly cookieSecret?: string; readonly sessionTtlMs: number };
  /** Webhooks notified of events (absent or empty: no notifier runs). */
  readonly notifications?: {
    readonly webhooks: readonly WebhookConfig[];
    /** How long finished deliveries are kept (ms). */
    readonly retentionMs: number;
  };
  /** The MCP proxy config served at `/mcp` (absolute path); `undefined`: no `/mcp` route. */
  readonly mcpConfig?: string;
  /** The audit key file (absolute path); `undefined`: no checkpoints are sealed. */
  readonly auditKeyFile?: string;
  /** The config file read, if any (absolute path). */
  readonly configFile?: string;
  /** Prices per model (the control plane's `modelPrices`); absent: none. */
  readonly modelPrices?: Readonly<
    Record<
      string,
      { readonly inputPerMillionTokens: string | number; readonly outputPerMillionTokens: string | number }
    >
  >;
}

/**
 * The JSON Schema (draft 2020-12) of a serve config file, for editors; generated from {@link serveConfigSchema}
 * and shipped as `schema/serve-config.schema.json`.
 * @example writeFileSync("serve-config.schema.json", JSON.stringify(serveConfigJsonSchema(), null, 2));
 */
export function serveConfigJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(serveConfigSchema, { io: "input", unrepresentable: "any" }) as Record<
    string,
    unknown
  >;
  return { ...schema, $id: "https://agent-control-plane.dev/schema/serve-config.schema.json" };
}
