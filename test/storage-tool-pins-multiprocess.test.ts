import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { createPostgresStorage } from "../src/storage/postgres/index.js";
import { createSqliteStorage } from "../src/storage/sqlite/index.js";
import type { Storage } from "../src/storage/storage.js";
import { DATABASE_URL, dropSchema, probePostgres, uniqueSchema } from "./support/postgres.js";

const run = promisify(execFile);
const WORKER = join(import.meta.dirname, "fixtures", "tool-pin-worker.ts");
const WORKERS = 4;
const TOOLS = 40;

/** Starts WORKERS processes observing the same TOOLS new tools at the same instant, each with its own fingerprint. */
async function race(target: string): Promise<string[][]> {
  const startAt = Date.now() + 1500;
  const outputs = await Promise.all(
    Array.from({ length: WORKERS }, (_, w) =>
      run(process.execPath, ["--import", "tsx", WORKER, target, `w${w}`, String(startAt), String(TOOLS)], {
        timeout: 60_000,
      }),
    ),
  );
  return outputs.map((o) => JSON.parse(o.stdout.trim()) as string[]);
}

async function check(storage: Storage, statuses: string[][]): Promise<void> {
  const pins = await storage.read((tx) => tx.toolPins.list());
  expect(pins).toHaveLength(TOOLS);
  for (let i = 0; i < TOOLS; i++) {
    const column = statuses.map((s) => s[i]);
    // Exactly one process pinned the tool; every other one saw a different definition: held.
    expect(column.filter((s) => s === "new")).toHaveLength(1);
    expect(column.filter((s) => s === "changed")).toHaveLength(WORKERS - 1);
    const winner = column.indexOf("new");
    const pin = pins.find((p) => p.tool === `t${i}`)!;
    expect(pin.fingerprint).toBe(`w${winner}`.padEnd(64, "0"));
    expect(pin.definition).toEqual({ name: `t${i}`, by: `w${winner}` });
    expect(pin.pendingFingerprint).not.toBeNull();
    expect(pin.pendingFingerprint).not.toBe(pin.fingerprint);
  }
}

describe("tool pins across processes", () => {
  it("SQLite: processes observing new tools at once pin each exactly once", async () => {
    const dir = mkdtempSync(join(tmpdir(), "acp-tool-pins-"));
    try {
      const path = join(dir, "acp.db");
      const storage = createSqliteStorage({ path });
      await storage.read(async () => undefined); // migrated before the race
      const statuses = await race(path);
      await check(storage, statuses);
      await storage.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("PostgreSQL: processes observing new tools at once pin each exactly once", async (t) => {
    const server = await probePostgres();
    if (!server.available) t.skip(server.reason);
    const schema = uniqueSchema("tool_pins_mp");
    const storage = createPostgresStorage({ connectionString: DATABASE_URL, schema });
    try {
      await storage.migrate();
      const statuses = await race(`pg:${DATABASE_URL}#${schema}`);
      await check(storage, statuses);
    } finally {
      await storage.close();
      await dropSchema(schema);
    }
  });
});
