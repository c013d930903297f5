/**
 * A server process for end-to-end tests: `createHttpApp` over a SQLite file with the test policy and the static
 * test tokens, on 127.0.0.1 and an ephemeral port. Prints `listening on <url>` once ready; exits 0 on SIGTERM.
 *   node --import tsx test/support/serve-process.ts <sqlite-file>
 * (To be replaced by `acp serve` when it is merged.)
 */
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { createStaticAuth } from "../../src/auth/static-auth.js";
import { createControlPlane } from "../../src/control-plane/create-control-plane.js";
import { createHttpApp } from "../../src/http/create-http-app.js";
import { createSqliteStorage } from "../../src/storage/sqlite/index.js";
import { TEST_POLICY } from "./control-plane-fixture.js";
import { TEST_TOKENS } from "./http-server.js";

const file = process.argv[2];
if (!file) {
  process.stderr.write("usage: serve-process.ts <sqlite-file>\n");
  process.exit(2);
}
const storage = createSqliteStorage({ path: file });
const cp = await createControlPlane({ storage, policy: TEST_POLICY });
const app = createHttpApp({ controlPlane: cp, auth: createStaticAuth(TEST_TOKENS) });
const server = serve({ fetch: app.fetch, hostname: "127.0.0.1", port: 0 });
server.once("listening", () => {
  process.stdout.write(`listening on http://127.0.0.1:${(server.address() as AddressInfo).port}\n`);
});
process.once("SIGTERM", () => {
  (server as unknown as { closeAllConnections(): void }).closeAllConnections();
  server.close(async () => {
    await cp.close();
    await storage.close();
    process.exit(0);
  });
});
