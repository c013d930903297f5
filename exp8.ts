import { Agent, request } from "node:http";
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs"; import { tmpdir } from "node:os"; import { join } from "node:path";
const dir = mkdtempSync(join(tmpdir(), "exp7-"));
const child = spawn(process.execPath, ["/tmp/bare-server.mjs"], { stdio: ["ignore", "pipe", "inherit"] });
const info: any = await new Promise((r) => { let b = ""; child.stdout!.on("data", (c) => { b += c; const l = b.split("\n").find((x) => x.startsWith("{")); if (l) r(JSON.parse(l)); }); });
const agent = new Agent({ keepAlive: true });
const token = info.tokens[0], sid = info.sessions[0];
function call(method: string, path: string, body?: unknown): Promise<any> {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : JSON.stringify(body);
    const req = request({ agent, port: info.port, host: "127.0.0.1", method, path, headers: { authorization: `Bearer ${token}`, ...(data ? { "content-type": "application/json", "content-length": Buffer.byteLength(data) } : {}) } }, (res) => {
      const chunks: Buffer[] = []; res.on("data", (c) => chunks.push(c)); res.on("end", () => resolve(Buffer.concat(chunks).toString()));
    });
    req.on("error", reject); req.end(data);
  });
}
async function time(name: string, n: number, fn: (i: number) => Promise<unknown>) {
  const xs: number[] = [];
  for (let i = 0; i < n; i++) { const t = process.hrtime.bigint(); await fn(i); xs.push(Number(process.hrtime.bigint() - t) / 1000); }
  xs.sort((a, b) => a - b); console.log(name, "p50", xs[n >> 1]!.toFixed(0), "µs");
}
for (let i = 0; i < 300; i++) await call("GET", "/healthz");
await time("GET /healthz", 1000, () => call("GET", "/healthz"));
const ids: string[] = [];
let k = 0;
child.kill("SIGTERM"); process.exit(0);
