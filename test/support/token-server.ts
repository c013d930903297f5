import { serve } from "@hono/node-server";
import { createControlPlane } from "../../src/control-plane/create-control-plane.js";
import { createHttpApp } from "../../src/http/create-http-app.js";
import { createSqliteStorage } from "../../src/storage/sqlite/index.js";

/**
 * Starts `createHttpApp` over a SQLite file with the [auth] engineer's token service and token authenticator,
 * and returns its URL and a first admin token. Both modules are loaded by path so that this file compiles
 * before they are merged (switch them to static imports after the merge).
 */
export async function startWithTokens(file: string) {
  const load = (path: string) => import(/* @vite-ignore */ path) as Promise<Record<string, unknown>>;
  const { createTokenService } = (await load("../../src/auth/token-service.js")) as {
    createTokenService: (o: { storage: unknown }) => {
      ensureAdmin(): Promise<{ token: string } | undefined>;
    };
  };
  const { createTokenAuth } = (await load("../../src/auth/token-auth.js")) as {
    createTokenAuth: (o: { storage: unknown }) => unknown;
  };
  const storage = createSqliteStorage({ path: file });
  const cp = await createControlPlane({ storage, policy: { version: 1 } });
  const tokens = createTokenService({ storage });
  const admin = (await tokens.ensureAdmin())!.token;
  const options = { controlPlane: cp, auth: createTokenAuth({ storage }), tokens };
  const app = createHttpApp(options as Parameters<typeof createHttpApp>[0]);
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
