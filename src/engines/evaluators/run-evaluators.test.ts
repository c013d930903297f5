import { describe, expect, it } from "vitest";
import type { EvaluatorResult } from "./evaluator.js";
import { type EvaluatorTask, runEvaluator, runEvaluators } from "./run-evaluators.js";

const allow: EvaluatorResult = { allow: true, reason: "ok" };

function task(name: string, run: EvaluatorTask["run"], timeoutMs = 1000): EvaluatorTask {
  return { name, type: "test", timeoutMs, run };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("runEvaluator", () => {
  it("turns a thrown error, a rejection and a malformed result into denies with the reason", async () => {
    const thrown = await runEvaluator(
      task("t", () => {
        throw new Error("boom");
      }),
    );
    expect(thrown).toMatchObject({ status: "error", allow: false, reason: "Evaluator error: boom" });
    const rejected = await runEvaluator(task("r", () => Promise.reject(new Error("later"))));
    expect(rejected).toMatchObject({ status: "error", allow: false, reason: "Evaluator error: later" });
    const malformed = await runEvaluator(task("m", () => ({ allow: "yes" }) as unknown as EvaluatorResult));
    expect(malformed).toMatchObject({ status: "error", allow: false });
    expect(malformed.reason).toMatch(/malformed/);
  });

  it("times out a slow evaluator, denies, and aborts its signal", async () => {
    let seen: AbortSignal | undefined;
    const r = await runEvaluator(
      task(
        "slow",
        (signal) => {
          seen = signal;
          return new Promise(() => {});
        },
        20,
      ),
    );
    expect(r).toMatchObject({
      status: "timeout",
      allow: false,
      reason: "Evaluator slow timed out after 20ms",
    });
    expect(seen?.aborted).toBe(true);
  });

  it("keeps allow and deny results with their metadata", async () => {
    const r = await runEvaluator(task("d", () => ({ allow: false, reason: "no", metadata: { k: 1 } })));
    expect(r).toMatchObject({ status: "deny", allow: false, reason: "no", metadata: { k: 1 } });
    expect((await runEvaluator(task("a", () => allow))).status).toBe("allow");
  });
});

describe("runEvaluators", () => {
  it("allows an empty list", async () => {
    expect(await runEvaluators([])).toMatchObject({
      allow: true,
      denied: undefined,
      results: [],
      cancelledCount: 0,
    });
  });

  it("never runs more than `concurrency` evaluators at once", async () => {
    let running = 0;
    let peak = 0;
    const tasks = Array.from({ length: 7 }, (_, i) =>
      task(`e${i}`, async () => {
        running++;
        peak = Math.max(peak, running);
        await sleep(5);
        running--;
        return allow;
      }),
    );
    const r = await runEvaluators(tasks, { concurrency: 3 });
    expect(r.allow).toBe(true);
    expect(peak).toBe(3);
    expect(r.results.map((x) => x.name)).toEqual(["e0", "e1", "e2", "e3", "e4", "e5", "e6"]);
  });

  it("defaults to 4 concurrent evaluators", async () => {
    let running = 0;
    let peak = 0;
    const tasks = Array.from({ length: 6 }, (_, i) =>
      task(`e${i}`, async () => {
        peak = Math.max(peak, ++running);
        await sleep(5);
        running--;
        return allow;
      }),
    );
    await runEvaluators(tasks);
    expect(peak).toBe(4);
  });

  it("after the first deny starts nothing new and aborts running evaluators", async () => {
    const started: string[] = [];
    let runningSignal: AbortSignal | undefined;
    const tasks = [
      task("running", (signal) => {
        started.push("running");
        runningSignal = signal;
        return new Promise<EvaluatorResult>(() => {}); // ignores its signal: must not be awaited
      }),
      task("denier", async () => {
        started.push("denier");
        await sleep(5);
        return { allow: false, reason: "nope" };
      }),
      task("queued", () => {
        started.push("queued");
        return allow;
      }),
    ];
    const r = await runEvaluators(tasks, { concurrency: 2 });
    expect(started).toEqual(["running", "denier"]);
    expect(runningSignal?.aborted).toBe(true);
    expect(r.allow).toBe(false);
    expect(r.denied).toMatchObject({ name: "denier", reason: "nope", status: "deny" });
    expect(r.results.map((x) => x.status)).toEqual(["cancelled", "deny", "cancelled"]);
    expect(r.cancelledCount).toBe(2);
    expect(r.elapsedMs).toBeLessThan(900);
  });

  it("counts an error or a timeout as the deny that stops the run", async () => {
    const r = await runEvaluators(
      [task("fast-timeout", () => new Promise(() => {}), 10), task("late", async () => allow)],
      { concurrency: 1 },
    );
    expect(r.denied).toMatchObject({ name: "fast-timeout", status: "timeout" });
    expect(r.results[1]).toMatchObject({
      status: "cancelled",
      reason: "not started: another evaluator denied",
    });
  });

  it("denies and cancels everything when the caller's signal aborts", async () => {
    const controller = new AbortController();
    let seen: AbortSignal | undefined;
    const pending = runEvaluators(
      [
        task("wait", (signal) => {
          seen = signal;
          return new Promise(() => {});
        }),
      ],
      { signal: controller.signal },
    );
    controller.abort();
    const r = await pending;
    expect(seen?.aborted).toBe(true);
    expect(r).toMatchObject({ allow: false, cancelledCount: 1 });
    expect(r.denied?.reason).toBe("evaluation aborted");
    const already = await runEvaluators([task("x", () => allow)], { signal: controller.signal });
    expect(already.allow).toBe(false);
    expect(already.results[0]?.status).toBe("cancelled");
  });
});
