import type { Tool } from "@modelcontextprotocol/server";
import { pinnedDefinition } from "./tool-fingerprint.js";
import type { ToolMap } from "./tool-map.js";
import { buildToolNameTable } from "./tool-names.js";
import type { PinStatus, ToolRoute } from "./types.js";

/**
 * What the gateway needs of the tool-pin store: shown a tool's current upstream definition (`pinnedDefinition`
 * of tool-fingerprint.ts), it answers whether the tool is new (pinned now), the same as accepted, or changed
 * (held until an operator accepts it).
 */
export interface McpPinObserver {
  observe(server: string, tool: string, definition: unknown): Promise<PinStatus>;
}

/** One exposed tool as the gateway serves it. */
export interface RoutedTool {
  readonly route: ToolRoute;
  /** The tool definition listed to clients (the upstream's, under the exposed name). */
  readonly tool: Tool;
  /** The tool as the upstream lists it (what is pinned). */
  readonly upstreamTool: Tool;
  /** The definition changed since first sight: not listed, and calls answer an isError until accepted. */
  readonly held: boolean;
}

/**
 * Builds the routes of every upstream's tools: exposed names from one name table over all of them (M2's
 * `buildToolNameTable`: collision-free, independent of order), each tool's mapping from the tool map (its
 * annotations seed the action only where the config gives none), and the pin status of each definition
 * (without a pin store nothing is ever held).
 */
export async function routeTools(
  toolsByServer: ReadonlyMap<string, readonly Tool[]>,
  deps: { readonly toolMap: ToolMap; readonly pins?: McpPinObserver },
): Promise<Map<string, RoutedTool>> {
  const refs = [...toolsByServer].flatMap(([server, tools]) => tools.map((t) => ({ server, tool: t.name })));
  const names = buildToolNameTable(refs);
  const routed = new Map<string, RoutedTool>();
  for (const [server, tools] of toolsByServer) {
    for (const tool of tools) {
      const exposedName = names.exposedName(server, tool.name);
      if (exposedName === undefined || routed.has(exposedName)) continue;
      const status = deps.pins
        ? await deps.pins.observe(server, tool.name, pinnedDefinition(tool))
        : ("same" as const);
      routed.set(exposedName, {
        route: {
          exposedName,
          server,
          upstreamName: tool.name,
          mapping: deps.toolMap.mappingFor(exposedName, tool.annotations),
        },
        tool: { ...tool, name: exposedName },
        upstreamTool: tool,
        held: status === "changed",
      });
    }
  }
  return routed;
}
