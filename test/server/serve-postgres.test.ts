import { resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { DATABASE_URL, dropSchema, probePostgres, uniqueSchema } from "../support/postgres.js";
import { call, startServe } from "../support/serve-process.js";

const server = await probePostgres();
const schema = uniqueSchema("serve");

describe.skipIf(!server.available)(
  "acp serve on PostgreSQL: two instances on one database (real processes)",
  () => {
    afterAll(() => dropSchema(schema));

    it("exactly one instance creates the first admin token; both serve the same state and stop cleanly", async () => {
      const policy = resolve("examples/policy.yaml");
      // One instance takes the URL from --postgres, the other from ACP_DATABASE_URL; both start at once.
      const [a, b] = await Promise.all([
        startServe(["--postgres", DATABASE_URL, "--schema", schema, "--policy", policy]),
        startServe(["--schema", schema, "--policy", policy], { ACP_DATABASE_URL: DATABASE_URL }),
      ]);
      expect(a.lines.join("\n")).toContain(`(postgres ${new URL(DATABASE_URL).hostname}`);
      expect(a.lines.join("\n")).not.toContain("postgres://");
      const tokens = [a.adminToken, b.adminToken].filter((t) => t !== undefined);
      expect(tokens).toHaveLength(1);
      const token = tokens[0]!;
      const opened = await call(a.url, "/v1/sessions", { token, body: { name: "shared" } });
      expect(opened.status).toBe(201);
      const { id } = (await opened.json()) as { id: string };
      const read = await call(b.url, `/v1/sessions/${id}`, { token });
      expect(read.status).toBe(200);
      a.process.kill("SIGTERM");
      b.process.kill("SIGTERM");
      expect(await Promise.all([a.exited, b.exited])).toEqual([0, 0]);
    });
  },
);
