import { readFileSync } from "node:fs";

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly hitCount?: number;
}

/** Where a function lives, coarsely: our HTTP core, our engines, a dependency, or Node itself. */
function area(url: string): string {
  if (url.includes("/src/http/")) return "src/http (routes, auth, validation hook)";
  if (url.includes("/src/storage/")) return "src/storage";
  if (url.includes("/src/")) return "src (facade, engines)";
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return `node_modules/${pkg[1]}`;
  if (url.startsWith("node:")) return "node internals";
  return url === "" ? "native / GC / idle" : url;
}

/**
 * Prints the self time of a V8 `.cpuprofile` (written by `node --cpu-prof`) by area and by function, heaviest
 * first, so a benchmark can say where a request's time goes.
 */
export function summarizeCpuProfile(file: string, top: number): void {
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
    byArea.set(area(url), (byArea.get(area(url)) ?? 0) + hits);
    const short = url.replace(/^.*?(node_modules\/|\/src\/)/, "$1");
    const key = `${functionName || "(anonymous)"} ${short}:${lineNumber + 1}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + hits);
  }
  const pct = (n: number) => `${((100 * n) / total).toFixed(1).padStart(5)}%`;
  console.log(`\n## server CPU profile (${file}): self time by area`);
  for (const [k, n] of [...byArea].sort((a, b) => b[1] - a[1])) console.log(`${pct(n)}  ${k}`);
  console.log(`\n## heaviest ${top} functions (self time)`);
  for (const [k, n] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, top))
    console.log(`${pct(n)}  ${k}`);
}
