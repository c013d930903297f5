import { readFileSync } from "node:fs";

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly hitCount?: number;
}

/** Where a function lives, coarsely: our HTTP core, our engines, a dependency, or Node itself. */
function area(url: string, functionName = ""): string {
  if (url.includes("/src/http/")) return "src/http (routes, auth, validation hook)";
  // better-sqlite3 runs SQLite inside the calling frame: this file's self time is SQLite's own work.
  if (url.endsWith("/better-sqlite3-driver.ts"))
    return "SQLite itself (native, under better-sqlite3-driver.ts)";
  const own = /\/src\/(storage\/[^/]+|[^/]+)\//.exec(url);
  if (own) return `src/${own[1]}`;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return `node_modules/${pkg[1]}`;
  if (url.startsWith("node:")) return "node internals";
  if (url !== "") return url;
  // No script: V8 marks its own entries in parentheses; everything else is native code, here SQLite's.
  return functionName.startsWith("(") ? functionName : "native (crypto, other bindings)";
}

/**
 * Prints the self time of a V8 `.cpuprofile` (written by `node --cpu-prof`) by area and by function, heaviest
 * first, so a benchmark can say where a request's time goes.
 */
export function summarizeCpuProfile(file: string, top: number, title = "server CPU profile"): void {
  const profile = JSON.parse(readFileSync(file, "utf8")) as {
    nodes: ProfileNode[];
    startTime: number;
    endTime: number;
  };
  const total = profile.nodes.reduce((n, x) => n + (x.hitCount ?? 0), 0);
  const byArea = new Map<string, number>();
  const byFunction = new Map<string, number>();
  for (const node of profile.nodes) {
    const hits = node.hitCount ?? 0;
    if (hits === 0) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const where = area(url, functionName);
    byArea.set(where, (byArea.get(where) ?? 0) + hits);
    const short = url.replace(/^.*?(node_modules\/|\/src\/)/, "$1");
    const key = `${functionName || "(anonymous)"} ${short}:${lineNumber + 1}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + hits);
  }
  const pct = (n: number) => `${((100 * n) / total).toFixed(1).padStart(5)}%`;
  console.log(`\n## ${title} (${file}): self time by area`);
  for (const [k, n] of [...byArea].sort((a, b) => b[1] - a[1])) console.log(`${pct(n)}  ${k}`);
  console.log(`\n## heaviest ${top} functions (self time)`);
  for (const [k, n] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, top))
    console.log(`${pct(n)}  ${k}`);
}
