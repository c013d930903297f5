/** The `mcp` section of the `acp serve` config and the `--mcp-config` flag. */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ValidationError } from "../../src/errors/validation-error.js";
import { loadServeConfig } from "../../src/server/load-serve-config.js";

const dir = mkdtempSync(join(tmpdir(), "acp-serve-mcp-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function configFile(text: string): string {
  const file = join(dir, `serve-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, text);
  return file;
}

describe("acp serve: the MCP proxy config", () => {
  it("is absent by default: no /mcp", () => {
    expect(loadServeConfig({}, {}).mcpConfig).toBeUndefined();
  });

  it("resolves mcp.config against the config file's directory", () => {
    const file = configFile("mcp:\n  config: proxies/mcp.yaml\n");
    expect(loadServeConfig({ config: file }, {}).mcpConfig).toBe(join(dir, "proxies/mcp.yaml"));
  });

  it("lets --mcp-config override the file (relative to the working directory)", () => {
    const file = configFile("mcp:\n  config: proxies/mcp.yaml\n");
    expect(loadServeConfig({ config: file, mcpConfig: "other.yaml" }, {}).mcpConfig).toBe(
      join(process.cwd(), "other.yaml"),
    );
  });

  it("names a misspelt key of the mcp section", () => {
    const file = configFile("mcp:\n  confg: mcp.yaml\n");
    try {
      loadServeConfig({ config: file }, {});
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      expect(String((error as Error).message)).toMatch(/mcp\.confg/);
    }
  });
});
