/**
 * Writes schema/mcp-config.schema.json (the JSON Schema of MCP proxy config files) from the zod schema.
 * Run: `npx tsx scripts/write-mcp-config-schema.ts`. A test fails when the committed file is out of date.
 */
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { mcpConfigJsonSchema } from "../src/mcp/config-schema.js";

const target = fileURLToPath(new URL("../schema/mcp-config.schema.json", import.meta.url));
writeFileSync(target, `${JSON.stringify(mcpConfigJsonSchema(), null, 2)}\n`);
// Keep the file in the project's formatting so that `biome check .` stays clean.
execFileSync("npx", ["biome", "format", "--write", target], { stdio: "ignore" });
console.log(`wrote ${target}`);
