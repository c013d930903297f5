/**
 * Loading the MCP proxy's config file (YAML or JSON): syntax, the strict schema of config-schema.ts, then the
 * checks and defaults that give the resolved {@link McpConfig}. Every error names the file and the bad path.
 */

import { dirname, resolve } from "node:path";
import { z } from "zod";
import { formatPath, type PathSegment, zodMessage } from "../engines/conditions/issue-path.js";
import { checkKnownKeys } from "../errors/unknown-keys.js";
import { ValidationError, type ValidationIssue } from "../errors/validation-error.js";
import { readConfigFile } from "../types/config-file.js";
import { parseDuration } from "../types/policy.js";
import { expandEnv, expandEnvRecord } from "./config-env.js";
import {
  ARGUMENT_PATH,
  MCP_CONFIG_DEFAULTS,
  type McpConfigFile,
  mcpConfigSchema,
  type ToolMappingFile,
} from "./config-schema.js";
import { HINT_ACTIONS } from "./tool-map.js";
import type { McpConfig, ToolMapping, UpstreamConfig, ValueSource } from "./types.js";

/** Where a config comes from: its text's file name (for messages and relative paths) and the environment. */
export interface McpConfigSource {
  /** The file the config was read from: relative paths resolve against its directory; errors name it. */
  readonly file?: string;
  /** Environment for `${NAME}` expansion. Default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/**
 * The keys the object schema allows at `path` (for "unknown key, did you mean" messages). Where the schema is a
 * union of objects (stdio or HTTP upstream), the alternative sharing most keys with the input `value` is used.
 */
function keysAt(path: readonly PropertyKey[], value: unknown): string[] {
  let node: unknown = mcpConfigSchema;
  const unwrap = () => {
    while (node instanceof z.ZodOptional || node instanceof z.ZodDefault) node = node.unwrap();
  };
  for (const segment of path) {
    unwrap();
    if (node instanceof z.ZodRecord) node = node.valueType;
    else if (node instanceof z.ZodObject) node = (node.shape as Record<string, unknown>)[String(segment)];
    else return [];
  }
  unwrap();
  if (node instanceof z.ZodUnion) {
    const given = value !== null && typeof value === "object" ? Object.keys(value) : [];
    const options = (node.options as unknown[]).filter((o) => o instanceof z.ZodObject) as z.ZodObject[];
    const score = (o: z.ZodObject) => given.filter((k) => k in o.shape).length;
    const best = options.sort((a, b) => score(b) - score(a))[0];
    return best === undefined ? [] : Object.keys(best.shape);
  }
  return node instanceof z.ZodObject ? Object.keys(node.shape) : [];
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let node = input;
  for (const segment of path) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<PropertyKey, unknown>)[segment];
  }
  return node;
}

function schemaIssues(error: z.ZodError, input: unknown): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  for (const issue of error.issues) {
    const path = issue.path as PathSegment[];
    if (issue.code === "unrecognized_keys") {
      const unknown = Object.fromEntries(issue.keys.map((k) => [k, true]));
      const allowed = keysAt(path, valueAt(input, path));
      checkKnownKeys(unknown, allowed, path.length === 0 ? "" : `${formatPath(path)}.`, issues);
    } else if (issue.code === "invalid_key") {
      for (const sub of issue.issues) issues.push({ path: formatPath(path), message: sub.message });
    } else if (issue.code === "invalid_union" && issue.errors.length > 0) {
      // Report the alternative that got furthest (fewest problems) rather than "invalid input".
      const best = [...issue.errors].sort((a, b) => a.length - b.length)[0]!;
      for (const sub of best) {
        const full = [...path, ...(sub.path as PathSegment[])];
        issues.push({ path: formatPath(full), message: sub.message });
      }
    } else {
      issues.push({ path: formatPath(path), message: issue.message });
    }
  }
  return issues;
}

function valueSource(text: string | number): ValueSource {
  if (typeof text === "string" && ARGUMENT_PATH.test(text)) return { argument: text.slice("args.".length) };
  return { value: text };
}

function toMapping(entry: ToolMappingFile): ToolMapping {
  return {
    action: entry.action ?? HINT_ACTIONS.destructive,
    ...(entry.action === undefined ? { actionFromHints: true } : {}),
    ...(entry.cost !== undefined ? { cost: valueSource(entry.cost) } : {}),
    ...(entry.resource !== undefined ? { resource: valueSource(entry.resource) } : {}),
    resourceType: entry.resource_type ?? MCP_CONFIG_DEFAULTS.resourceType,
    hide: entry.hide ?? false,
    userMayApprove: entry.user_may_approve ?? false,
  };
}

function upstream(
  name: string,
  given: McpConfigFile["mcpServers"][string],
  base: string,
  env: Readonly<Record<string, string | undefined>>,
  issues: ValidationIssue[],
): UpstreamConfig {
  if ("command" in given) {
    return {
      transport: "stdio",
      command: given.command,
      args: given.args ?? [],
      env: expandEnvRecord(given.env, env, ["mcpServers", name, "env"], issues),
      ...(given.cwd !== undefined ? { cwd: resolve(base, given.cwd) } : {}),
    };
  }
  return {
    transport: "http",
    url: given.url,
    headers: expandEnvRecord(given.headers, env, ["mcpServers", name, "headers"], issues),
  };
}

/**
 * A tool map pattern without wildcards names one exposed tool: it must start with a configured `server__`,
 * else it can never match (a common slip: the upstream tool name without its server).
 */
function checkPattern(pattern: string, servers: readonly string[], issues: ValidationIssue[]): void {
  if (/[*?]/.test(pattern)) return;
  const lower = pattern.toLowerCase();
  if (servers.some((s) => lower.startsWith(`${s.toLowerCase()}__`) && lower.length > s.length + 2)) return;
  issues.push({
    path: formatPath(["tools", pattern]),
    message: `matches no tool: exposed names are server__tool with a server of mcpServers (${servers.join(", ") || "none"})`,
  });
}

/**
 * Checks a parsed config document and resolves it: defaults, `${NAME}` expansion, relative paths against
 * `source.file`'s directory (else the working directory).
 * @throws ValidationError naming the file (or "MCP config") and each bad path.
 */
export function parseMcpConfig(input: unknown, source: McpConfigSource = {}): McpConfig {
  const subject = source.file === undefined ? "MCP config" : `config file ${source.file}`;
  const parsed = mcpConfigSchema.safeParse(input, { error: zodMessage });
  if (!parsed.success) throw new ValidationError(schemaIssues(parsed.error, input), subject);
  const file = parsed.data;
  const env = source.env ?? process.env;
  const base = source.file === undefined ? process.cwd() : dirname(resolve(source.file));
  const issues: ValidationIssue[] = [];
  const servers = Object.keys(file.mcpServers);
  const mcpServers: Record<string, UpstreamConfig> = {};
  for (const name of servers) mcpServers[name] = upstream(name, file.mcpServers[name]!, base, env, issues);
  const tools = Object.entries(file.tools ?? {}).map(([pattern, entry]) => {
    checkPattern(pattern, servers, issues);
    return { pattern, mapping: toMapping(entry) };
  });
  const storage: McpConfig["storage"] =
    "sqlite" in file.storage
      ? { sqlite: resolve(base, file.storage.sqlite) }
      : {
          postgres: expandEnv(file.storage.postgres, env, "storage.postgres", issues),
          ...(file.storage.schema !== undefined ? { schema: file.storage.schema } : {}),
        };
  if (issues.length > 0) throw new ValidationError(issues, subject);
  return {
    storage,
    ...(file.policy !== undefined ? { policy: resolve(base, file.policy) } : {}),
    mcpServers,
    tools,
    ...(file.default !== undefined ? { defaultMapping: toMapping(file.default) } : {}),
    approvalWaitMs: parseDuration(file.approval_wait) ?? MCP_CONFIG_DEFAULTS.approvalWaitMs,
    heartbeatMs: parseDuration(file.heartbeat) ?? MCP_CONFIG_DEFAULTS.heartbeatMs,
    agentId: file.agent_id ?? MCP_CONFIG_DEFAULTS.agentId,
  };
}

/**
 * Reads, validates and resolves an MCP proxy config file (YAML or JSON, by content).
 * @throws ValidationError naming the file and each bad path (or the syntax error's line and column).
 * @example const config = loadMcpConfig("mcp.yaml"); config.mcpServers.fs?.transport // "stdio"
 */
export function loadMcpConfig(file: string, env?: Readonly<Record<string, string | undefined>>): McpConfig {
  const path = resolve(file);
  const value = readConfigFile(path);
  return parseMcpConfig(value, { file: path, ...(env !== undefined ? { env } : {}) });
}
