import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "../../..");
const page = readFileSync(join(root, "docs", "integrations", "openai-agents.md"), "utf8");
const snippets = [...page.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);
const source = (path: string) => JSON.stringify(pathToFileURL(join(root, path)).href);

/**
 * The page's snippets use the framework's default model. This preamble makes it a scripted one that calls each
 * of the agent's tools once with canned arguments (no network, no key) and keeps traces on the machine.
 */
const PREAMBLE = `
import { setDefaultModelProvider, setTracingDisabled } from "@openai/agents";
import { ScriptedModel } from ${source("examples/openai-agents-scripted-model.ts")};
setTracingDisabled(true);
const CANNED = { get_weather: { city: "Tokyo" }, issue_refund: { orderId: "A-1", amount: 20 } };
const scripted = (request) =>
  new ScriptedModel(request.tools.map((t) => ({ tool: t.name, args: CANNED[t.name] ?? {} })));
setDefaultModelProvider({
  getModel: () => ({
    getResponse: (request) => scripted(request).getResponse(request),
    getStreamedResponse: (request) => scripted(request).getStreamedResponse(request),
  }),
});
`;

/** The package's specifiers, pointed at the sources (the page imports the package by its name). */
function program(snippet: string): string {
  const body = snippet
    .replaceAll('"agent-control-plane/openai-agents"', source("src/adapters/openai-agents/index.ts"))
    .replaceAll('"agent-control-plane"', source("src/index.ts"));
  return `${PREAMBLE}\n${body}`;
}

describe("docs/integrations/openai-agents.md", () => {
  const dir = join(root, ".tmp", "openai-agents-docs");
  mkdirSync(dir, { recursive: true });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("has the hello-world, the governed program and the approval flow", () => {
    expect(snippets).toHaveLength(3);
    expect(snippets[0]).not.toContain("agent-control-plane");
    expect(page).toContain("-const getWeather = tool({\n+const getWeather = governedTool(cp, {");
  });

  const expected: readonly string[][] = [
    ["get_weather: It is sunny in Tokyo."],
    ["get_weather: It is sunny in Tokyo.", "get_weather succeeded"],
    ["[ 'issue_refund: approved' ]", "issue_refund: Refunded 20 on A-1."],
  ];
  it.each(snippets.map((s, i) => [i + 1, s] as const))("snippet %i runs", (i, snippet) => {
    const file = join(dir, `snippet-${i}.mts`);
    writeFileSync(file, program(snippet));
    const run = spawnSync(process.execPath, ["--import", "tsx", file], {
      cwd: root,
      encoding: "utf8",
      timeout: 60_000,
      env: { ...process.env, OPENAI_API_KEY: "" },
    });
    expect(run.stderr).not.toMatch(/Error/);
    expect(run.status).toBe(0);
    expect(run.stdout.trim().split("\n")).toEqual(expected[i - 1]);
  });
});
