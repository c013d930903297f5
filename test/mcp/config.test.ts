// biome-ignore-all lint/suspicious/noTemplateCurlyInString: these strings are ${NAME} references the loader expands
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { ValidationError } from "../../src/errors/validation-error.js";
import { loadMcpConfig, parseMcpConfig } from "../../src/mcp/config.js";
import { mcpConfigJsonSchema } from "../../src/mcp/config-schema.js";
import { compileToolMap } from "../../src/mcp/tool-map.js";

const EXAMPLE = resolve("examples/mcp.yaml");
const ENV = { HOME: "/home/ada", SEARCH_TOKEN: "s3cret" };

function issuesOf(fn: () => unknown): { path: string; message: string }[] {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return (error as ValidationError).issues.map((i) => ({ path: i.path, message: i.message }));
  }
  throw new Error("expected a ValidationError");
}

const minimal = (extra: Record<string, unknown> = {}) => ({
  storage: { sqlite: "acp.db" },
  mcpServers: { fs: { command: "node", args: ["fs.js"] } },
  ...extra,
});

describe("MCP proxy config", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "acp-mcp-config-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("ships schema/mcp-config.schema.json as generated (run `npx tsx scripts/write-mcp-config-schema.ts`)", () => {
    const shipped = JSON.parse(readFileSync(resolve("schema/mcp-config.schema.json"), "utf8"));
    expect(shipped).toEqual(mcpConfigJsonSchema());
  });

  it("the JSON Schema accepts the example and refuses what the loader refuses", () => {
    const ajv = new Ajv2020({ strict: false });
    (addFormats as unknown as (a: Ajv2020) => void)(ajv);
    const validate = ajv.compile(mcpConfigJsonSchema());
    expect(validate(parse(readFileSync(EXAMPLE, "utf8")))).toBe(true);
    expect(validate(minimal())).toBe(true);
    expect(validate(minimal({ approval_wiat: "1s" }))).toBe(false);
    expect(validate(minimal({ mcpServers: { a__b: { command: "x" } } }))).toBe(false);
    expect(validate(minimal({ tools: { fs__x: { cost: "lots" } } }))).toBe(false);
    expect(validate({ mcpServers: {} })).toBe(false);
  });

  it("loads the documented example", () => {
    const config = loadMcpConfig(EXAMPLE, ENV);
    const base = resolve("examples");
    expect(config.storage).toEqual({ sqlite: resolve("acp.db") });
    expect(config.policy).toBe(join(base, "policy.yaml"));
    expect(config.agentId).toBe("desktop-assistant");
    expect(config.approvalWaitMs).toBe(30_000);
    expect(config.heartbeatMs).toBe(10_000);
    expect(config.mcpServers.fs).toEqual({
      transport: "stdio",
      command: "npx",
      args: ["-y", "@modelcontextprotocol/server-filesystem", "./workspace"],
      env: {},
      cwd: base,
    });
    expect(config.mcpServers.memory).toMatchObject({
      env: { MEMORY_FILE_PATH: "/home/ada/.acp/memory.jsonl" },
    });
    expect(config.mcpServers.search).toEqual({
      transport: "http",
      url: "http://127.0.0.1:3001/mcp",
      headers: { Authorization: "Bearer s3cret" },
    });
    expect(config.tools.map((t) => t.pattern)).toEqual([
      "fs__read_*",
      "fs__list_*",
      "fs__write_file",
      "fs__edit_file",
      "fs__move_file",
      "fs__*",
      "memory__delete_*",
      "memory__*",
      "search__query",
      "search__*",
    ]);
    expect(config.tools[0]!.mapping).toEqual({
      action: "fs.read",
      resource: { argument: "path" },
      resourceType: "mcp_tool",
      hide: false,
      userMayApprove: false,
    });
    const map = compileToolMap(config);
    expect(map.mappingFor("fs__edit_file")?.userMayApprove).toBe(true);
    expect(map.mappingFor("fs__search_files")?.hide).toBe(true);
    expect(map.mappingFor("memory__delete_entities")?.action).toBe("memory.delete");
    expect(map.mappingFor("search__query")).toMatchObject({
      cost: { argument: "max_results" },
      resource: { value: "search-api" },
    });
    expect(map.mappingFor("search__fetch", { readOnlyHint: true })?.action).toBe("mcp.read");
    expect(map.mappingFor("other__x")?.action).toBe("mcp.unmapped");
  });

  it("applies defaults; no default mapping means unmapped tools are denied", () => {
    const config = parseMcpConfig(minimal(), { file: join(dir, "mcp.yaml"), env: {} });
    expect(config).toEqual({
      storage: { sqlite: join(dir, "acp.db") },
      mcpServers: { fs: { transport: "stdio", command: "node", args: ["fs.js"], env: {} } },
      tools: [],
      approvalWaitMs: 30_000,
      heartbeatMs: 10_000,
      agentId: "mcp-client",
    });
    expect(compileToolMap(config).mappingFor("fs__anything")).toBeUndefined();
  });

  it("reads JSON too, with postgres storage and the type key MCP clients write", () => {
    const file = join(dir, "mcp.json");
    writeFileSync(
      file,
      JSON.stringify({
        storage: { postgres: "postgres://acp:${PGPASS}@127.0.0.1/acp", schema: "acp" },
        mcpServers: { web: { type: "streamable-http", url: "http://127.0.0.1:9/mcp" } },
        approval_wait: "0s",
        heartbeat: 250,
      }),
    );
    const config = loadMcpConfig(file, { PGPASS: "pw" });
    expect(config.storage).toEqual({ postgres: "postgres://acp:pw@127.0.0.1/acp", schema: "acp" });
    expect(config.mcpServers.web).toEqual({ transport: "http", url: "http://127.0.0.1:9/mcp", headers: {} });
    expect(config.approvalWaitMs).toBe(0);
    expect(config.heartbeatMs).toBe(250);
  });

  it("expands ${NAME}, ${NAME:-fallback} and $$; an unset variable is an error naming the path", () => {
    const env = { command: "x", env: { A: "${X}", B: "${Y:-dflt}", C: "$$HOME", D: "${X:-no}", E: "a$b" } };
    const config = parseMcpConfig(minimal({ mcpServers: { s: env } }), { env: { X: "1" } });
    expect(config.mcpServers.s).toMatchObject({ env: { A: "1", B: "dflt", C: "$HOME", D: "1", E: "a$b" } });
    expect(
      issuesOf(() =>
        parseMcpConfig(
          minimal({ mcpServers: { s: { url: "http://h/mcp", headers: { "X-Key": "${NOPE}" } } } }),
          {
            env: {},
          },
        ),
      ),
    ).toEqual([
      {
        path: "mcpServers.s.headers.X-Key",
        message: "environment variable NOPE is not set (write ${NOPE:-} for empty)",
      },
    ]);
    expect(
      issuesOf(() => parseMcpConfig(minimal({ mcpServers: { s: { command: "x", env: { A: "${1x}" } } } }))),
    ).toMatchObject([{ path: "mcpServers.s.env.A", message: expect.stringContaining("malformed") }]);
  });

  it("errors name the file and every bad path, with did-you-mean for unknown keys", () => {
    const file = join(dir, "bad.yaml");
    writeFileSync(
      file,
      [
        "storage: { sqlite: acp.db }",
        "approval_wiat: 5s",
        "heartbeat: 0s",
        "mcpServers:",
        "  a__b: { command: x }",
        "  ok: { command: x, argz: [] }",
        "  web: { url: 'ftp://x' }",
        "tools:",
        "  ok__pay: { action: pay, cost: lots }",
        "  ok__x: { hidden: true }",
        "  read_file: { action: read }",
      ].join("\n"),
    );
    let message = "";
    try {
      loadMcpConfig(file, {});
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain(`invalid config file ${file}`);
    expect(message).toContain('approval_wiat: unknown key (did you mean "approval_wait"?)');
    expect(message).toContain("heartbeat: expected a duration greater than zero");
    expect(message).toMatch(/mcpServers\.a__b: expected a server name/);
    expect(message).toMatch(/mcpServers\.ok\.argz: unknown key \(did you mean "args"\?\)/);
    expect(message).toMatch(/mcpServers\.web\.url: expected an http:\/\/ or https:\/\/ URL/);
    expect(message).toMatch(
      /argz: unknown key \(did you mean "args"\?\); allowed: type, command, args, env, cwd\n/,
    );
    expect(message).toMatch(/tools\.ok__pay\.cost: expected a non-negative amount or an argument path/);
    expect(message).toMatch(/tools\.ok__x\.hidden: unknown key \(did you mean "hide"\?\)/);
  });

  it("a literal tool pattern must name a configured server (exposed names are server__tool)", () => {
    expect(issuesOf(() => parseMcpConfig(minimal({ tools: { read_file: { action: "r" } } })))).toEqual([
      {
        path: "tools.read_file",
        message: "matches no tool: exposed names are server__tool with a server of mcpServers (fs)",
      },
    ]);
    expect(
      parseMcpConfig(minimal({ tools: { FS__read: { action: "r" }, "*": { hide: true } } })).tools,
    ).toHaveLength(2);
  });

  it("refuses a missing file, a YAML syntax error, a cost the control plane cannot hold, a wait over 10 minutes", () => {
    expect(issuesOf(() => loadMcpConfig(join(dir, "none.yaml")))[0]!.path).toBe("--config");
    const broken = join(dir, "broken.yaml");
    writeFileSync(broken, "storage: [\n");
    expect(issuesOf(() => loadMcpConfig(broken))[0]!.message).toMatch(/^syntax error at line/);
    expect(issuesOf(() => parseMcpConfig(minimal({ tools: { fs__a: { cost: 0.0000001 } } })))).toEqual([
      { path: "tools.fs__a.cost", message: "expected a decimal amount with at most 6 fractional digits" },
    ]);
    expect(issuesOf(() => parseMcpConfig(minimal({ tools: { fs__a: { cost: "9000000001" } } })))).toEqual([
      { path: "tools.fs__a.cost", message: "exceeds the maximum amount (9000000000)" },
    ]);
    expect(
      parseMcpConfig(minimal({ tools: { fs__a: { cost: "0.000001" } } })).tools[0]!.mapping.cost,
    ).toEqual({
      value: "0.000001",
    });
    expect(issuesOf(() => parseMcpConfig(minimal({ approval_wait: "11m" })))).toEqual([
      { path: "approval_wait", message: "expected at most 10m" },
    ]);
    expect(
      issuesOf(() => parseMcpConfig(minimal({ storage: { sqlite: "a", postgres: "b" } })))[0]!.path,
    ).toMatch(/^storage/);
  });
});
