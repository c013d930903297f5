import { describe, expect, it } from "vitest";
import { spawnWorker } from "../support/spawn-worker.js";

interface Reported {
  readonly error: { code: string; message: string } | null;
  readonly proposals?: number;
  readonly status?: string;
  readonly fatal?: string;
}

/**
 * Runs one hostile shape in a child process, killed after `ms`: a hang (the bug) fails the test instead of
 * freezing the runner, because a synchronous loop never lets an in-process timeout fire.
 */
async function run(command: Record<string, unknown>, ms = 20_000): Promise<Reported> {
  const worker = spawnWorker("test/fixtures/hostile-input-worker.ts", command);
  const timer = setTimeout(() => worker.child.kill("SIGKILL"), ms);
  try {
    return await worker.done<Reported>();
  } finally {
    clearTimeout(timer);
  }
}

describe("hostile JSON shapes get a ValidationError naming the field, fast", () => {
  it("args with a cycle (o.a = o; o.b = o) ⇒ cycle error at args.a.b.a, nothing stored", async () => {
    const r = await run({ shape: "cycle", target: "args" });
    expect(r.error).toMatchObject({ code: "validation_failed" });
    expect(r.error?.message).toContain("args.a.b.a: circular reference");
    expect(r.proposals).toBe(0);
  });

  it("args as a depth-40 DAG (each level references the next twice) ⇒ size error", async () => {
    const r = await run({ shape: "dag", target: "args" });
    expect(r.error).toMatchObject({ code: "validation_failed" });
    expect(r.error?.message).toMatch(/args(\.[ab])+: .*larger than 1000000 characters/);
    expect(r.proposals).toBe(0);
  });

  it("metadata deeper than maxJsonDepth ⇒ depth error naming the path", async () => {
    const r = await run({ shape: "deep", target: "metadata", options: { maxJsonDepth: 10 } });
    expect(r.error).toMatchObject({ code: "validation_failed" });
    expect(r.error?.message).toContain(`metadata${".a".repeat(10)}: nested deeper than 10 levels`);
    expect(r.proposals).toBe(0);
  });

  it("args over maxJsonSize ⇒ size error naming the field", async () => {
    const r = await run({ shape: "large", target: "args" });
    expect(r.error?.message).toContain("args.text: larger than 1000000 characters");
    expect(r.proposals).toBe(0);
  });

  it("completion output with a cycle ⇒ error, the proposal stays executing", async () => {
    const r = await run({ shape: "cycle", target: "output" });
    expect(r.error).toMatchObject({ code: "validation_failed" });
    expect(r.error?.message).toContain("output.a.b.a: circular reference");
    expect(r.status).toBe("executing");
  });

  it("completion output as a depth-40 DAG ⇒ error", async () => {
    const r = await run({ shape: "dag", target: "output" });
    expect(r.error?.message).toMatch(/output(\.[ab])+: .*larger than/);
    expect(r.status).toBe("executing");
  });

  it("a session policy object holding a DAG ⇒ policy error, no session", async () => {
    const r = await run({ shape: "dag", target: "policy" });
    expect(r.error?.message).toMatch(/policy\.evaluators\[0\]\.config(\.[ab])+: .*larger than/);
  });

  it("a session policy object holding a cycle ⇒ policy error", async () => {
    const r = await run({ shape: "cycle", target: "policy" });
    expect(r.error?.message).toContain("policy.evaluators[0].config.a.b.a: circular reference");
  });
});
