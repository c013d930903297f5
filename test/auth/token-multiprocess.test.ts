import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createPostgresStorage } from "../../src/storage/postgres/index.js";
import { createSqliteStorage } from "../../src/storage/sqlite/index.js";
import type { Storage } from "../../src/storage/storage.js";
import { startHttp } from "../support/http-server.js";
import { DATABASE_URL, dropSchema, probePostgres, uniqueSchema } from "../support/postgres.js";
import { spawnWorker } from "../support/spawn-worker.js";
import type { StorageSpec } from "../support/storage-spec.js";

const WORKER = "test/fixtures/token-worker.ts";
const dir = mkdtempSync(join(tmpdir(), "acp-token-mp-"));
const schemas: string[] = [];
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  for (const s of schemas) await dropSchema(s);
});

const server = await probePostgres();
const cases: { name: string; open: () => { spec: StorageSpec; storage: Storage } }[] = [
  {
    name: "a SQLite file",
    open: () => {
      const path = join(dir, `tokens-${Math.random().toString(36).slice(2)}.db`);
      return {
        spec: { kind: "sqlite", path },
        storage: createSqliteStorage({ path, busyTimeoutMs: 30_000 }),
      };
    },
  },
  ...(server.available
    ? [
        {
          name: "PostgreSQL",
          open: () => {
            const schema = uniqueSchema("tokens_mp");
            schemas.push(schema);
            return {
              spec: { kind: "postgres", url: DATABASE_URL, schema } as const,
              storage: createPostgresStorage({ connectionString: DATABASE_URL, schema, poolSize: 4 }),
            };
          },
        },
      ]
    : []),
];
if (!server.available) it.skip(`token processes on PostgreSQL: ${server.reason}`, () => {});

describe.each(cases)("API tokens shared by several processes on $name", ({ open }) => {
  it("4 processes ensuring the first admin token at once create exactly one; revoking it from another process refuses the server's next request", async () => {
    const { spec, storage } = open();
    await storage.read((tx) => tx.apiTokens.countActive(0)); // create the schema before the racers start
    const startAt = Date.now() + 2500;
    const results = await Promise.all(
      [0, 1, 2, 3].map((i) =>
        spawnWorker(WORKER, { storage: spec, op: "ensure-admin", startAt, i }).done<{
          token: string | null;
          id: string | null;
        }>(),
      ),
    );
    const winners = results.filter((r) => r.token !== null);
    expect(winners).toHaveLength(1);
    expect(await storage.read((tx) => tx.apiTokens.list())).toHaveLength(1);

    const h = await startHttp({ storage, auth: "stored" });
    try {
      expect(h.adminToken).toBeUndefined(); // a token is already active: the server creates none
      const admin = winners[0]!.token!;
      const res = await h.call("/v1/tokens", { token: admin, body: { role: "viewer" } });
      expect(res.status).toBe(201);
      const viewer = (await res.json()) as { id: string; token: string };
      expect((await h.call("/v1/sessions", { token: viewer.token })).status).toBe(200);
      await spawnWorker(WORKER, { storage: spec, op: "revoke", id: viewer.id }).done();
      expect((await h.call("/v1/sessions", { token: viewer.token })).status).toBe(401);
      expect((await h.call("/v1/sessions", { token: admin })).status).toBe(200);
    } finally {
      await h.close();
    }
  });
});
