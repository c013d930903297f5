/**
 * The zod schema of an MCP proxy config file (`acp mcp-proxy --config mcp.yaml`, or the `/mcp` endpoint of
 * `acp serve`) and the JSON Schema generated from it. Keys are snake_case except `mcpServers`, which keeps the
 * shape MCP users already have; unknown keys are errors. See `loadMcpConfig` in config.ts for the resolution.
 */
import { z } from "zod";
import { ValidationError } from "../errors/validation-error.js";
import { toMicros } from "../types/money.js";
import { durationSchema, parseDuration } from "../types/policy.js";
import { MAX_SERVER_NAME_LENGTH, SERVER_NAME_PATTERN } from "./tool-names.js";

/** Defaults of the settings a config file may leave out. */
export const MCP_CONFIG_DEFAULTS = Object.freeze({
  approvalWaitMs: 30_000,
  heartbeatMs: 10_000,
  agentId: "mcp-client",
  resourceType: "mcp_tool",
});

/** Longest `approval_wait` accepted: MCP clients give up on a request long before this. */
export const MAX_APPROVAL_WAIT_MS = 10 * 60 * 1000;

const nonEmpty = z.string().min(1);
/** How the descriptions write an environment reference. */
const ENV_REF = `\${NAME}`;
/** `args.` followed by dotted segments: a path into the call's arguments. */
export const ARGUMENT_PATH = /^args\.[^.]+(?:\.[^.]+)*$/;
const DECIMAL = /^\d+(?:\.\d{1,6})?$/;

const costSchema = z
  .union([
    z.number().nonnegative(),
    z.string().regex(new RegExp(`${ARGUMENT_PATH.source}|${DECIMAL.source}`), {
      error: 'expected a non-negative amount or an argument path like "args.amount"',
    }),
  ])
  .superRefine((value, ctx) => {
    if (typeof value === "string" && ARGUMENT_PATH.test(value)) return;
    try {
      toMicros(value, "cost");
    } catch (error) {
      const issue = error instanceof ValidationError ? error.issues[0]?.message : undefined;
      ctx.addIssue({ code: "custom", message: issue ?? "expected a non-negative amount" });
    }
  })
  .meta({
    description:
      'Cost of a call: a fixed non-negative amount (at most 6 fraction digits), or "args.<path>" to read it from ' +
      "the call's arguments (nested: args.order.total). A missing or non-numeric argument denies the call. Default 0.",
  });

const resourceSchema = nonEmpty.meta({
  description:
    'Resource id of a call: "args.<path>" reads it from the arguments (args.path), any other text is a fixed id. ' +
    "A missing argument denies the call. The control plane locks the resource while a call on it runs. Default: " +
    "none (no lock: parallel calls of the tool all run).",
});

/** One entry of the tool map (and the `default` mapping). */
export const toolMappingSchema = z
  .strictObject({
    action: nonEmpty.optional().meta({
      description:
        "Control-plane action of a call (policy tiers apply to it). Omitted: chosen from the upstream tool's " +
        "annotations: readOnlyHint true → mcp.read, destructiveHint false → mcp.write, else mcp.destructive.",
    }),
    cost: costSchema.optional(),
    resource: resourceSchema.optional(),
    resource_type: nonEmpty.optional().meta({ description: 'Resource type of a call. Default "mcp_tool".' }),
    hide: z.boolean().optional().meta({
      description: "Hide the tool: not listed, and a call to it is a JSON-RPC error -32602. Default false.",
    }),
    user_may_approve: z
      .boolean()
      .optional()
      .meta({
        description:
          "The MCP client's user may approve a pending call of this tool through elicitation. Default false " +
          "(only operators approve, from the dashboard or the CLI).",
      }),
  })
  .meta({ description: "How calls to a tool are governed." });

const envValues = z.record(z.string(), z.string()).meta({
  description: `Values may use ${ENV_REF} (the proxy's environment; unset is an error), ${ENV_REF.slice(0, -1)}:-fallback}, and $$ for $.`,
});

const stdioServerSchema = z
  .strictObject({
    type: z.literal("stdio").optional().meta({ description: "Transport (implied by command)." }),
    command: nonEmpty.meta({ description: "Program to start (looked up on PATH)." }),
    args: z.array(z.string()).optional().meta({ description: "Its arguments." }),
    env: envValues.optional().meta({
      description: `Environment variables given to the child. ${ENV_REF} expands from the proxy's environment.`,
    }),
    cwd: nonEmpty
      .optional()
      .meta({ description: "Working directory of the child (relative: to the config file's directory)." }),
  })
  .meta({
    title: "stdio upstream",
    description: "An MCP server started as a child process, spoken to over stdio.",
  });

const httpServerSchema = z
  .strictObject({
    type: z
      .enum(["http", "streamable-http", "streamableHttp"])
      .optional()
      .meta({ description: "Transport (implied by url)." }),
    url: z
      .url({ protocol: /^https?$/, error: "expected an http:// or https:// URL" })
      .meta({ description: "Streamable HTTP endpoint of the server." }),
    headers: envValues.optional().meta({
      description: `HTTP headers sent with every request (Authorization…). ${ENV_REF} expands from the environment.`,
    }),
  })
  .meta({ title: "Streamable HTTP upstream", description: "An MCP server reached over Streamable HTTP." });

const serverName = z
  .string()
  .max(MAX_SERVER_NAME_LENGTH)
  .regex(SERVER_NAME_PATTERN, {
    error: `expected a server name of letters, digits and -, joined by single _ (at most ${MAX_SERVER_NAME_LENGTH} characters)`,
  });

const positiveDuration = durationSchema.refine((v) => (parseDuration(v) ?? 0) > 0, {
  error: "expected a duration greater than zero",
});

/**
 * The zod schema of an MCP proxy config file (YAML or JSON). Relative paths (`storage.sqlite`, `policy`, `cwd`)
 * are relative to the config file's directory.
 */
export const mcpConfigSchema = z
  .strictObject({
    $schema: z.string().optional().meta({ description: "JSON Schema of this file, for editors (ignored)." }),
    storage: z
      .union([
        z.strictObject({
          sqlite: nonEmpty.meta({ description: "SQLite database file, the one `acp serve` uses." }),
        }),
        z.strictObject({
          postgres: nonEmpty.meta({
            description: `PostgreSQL connection string, the one \`acp serve\` uses. ${ENV_REF} expands from the environment.`,
          }),
          schema: z
            .string()
            .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, {
              error: "expected a PostgreSQL identifier (letters, digits, _)",
            })
            .optional()
            .meta({ description: "PostgreSQL schema of the control plane's tables. Default public." }),
        }),
      ])
      .meta({
        description:
          "The control plane's database: the same one an `acp serve` uses, so operators approve from its dashboard or CLI.",
      }),
    policy: nonEmpty.optional().meta({
      description:
        "Default policy of the proxy's sessions (YAML or JSON file). Without it every action is denied.",
    }),
    agent_id: nonEmpty
      .max(200)
      .optional()
      .meta({
        description: `Agent id a stdio client acts as (over HTTP the bearer token's agent is used). Default "${MCP_CONFIG_DEFAULTS.agentId}".`,
      }),
    approval_wait: durationSchema
      .refine((v) => (parseDuration(v) ?? Number.POSITIVE_INFINITY) <= MAX_APPROVAL_WAIT_MS, {
        error: "expected at most 10m",
      })
      .optional()
      .meta({
        description:
          'Longest wait inside one tools/call for a pending approval before answering "retry the same call". Default "30s"; "0s" answers at once.',
      }),
    heartbeat: positiveDuration
      .optional()
      .meta({ description: 'Lease heartbeat interval while a forwarded call runs. Default "10s".' }),
    mcpServers: z.record(serverName, z.union([stdioServerSchema, httpServerSchema])).meta({
      description: "Upstream MCP servers by name (`command`/`args`/`env`/`cwd` or `url`/`headers`).",
    }),
    tools: z
      .record(
        z.string().regex(/^[A-Za-z0-9_*?-]+$/, {
          error: "expected a glob over exposed names ([A-Za-z0-9_-], * and ?)",
        }),
        toolMappingSchema,
      )
      .optional()
      .meta({
        description:
          "Tool map keyed by exposed name (server__tool) glob, case-insensitive; the first matching entry (in file order) applies.",
      }),
    default: toolMappingSchema.optional().meta({
      description:
        "Mapping of tools no entry of `tools` matches. Without it those tools are denied (fail closed).",
    }),
  })
  .meta({ title: "acp MCP proxy config" });

/** A config file as written (snake_case). */
export type McpConfigFile = z.infer<typeof mcpConfigSchema>;
/** One tool map entry as written. */
export type ToolMappingFile = z.infer<typeof toolMappingSchema>;

/**
 * The JSON Schema (draft 2020-12) of an MCP proxy config file, for editors; generated from
 * {@link mcpConfigSchema} and shipped as `schema/mcp-config.schema.json`.
 */
export function mcpConfigJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(mcpConfigSchema, { io: "input", unrepresentable: "any" }) as Record<
    string,
    unknown
  >;
  return { ...schema, $id: "https://agent-control-plane.dev/schema/mcp-config.schema.json" };
}
