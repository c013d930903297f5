/**
 * Writes schema/policy.schema.json (the editor JSON Schema of policy files) from the zod schema.
 * Run: `npx tsx scripts/write-policy-schema.ts`. A test fails when the committed file is out of date.
 */
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { policyJsonSchema } from "../src/engines/policy/policy-json-schema.js";

const target = fileURLToPath(new URL("../schema/policy.schema.json", import.meta.url));
writeFileSync(target, `${JSON.stringify(policyJsonSchema(), null, 2)}\n`);
// Keep the file in the project's formatting so that `biome check .` stays clean.
execFileSync("npx", ["biome", "format", "--write", target], { stdio: "ignore" });
console.log(`wrote ${target}`);
