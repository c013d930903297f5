import { serve } from "@hono/node-server";
import { createTokenAuth } from "../../src/auth/token-auth.js";
import { createTokenService } from "../../src/auth/token-service.js";
import { createControlPlane } from "../../src/control-plane/create-control-plane.js";
import { createHttpApp } from "../../src/http/create-http-app.js";
import { createSqliteStorage } from "../../src/storage/sqlite/index.js";

/**
 * Starts `createHttpApp` over a SQLite file with the [auth] engineer's token service and token authenticator,
 * and returns its URL and a first admin token.
 */
export async function startWithTokens(file: string) {
  const storage = createSqliteStorage({ path: file });
  const cp = await createControlPlane({ storage, policy: { version: 1 } });
  const tokens = createTokenService({ storage });
  const admin = (await tokens.ensureAdmin())!.token;
  const app = createHttpApp({ controlPlane: cp, auth: createTokenAuth({ storage }), tokens });
  const server = serve({ fetch: app.fetch, hostname: "127.0.0.1", port: 0 });
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return {
    url,
    admin,
    async close() {
      (server as unknown as { closeAllConnections(): void }).closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await cp.close();
      await storage.close();
    },
  };
}
