import type { ToolCallRequest } from "langchain";
import { checkKnownKeys } from "../../errors/unknown-keys.js";
import { ValidationError, type ValidationIssue } from "../../errors/validation-error.js";
import { MAPPING_KEYS } from "../govern-mapping.js";
import type { ToolMapping } from "../govern-types.js";

/** The arguments of a LangChain tool call (`tool_call.args`), as the model produced them. */
export type LangChainToolArgs = Readonly<Record<string, unknown>>;

/**
 * How one LangChain tool's calls become proposals: a {@link ToolMapping} over the call's arguments whose
 * `action` defaults to the tool's name. Functions receive `tool_call.args`; `actualCost` receives the tool's
 * `ToolMessage` (or `Command`).
 * @example
 * { action: "send_email", resourceId: (args) => String(args.to), cost: "0.01" }
 */
export type LangChainToolMapping = Omit<ToolMapping<LangChainToolArgs>, "action"> & {
  readonly action?: ToolMapping<LangChainToolArgs>["action"];
};

/** A value of the middleware options: fixed, or read from the tool call request (state, runtime, call). */
export type FromRequest<T> = T | ((request: ToolCallRequest) => T);

/**
 * Options of {@link governToolCalls}.
 * @example
 * governToolCalls(cp, {
 *   sessionId: session.id,
 *   tools: { send_email: { resourceId: (args) => String(args.to), cost: "0.01" } },
 *   defaults: { killPollMs: 100 },
 * })
 */
export interface GovernToolCallsOptions {
  /**
   * The control-plane session of every call (or a function of the request, e.g. of
   * `request.runtime.configurable.thread_id`). A tool's mapping may name its own.
   */
  readonly sessionId?: FromRequest<string | Promise<string>>;
  /** The agent making the calls (or a function of the request). A tool's mapping may name its own. */
  readonly agentId?: FromRequest<string | undefined>;
  /** Per tool name: how its calls map to proposals. Tools not listed are governed with `defaults`. */
  readonly tools?: Readonly<Record<string, LangChainToolMapping>>;
  /** Mapping fields every tool shares (a tool's own entry overrides them field by field). */
  readonly defaults?: LangChainToolMapping;
  /** The middleware's name in the agent (default `"AgentControlPlane"`). */
  readonly name?: string;
}

const OPTION_KEYS = ["sessionId", "agentId", "tools", "defaults", "name"] as const;
const FUNCTION_ONLY = new Set<string>(["actualCost", "args"]);
const NUMBERS = new Set<string>(["approvalWaitMs", "heartbeatMs", "killPollMs"]);

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function checkMapping(mapping: unknown, path: string, issues: ValidationIssue[]): void {
  if (!isPlainObject(mapping)) {
    issues.push({ path, message: "expected an object", received: mapping });
    return;
  }
  checkKnownKeys(mapping, MAPPING_KEYS, `${path}.`, issues);
  for (const [key, value] of Object.entries(mapping)) {
    if (value === undefined || !MAPPING_KEYS.includes(key)) continue;
    const at = `${path}.${key}`;
    if (FUNCTION_ONLY.has(key)) {
      if (typeof value !== "function")
        issues.push({ path: at, message: "expected a function", received: value });
    } else if (NUMBERS.has(key)) {
      if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
        issues.push({ path: at, message: "expected a finite number >= 0", received: value });
      }
    } else if (key === "metadata") {
      if (!isPlainObject(value)) issues.push({ path: at, message: "expected an object", received: value });
    } else if ((key === "action" || key === "toolName") && typeof value === "string" && value.trim() === "") {
      issues.push({ path: at, message: "expected a non-empty string", received: value });
    }
  }
}

function checkFromRequest(value: unknown, path: string, issues: ValidationIssue[]): void {
  if (value === undefined || typeof value === "function") return;
  if (typeof value !== "string" || value.trim() === "") {
    issues.push({
      path,
      message: "expected a non-empty string or a function of the request",
      received: value,
    });
  }
}

/**
 * Checks the middleware options eagerly, before any agent runs.
 * @throws ValidationError naming each bad path (`options.tools.send_email.cost`, `options.sesionId`, ...).
 */
export function validateGovernToolCallsOptions(options: unknown): GovernToolCallsOptions {
  const issues: ValidationIssue[] = [];
  if (options === undefined) return {};
  if (!isPlainObject(options)) {
    throw new ValidationError(
      [{ path: "options", message: "expected an object", received: options }],
      "langchain options",
    );
  }
  checkKnownKeys(options, OPTION_KEYS, "options.", issues);
  checkFromRequest(options.sessionId, "options.sessionId", issues);
  checkFromRequest(options.agentId, "options.agentId", issues);
  if (options.name !== undefined && (typeof options.name !== "string" || options.name.trim() === "")) {
    issues.push({ path: "options.name", message: "expected a non-empty string", received: options.name });
  }
  if (options.defaults !== undefined) checkMapping(options.defaults, "options.defaults", issues);
  if (options.tools !== undefined) {
    if (!isPlainObject(options.tools)) {
      issues.push({
        path: "options.tools",
        message: "expected an object keyed by tool name",
        received: options.tools,
      });
    } else {
      for (const [name, mapping] of Object.entries(options.tools)) {
        checkMapping(mapping, `options.tools.${name}`, issues);
      }
    }
  }
  if (issues.length > 0) throw new ValidationError(issues, "langchain options");
  return options as GovernToolCallsOptions;
}
