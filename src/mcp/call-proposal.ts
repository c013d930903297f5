import { ProtocolError, ProtocolErrorCode } from "@modelcontextprotocol/server";
import type { JsonObject } from "../types/json.js";
import type { ProposalInput } from "../types/proposal.js";
import type { RoutedTool } from "./gateway-routes.js";
import { callCost, callResource } from "./tool-map.js";
import type { ToolMapping } from "./types.js";

/** The JSON-RPC `-32602` error of a `tools/call` whose params are unusable (names the bad field or path). */
export function invalidParams(message: string): ProtocolError {
  return new ProtocolError(ProtocolErrorCode.InvalidParams, message);
}

/**
 * The proposal of one `tools/call`: the action, resource and cost from the tool's mapping, the call's arguments
 * as the proposal's args (the policy may read them, but nothing in them picks the action or lowers the risk),
 * the caller as the agent. Deliberately, a mapping without `resource` gives a proposal without a resource
 * (not the exposed name, as types.ts first said): the control plane locks a proposal's resource while it runs. Where the call came from goes in `metadata.mcp` (deterministic, so an identical retry
 * has the same fingerprint and claims an approved proposal).
 * When an argument the mapping reads (cost, resource) is missing or unusable, the call is refused instead
 * (`{ refused: reason }`): never a cost of 0 or a default resource.
 */
export function proposalFor(
  routed: RoutedTool,
  mapping: ToolMapping,
  args: JsonObject,
  caller: { sessionId: string; agentId: string },
): ProposalInput | { readonly refused: string } {
  const { route, tool } = routed;
  const cost = callCost(mapping, args);
  if (!cost.ok) return { refused: cost.reason };
  const resource = callResource(mapping, args, route.exposedName);
  if (!resource.ok) return { refused: resource.reason };
  const hints = tool.annotations ?? {};
  const annotations: JsonObject = {
    ...(typeof hints.readOnlyHint === "boolean" ? { readOnlyHint: hints.readOnlyHint } : {}),
    ...(typeof hints.destructiveHint === "boolean" ? { destructiveHint: hints.destructiveHint } : {}),
  };
  return {
    sessionId: caller.sessionId,
    agentId: caller.agentId,
    action: mapping.action,
    // Without a configured resource there is no resource lock: parallel calls of one tool all run (a lock on
    // the tool's name would refuse all but one with `resource_locked`, and a pending approval would block it).
    ...(mapping.resource === undefined
      ? {}
      : { resourceId: resource.value, resourceType: mapping.resourceType ?? "mcp_tool" }),
    args,
    ...(mapping.cost === undefined ? {} : { cost: cost.value }),
    metadata: {
      mcp: { server: route.server, tool: route.upstreamName, exposedName: route.exposedName, annotations },
    },
  };
}
