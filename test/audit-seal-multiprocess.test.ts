import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createControlPlane } from "../src/control-plane/create-control-plane.js";
import { generateKeyFile, readKeyRing } from "../src/engines/audit/keys.js";
import { verifyAuditBundle } from "../src/engines/audit/verify-bundle.js";
import { createPostgresStorage } from "../src/storage/postgres/index.js";
import { createSqliteStorage } from "../src/storage/sqlite/index.js";
import type { Storage } from "../src/storage/storage.js";
import { spawnTs } from "./support/child-process.js";
import { DATABASE_URL, dropSchema, probePostgres, uniqueSchema } from "./support/postgres.js";

const WORKERS = 4;
const ROUNDS = 6;
const dir = mkdtempSync(join(tmpdir(), "acp-seal-mp-"));
const keyFile = join(dir, "key.json");
writeFileSync(keyFile, JSON.stringify(generateKeyFile("acp.test/multiprocess")));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const pg = await probePostgres();
const targets: {
  name: string;
  target: () => Promise<{ arg: string; open: () => Storage; done: () => Promise<void> }>;
}[] = [
  {
    name: "sqlite",
    async target() {
      const path = join(dir, "seal.db");
      const s = createSqliteStorage({ path });
      await s.open();
      await s.close();
      return { arg: path, open: () => createSqliteStorage({ path }), done: async () => {} };
    },
  },
  ...(pg.available
    ? [
        {
          name: "postgres",
          async target() {
            const schema = uniqueSchema("audit_seal_mp");
            const s = createPostgresStorage({ connectionString: DATABASE_URL, schema });
            await s.migrate();
            await s.close();
            return {
              arg: `pg:${DATABASE_URL}#${schema}`,
              open: () => createPostgresStorage({ connectionString: DATABASE_URL, schema }),
              done: () => dropSchema(schema),
            };
          },
        },
      ]
    : []),
];

describe.each(targets)("sealing checkpoints from $name processes at once", ({ target }) => {
  it("stores each size once, and every checkpoint extends the earlier ones", async () => {
    const t = await target();
    try {
      const children = Array.from({ length: WORKERS }, () =>
        spawnTs("test/fixtures/audit-seal-worker.ts", [t.arg, keyFile, String(ROUNDS)]),
      );
      expect(await Promise.all(children.map((c) => c.exited))).toEqual(children.map(() => 0));
      const sealed = children.flatMap((c) => JSON.parse(c.lines[0]!) as number[]);
      expect(new Set(sealed).size).toBe(sealed.length); // no size sealed twice
      const storage = t.open();
      const cp = await createControlPlane({
        storage,
        policy: { version: 1 },
        recoverOnStart: false,
        auditKeys: readKeyRing(keyFile),
      });
      const bundle = await cp.exportAudit();
      await cp.close();
      await storage.close();
      expect(bundle!.earlier_checkpoints.length + 1).toBeGreaterThanOrEqual(sealed.length);
      expect(verifyAuditBundle(JSON.parse(JSON.stringify(bundle)))).toMatchObject({ ok: true, problems: [] });
    } finally {
      await t.done();
    }
  });
});
