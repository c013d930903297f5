import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const root = resolve(import.meta.dirname, "../../..");
const doc = readFileSync(join(root, "docs/integrations/langchain.md"), "utf8");
const blocks = [...doc.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);

/** What the offline stand-in for the page's chat model asks for in each example, in order. */
const MODEL_CALLS = [
  { name: "get_weather", args: { city: "Tokyo" } },
  { name: "get_weather", args: { city: "Tokyo" } },
  { name: "send_email", args: { to: "ann@example.com" } },
] as const;

/**
 * Makes a page example runnable offline: the package imports point at the sources, and the chat model named
 * by `model: "provider:name"` becomes LangChain's `fakeModel()` asking for one tool call, then answering "done".
 */
function runnable(source: string, call: (typeof MODEL_CALLS)[number]): string {
  const prelude = [
    'import { AIMessage as __AIMessage, fakeModel as __fakeModel } from "langchain";',
    `const __model = __fakeModel().respondWithTools([${JSON.stringify({ ...call, id: "call-1" })}]).respond(new __AIMessage("done"));`,
  ].join("\n");
  const body = source
    .replaceAll(
      'from "agent-control-plane/langchain"',
      `from ${JSON.stringify(join(root, "src/adapters/langchain/index.ts"))}`,
    )
    .replaceAll('from "agent-control-plane"', `from ${JSON.stringify(join(root, "src/index.ts"))}`)
    .replace(/model: "[^"]+"/, "model: __model");
  return `${prelude}\n${body}`;
}

describe("docs/integrations/langchain.md", () => {
  const dir = join(root, ".tmp", "docs-langchain");
  mkdirSync(dir, { recursive: true });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const run = (i: number): string => {
    const file = join(dir, `example-${i}.mts`);
    writeFileSync(file, runnable(blocks[i]!, MODEL_CALLS[i]!));
    const child = spawnSync(process.execPath, ["--import", "tsx", file], { cwd: root, encoding: "utf8" });
    expect(child.stderr).not.toMatch(/Error/);
    expect(child.status).toBe(0);
    return child.stdout;
  };

  it("has the hello-world, the one-line change and the approval flow", () => {
    expect(blocks).toHaveLength(MODEL_CALLS.length);
    expect(blocks[0]).not.toContain("governToolCalls");
    expect(blocks[1]).toContain(
      "middleware: [governToolCalls(cp, { sessionId: session.id })], // the one line",
    );
  });

  it("runs LangChain's hello-world as shown", () => {
    expect(run(0).trim()).toBe("done");
  });

  it("runs the governed agent: the allowed call succeeds and is recorded", () => {
    expect(run(1).trim().split("\n")).toEqual(["done", "get_weather succeeded"]);
  });

  it("runs the approval flow: an untrusted resume pauses again, an approved ticket runs the tool once", () => {
    const lines = run(2).trim().split("\n");
    expect(lines[0]).toMatch(/^send_email waits for ticket \S+$/);
    expect(lines.slice(1)).toEqual(["1 0", "0 1"]);
  });
});
