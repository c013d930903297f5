import { Agent, request } from "node:http";
import { serve } from "@hono/node-server";
import { createStaticAuth } from "./src/auth/static-auth.js";
import { createControlPlane } from "./src/control-plane/create-control-plane.js";
import { createHttpApp } from "./src/http/create-http-app.js";
import { createMemoryStorage } from "./src/storage/memory/memory-storage.js";
const cp = await createControlPlane({ storage: createMemoryStorage(), policy: { version: 1 } });
const app = createHttpApp({ controlPlane: cp, auth: createStaticAuth([{ token: "tok-0123456789abcdef", role: "viewer" }]) });
const hs = serve({ fetch: app.fetch, hostname: "127.0.0.1", port: 0 });
await new Promise((r) => hs.once("listening", r));
const agent = new Agent({ keepAlive: true });
function call(port: number, path: string): Promise<any> {
  return new Promise((resolve, reject) => {
    const req = request({ agent, port, host: "127.0.0.1", method: "GET", path }, (res) => {
      const chunks: Buffer[] = []; res.on("data", (c) => chunks.push(c)); res.on("end", () => resolve(Buffer.concat(chunks).toString()));
    });
    req.on("error", reject); req.end();
  });
}
const port = (hs.address() as any).port;
for (let i = 0; i < 500; i++) await call(port, "/healthz");
const xs: number[] = [];
for (let i = 0; i < 2000; i++) { const t = process.hrtime.bigint(); await call(port, "/healthz"); xs.push(Number(process.hrtime.bigint() - t) / 1000); }
xs.sort((a, b) => a - b); console.log(process.env.X_NAME, "p50", xs[1000]!.toFixed(0), "µs");
process.exit(0);
