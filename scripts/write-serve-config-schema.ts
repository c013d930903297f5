/**
 * Writes schema/serve-config.schema.json (the JSON Schema of `acp serve --config` files) from the zod schema.
 * Run: `npx tsx scripts/write-serve-config-schema.ts`. A test fails when the committed file is out of date.
 */
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { serveConfigJsonSchema } from "../src/server/serve-config.js";

const target = fileURLToPath(new URL("../schema/serve-config.schema.json", import.meta.url));
writeFileSync(target, `${JSON.stringify(serveConfigJsonSchema(), null, 2)}\n`);
// Keep the file in the project's formatting so that `biome check .` stays clean.
execFileSync("npx", ["biome", "format", "--write", target], { stdio: "ignore" });
console.log(`wrote ${target}`);
