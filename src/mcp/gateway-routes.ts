import { createHash } from "node:crypto";
import type { Tool } from "@modelcontextprotocol/server";
import type { McpConfig, PinStatus, ToolMapping, ToolRoute } from "./types.js";

/**
 * What the gateway needs of the tool-pin store: shown a tool's current upstream definition, it answers whether
 * the tool is new (pinned now), the same as accepted, or changed (held until an operator accepts it).
 */
export interface McpPinObserver {
  observe(server: string, tool: string, definition: unknown): Promise<PinStatus>;
}

/** One exposed tool as the gateway serves it. */
export interface RoutedTool {
  readonly route: ToolRoute;
  /** The tool definition listed to clients (the upstream's, under the exposed name). */
  readonly tool: Tool;
  /** The definition changed since first sight: not listed, and calls answer an isError until accepted. */
  readonly held: boolean;
}

/** The exposed-name table: `server\0tool` → exposed name, stable for the gateway's lifetime. */
export class ToolNameTable {
  readonly #byKey = new Map<string, string>();
  readonly #taken = new Set<string>();

  /** The exposed name of an upstream tool (assigned on first sight, then stable). */
  nameOf(server: string, tool: string): string {
    const key = `${server}\0${tool}`;
    const known = this.#byKey.get(key);
    if (known !== undefined) return known;
    const plain = `${server}__${tool}`.replace(/[^A-Za-z0-9_-]/g, "_");
    const suffix = createHash("sha256").update(key).digest("hex").slice(0, 8);
    let name =
      plain.length <= 64 && plain === `${server}__${tool}` ? plain : `${plain.slice(0, 55)}_${suffix}`;
    // A sanitized or truncated name that still collides gets a longer hash.
    for (let n = 12; this.#taken.has(name); n += 4) {
      const longer = createHash("sha256").update(key).digest("hex").slice(0, n);
      name = `${plain.slice(0, 63 - n)}_${longer}`;
    }
    this.#byKey.set(key, name);
    this.#taken.add(name);
    return name;
  }
}

/** The config's mapping of an exposed tool name: the first matching glob, else the default (or none). */
export function mappingFor(config: McpConfig, exposedName: string): ToolMapping | undefined {
  for (const entry of config.tools) if (globMatches(entry.pattern, exposedName)) return entry.mapping;
  return config.defaultMapping;
}

/** `*` matches any run of characters, `?` one character; everything else literally. */
export function globMatches(pattern: string, name: string): boolean {
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${source}$`).test(name);
}

/** The part of a tool definition pinned: what a model reads and what shapes its calls. */
export function pinnedDefinition(tool: Tool): unknown {
  return {
    title: tool.title ?? null,
    description: tool.description ?? null,
    inputSchema: tool.inputSchema ?? null,
    outputSchema: tool.outputSchema ?? null,
    annotations: tool.annotations ?? null,
  };
}

/**
 * Builds the routes of one upstream's tool list: exposed names from the table, the config's mapping, and the
 * pin status of each definition (without a pin store nothing is ever held).
 */
export async function routeTools(
  server: string,
  tools: readonly Tool[],
  deps: { config: McpConfig; names: ToolNameTable; pins?: McpPinObserver },
): Promise<RoutedTool[]> {
  const routed: RoutedTool[] = [];
  for (const tool of tools) {
    const exposedName = deps.names.nameOf(server, tool.name);
    const status = deps.pins ? await deps.pins.observe(server, tool.name, pinnedDefinition(tool)) : "same";
    routed.push({
      route: { exposedName, server, upstreamName: tool.name, mapping: mappingFor(deps.config, exposedName) },
      tool: { ...tool, name: exposedName },
      held: status === "changed",
    });
  }
  return routed;
}
