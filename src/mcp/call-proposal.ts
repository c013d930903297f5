import { ProtocolError, ProtocolErrorCode } from "@modelcontextprotocol/server";
import type { JsonObject } from "../types/json.js";
import type { ProposalInput } from "../types/proposal.js";
import type { RoutedTool } from "./gateway-routes.js";
import type { ToolMapping, ValueSource } from "./types.js";

/** The JSON-RPC `-32602` error of a `tools/call` whose params are unusable (names the bad field or path). */
export function invalidParams(message: string): ProtocolError {
  return new ProtocolError(ProtocolErrorCode.InvalidParams, message);
}

/**
 * The proposal of one `tools/call`: the action, resource and cost from the tool's mapping, the call's arguments
 * as the proposal's args (the policy may read them, but nothing in them picks the action or lowers the risk),
 * the caller as the agent. Where the call came from goes in `metadata.mcp` (deterministic, so an identical retry
 * has the same fingerprint and claims an approved proposal).
 * @throws ProtocolError -32602 when an argument the mapping reads (cost, resource) is missing or unusable.
 */
export function proposalFor(
  routed: RoutedTool,
  mapping: ToolMapping,
  args: JsonObject,
  caller: { sessionId: string; agentId: string },
): ProposalInput {
  const { route, tool } = routed;
  const cost = mapping.cost === undefined ? undefined : readCost(mapping.cost, args, route.exposedName);
  const resourceId =
    mapping.resource === undefined
      ? route.exposedName
      : readResource(mapping.resource, args, route.exposedName);
  const hints = tool.annotations ?? {};
  const annotations: JsonObject = {
    ...(typeof hints.readOnlyHint === "boolean" ? { readOnlyHint: hints.readOnlyHint } : {}),
    ...(typeof hints.destructiveHint === "boolean" ? { destructiveHint: hints.destructiveHint } : {}),
  };
  return {
    sessionId: caller.sessionId,
    agentId: caller.agentId,
    action: mapping.action,
    resourceId,
    resourceType: mapping.resourceType ?? "mcp_tool",
    args,
    ...(cost === undefined ? {} : { cost }),
    metadata: {
      mcp: { server: route.server, tool: route.upstreamName, exposedName: route.exposedName, annotations },
    },
  };
}

/** Reads a value from the arguments by a dotted path (`amount`, `args.amount`, `order.total`). */
export function readArgument(args: JsonObject, path: string): unknown {
  const parts = (path.startsWith("args.") ? path.slice(5) : path).split(".");
  let value: unknown = args;
  for (const part of parts) {
    if (value === null || typeof value !== "object" || Array.isArray(value)) return undefined;
    if (!Object.hasOwn(value, part)) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

function readCost(source: ValueSource, args: JsonObject, tool: string): number | string {
  if ("value" in source) return source.value;
  const value = readArgument(args, source.argument);
  const numeric = typeof value === "number" || (typeof value === "string" && /^\d+(\.\d+)?$/.test(value));
  if (!numeric || (typeof value === "number" && !(Number.isFinite(value) && value >= 0))) {
    throw invalidParams(
      `${tool}: argument "${source.argument}" (the call's cost) must be a non-negative number; got ${describe(value)}`,
    );
  }
  return value;
}

function readResource(source: ValueSource, args: JsonObject, tool: string): string {
  if ("value" in source) return String(source.value);
  const value = readArgument(args, source.argument);
  if ((typeof value !== "string" || value === "") && typeof value !== "number") {
    throw invalidParams(
      `${tool}: argument "${source.argument}" (the call's resource) must be a non-empty string or a number; got ${describe(value)}`,
    );
  }
  return String(value);
}

function describe(value: unknown): string {
  return value === undefined ? "nothing" : JSON.stringify(value).slice(0, 80);
}
