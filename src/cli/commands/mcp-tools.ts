import type { Command } from "commander";
import { type ClientOptions, clientFor, withClientOptions } from "../client-options.js";
import type { CliIo } from "../io.js";
import { formatTable, print } from "../output.js";

/** A held tool as `GET /v1/mcp/tools` answers it. */
interface HeldToolJson {
  readonly server: string;
  readonly tool: string;
  readonly fingerprint: string;
  readonly pending_fingerprint: string;
  readonly definition: unknown;
  readonly pending_definition: unknown;
  readonly changes: readonly { path: string; before?: unknown; after?: unknown }[];
  readonly updated_at: string;
}

const short = (fingerprint: string) => fingerprint.slice(0, 12);
const show = (v: unknown) => (v === undefined ? "(absent)" : JSON.stringify(v));

/** The review of one held tool: what changed, path by path, like a diff (`-` before, `+` after). */
function renderHeld(t: HeldToolJson): string {
  const lines = [
    `${t.server} ${t.tool}: pinned ${short(t.fingerprint)}, pending ${t.pending_fingerprint} (${t.updated_at})`,
  ];
  if (t.definition === null) lines.push(`  + ${JSON.stringify(t.pending_definition)}`);
  for (const c of t.changes) {
    lines.push(`  ${c.path}`);
    if ("before" in c) lines.push(`    - ${show(c.before)}`);
    if ("after" in c) lines.push(`    + ${show(c.after)}`);
  }
  lines.push(`  accept: acp mcp tools accept ${t.server} ${t.tool} ${t.pending_fingerprint}`);
  return lines.join("\n");
}

/**
 * Registers `acp mcp tools list` (held MCP tools with what changed in their upstream definition) and
 * `acp mcp tools accept SERVER TOOL FINGERPRINT` (an operator accepts that exact pending definition).
 */
export function registerMcpToolsCommand(program: Command, io: CliIo): void {
  const mcp = program.command("mcp").description("Review the governed MCP proxy's held tools");
  const tools = mcp
    .command("tools")
    .description("Tools held because their upstream definition changed after first sight");
  withClientOptions(
    tools.command("list").description("List held tools: the pinned and the pending definition, path by path"),
  ).action(async (o: ClientOptions) => {
    const page = await clientFor(io, o).request<{ items: HeldToolJson[] }>("GET", "/v1/mcp/tools");
    print(io, o, page, () => {
      if (page.items.length === 0) return "no held tools";
      const table = formatTable(page.items, [
        { header: "SERVER", value: (t) => t.server },
        { header: "TOOL", value: (t) => t.tool },
        { header: "PINNED", value: (t) => short(t.fingerprint) },
        { header: "PENDING", value: (t) => short(t.pending_fingerprint) },
        { header: "CHANGES", value: (t) => t.changes.length },
      ]);
      return [table, "", ...page.items.map(renderHeld)].join("\n");
    });
  });
  withClientOptions(
    tools
      .command("accept")
      .description("Accept a held tool's pending definition (operator); it becomes usable again")
      .argument("<server>", "upstream server name (the config's mcpServers key)")
      .argument("<tool>", "the tool's upstream name")
      .argument("<fingerprint>", "the pending fingerprint shown by acp mcp tools list (the full 64 digits)"),
  ).action(async (server: string, tool: string, fingerprint: string, o: ClientOptions) => {
    const pin = await clientFor(io, o).request<Record<string, unknown>>("POST", "/v1/mcp/tools/accept", {
      body: { server, tool, fingerprint },
    });
    print(io, o, pin, () => `accepted ${server} ${tool}: pinned ${short(fingerprint)}`);
  });
}
