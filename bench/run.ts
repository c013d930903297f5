/**
 * `npm run bench`: runs every benchmark suite in turn and prints ops/s and p50/p99 tables.
 * Pass suite names to run a subset: `npm run bench -- decision`.
 */
const suites: Record<string, () => Promise<{ run: () => Promise<void> }>> = {
  decision: () => import("./decision.bench.js"),
  storage: () => import("./storage.bench.js"),
  governed: () => import("./governed.bench.js"),
  "token-budgets": () => import("./token-budgets.bench.js"),
  postgres: () => import("./postgres.bench.js"),
  "approval-latency": () => import("./approval-latency.bench.js"),
  http: () => import("./http.bench.js"),
  sse: () => import("./sse.bench.js"),
  mcp: () => import("./mcp.bench.js"),
  telemetry: () => import("./telemetry.bench.js"),
  "audit-chain": () => import("./audit-chain.bench.js"),
  limits: () => import("./limits.bench.js"),
  profile: () => import("./profile.bench.js"),
};

const wanted = process.argv.slice(2);
for (const [name, load] of Object.entries(suites)) {
  if (wanted.length > 0 && !wanted.includes(name)) continue;
  const suite = await load();
  await suite.run();
}
