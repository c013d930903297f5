import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { governTool } from "../../src/adapters/govern-tool.js";
import { type ControlPlane, createControlPlane } from "../../src/control-plane/create-control-plane.js";
import { ValidationError } from "../../src/errors/validation-error.js";
import { createMemoryStorage } from "../../src/storage/memory/memory-storage.js";
import { createSqliteStorage } from "../../src/storage/sqlite/index.js";
import type { Storage } from "../../src/storage/storage.js";
import { TEST_POLICY } from "../support/control-plane-fixture.js";

const open: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of open.splice(0)) await close();
});

async function setup(budget?: { maxCost?: string; maxActions?: number }) {
  const storage = createMemoryStorage();
  const cp = await createControlPlane({ storage, policy: TEST_POLICY });
  open.push(async () => {
    await cp.close();
    await storage.close();
  });
  const session = await cp.openSession({ agentId: "bot", ...(budget ? { budget } : {}) });
  return { cp, session };
}

async function sqliteSetup(): Promise<{ cp: ControlPlane; storage: Storage; sessionId: string }> {
  const dir = mkdtempSync(join(tmpdir(), "acp-govern-"));
  const storage = await createSqliteStorage({ path: join(dir, "acp.db") });
  const cp = await createControlPlane({ storage, policy: TEST_POLICY });
  open.push(async () => {
    await cp.close();
    await storage.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const session = await cp.openSession({ agentId: "bot" });
  return { cp, storage, sessionId: session.id };
}

describe("governTool", () => {
  it("runs an allowed call once and completes it with the actual cost", async () => {
    const { cp, session } = await setup({ maxCost: "10" });
    const ran: string[] = [];
    const readFile = governTool(
      cp,
      async (a: { path: string }) => {
        ran.push(a.path);
        return { bytes: 42, cost: "0.02" };
      },
      {
        action: "read_file",
        sessionId: session.id,
        resourceId: (a) => a.path,
        cost: "0.05",
        actualCost: (o) => (o as { cost: string }).cost,
      },
    );
    const result = await readFile.run({ path: "/etc/motd" }, { callId: "c1" });
    expect(result.status).toBe("executed");
    if (result.status !== "executed") return;
    expect(result.output).toEqual({ bytes: 42, cost: "0.02" });
    expect(ran).toEqual(["/etc/motd"]);
    const view = await cp.getProposal(result.decision.proposalId);
    expect(view.status).toBe("succeeded");
    expect((await cp.getSession(session.id)).budget.usedCost).toBe("0.02");
  });

  it("decides then runs one call id as one proposal, executed once (a framework's two hooks)", async () => {
    const { cp, session } = await setup();
    let runs = 0;
    const t = governTool(cp, () => ++runs, { action: "write_file", sessionId: session.id });
    const decided = await t.decide({ path: "a" }, { callId: "call-7" });
    expect(decided.status).toBe("allowed");
    const [first, second] = await Promise.all([
      t.run({ path: "a" }, { callId: "call-7" }),
      t.run({ path: "a" }, { callId: "call-7" }),
    ]);
    expect(first).toBe(second);
    expect(runs).toBe(1);
    expect(await cp.listProposals({ sessionId: session.id })).toHaveLength(1);
  });

  it("refuses a blocked call with the code and reason, for the model to read, and never runs it", async () => {
    const { cp, session } = await setup();
    let runs = 0;
    const t = governTool(cp, () => ++runs, { action: "delete_database", sessionId: session.id });
    const result = await t.run({});
    expect(result.status).toBe("refused");
    if (result.status !== "refused") return;
    expect(result.code).toBe("blocked_action");
    expect(result.message).toContain("[blocked_action]");
    expect(result.message).toContain(result.reason);
    expect(runs).toBe(0);
  });

  it("returns pending_approval with the ticket, and a re-run after approval claims it and runs once", async () => {
    const { cp, session } = await setup();
    let runs = 0;
    const t = governTool(cp, () => ++runs, { action: "deploy", sessionId: session.id });
    const pending = await t.run({ env: "prod" }, { callId: "d1" });
    expect(pending.status).toBe("pending_approval");
    if (pending.status !== "pending_approval") return;
    expect(pending.message).toContain(pending.ticketId);
    expect(await t.isApproved(pending.ticketId)).toBe(false);
    // The same call again while pending: the same proposal and ticket, nothing run.
    const again = await t.run({ env: "prod" }, { callId: "d1" });
    expect(again.status === "pending_approval" && again.ticketId).toBe(pending.ticketId);
    await cp.approve(pending.ticketId, { decidedBy: "olivia" });
    expect(await t.isApproved(pending.ticketId)).toBe(true);
    const done = await t.run({ env: "prod" }, { callId: "d1" });
    expect(done.status).toBe("executed");
    expect(runs).toBe(1);
    expect(done.status === "executed" && done.decision.proposalId).toBe(pending.decision.proposalId);
  });

  it("waits up to approvalWaitMs and runs when an operator approves meanwhile; a denial is a refusal", async () => {
    const { cp, session } = await setup();
    let runs = 0;
    const t = governTool(cp, () => ++runs, {
      action: "send_payment",
      sessionId: session.id,
      approvalWaitMs: 5_000,
    });
    const approving = (async () => {
      for (;;) {
        const [ticket] = await cp.listTickets({ sessionId: session.id, statuses: ["pending"] });
        if (ticket) return cp.approve(ticket.id, { decidedBy: "olivia" });
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    const result = await t.run({ amount: 5 }, { callId: "p1" });
    await approving;
    expect(result.status).toBe("executed");
    expect(runs).toBe(1);

    const denying = (async () => {
      for (;;) {
        const [ticket] = await cp.listTickets({ sessionId: session.id, statuses: ["pending"] });
        if (ticket) return cp.deny(ticket.id, { decidedBy: "olivia", reason: "wrong account" });
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    const denied = await t.run({ amount: 6 }, { callId: "p2" });
    await denying;
    expect(denied.status).toBe("refused");
    expect(denied.status === "refused" && denied.code).toBe("approval_denied");
    expect(denied.status === "refused" && denied.message).toContain("wrong account");
    expect(runs).toBe(1);
  });

  it("aborts a running call when a kill switch covers it, records outcome_unknown, and denies the next call", async () => {
    const { cp, sessionId } = await sqliteSetup();
    let sawAbort = false;
    let markStarted: () => void = () => {};
    const started = new Promise<void>((resolve) => {
      markStarted = resolve;
    });
    const t = governTool(
      cp,
      (_a: object, { signal }) =>
        new Promise<string>((resolve, reject) => {
          markStarted();
          signal.addEventListener("abort", () => {
            sawAbort = true;
            reject(signal.reason);
          });
          setTimeout(() => resolve("finished"), 10_000).unref();
        }),
      { action: "write_file", sessionId },
    );
    const running = t.run({ path: "x" });
    await started;
    await cp.kill({ scope: "agent", agentId: "bot", reason: "runaway" });
    const result = await running;
    expect(sawAbort).toBe(true);
    expect(result.status).toBe("aborted");
    if (result.status !== "aborted") return;
    expect(result.reason).toContain("runaway");
    expect((await cp.getProposal(result.decision.proposalId)).status).toBe("outcome_unknown");
    const next = await t.run({ path: "y" });
    expect(next.status === "refused" && next.code).toBe("kill_switch");
  });

  it("records a tool's error as a failed execution and rethrows it", async () => {
    const { cp, session } = await setup();
    const t = governTool(
      cp,
      () => {
        throw new Error("disk full");
      },
      { action: "write_file", sessionId: session.id },
    );
    await expect(t.run({})).rejects.toThrow("disk full");
    const [proposal] = await cp.listProposals({ sessionId: session.id });
    expect(proposal?.status).toBe("failed");
    expect(JSON.stringify(proposal)).toContain("disk full");
  });

  it("reports an exhausted budget to the model as a refusal", async () => {
    const { cp, session } = await setup({ maxActions: 1 });
    const t = governTool(cp, () => "ok", { action: "write_file", sessionId: session.id });
    expect((await t.run({ n: 1 })).status).toBe("executed");
    const second = await t.run({ n: 2 });
    expect(second.status === "refused" && second.code).toBe("budget_exhausted");
    expect(second.status === "refused" && second.message).toMatch(/budget/i);
  });

  it("rejects a bad mapping naming each path, and a call without a session", async () => {
    const { cp } = await setup();
    try {
      governTool(cp, () => 1, { action: "", approvalWaitMs: -1, actoin: "x" } as never);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ValidationError);
      const paths = (error as ValidationError).issues.map((i) => i.path);
      expect(paths).toEqual(
        expect.arrayContaining(["mapping.action", "mapping.approvalWaitMs", "mapping.actoin"]),
      );
    }
    const t = governTool(cp, () => 1, { action: "write_file" });
    await expect(t.run({})).rejects.toThrow(/sessionId/);
  });

  it("keeps a denied call denied: the same call id asks no second ticket, also from a new wrapper", async () => {
    const { cp, session } = await setup();
    let runs = 0;
    const mapping = { action: "deploy", sessionId: session.id };
    const first = await governTool(cp, () => ++runs, mapping).run({ env: "prod" }, { callId: "x1" });
    expect(first.status).toBe("pending_approval");
    if (first.status !== "pending_approval") return;
    await cp.deny(first.ticketId, { decidedBy: "olivia", reason: "not today" });
    // A fresh wrapper has no memory of the call: what it knows comes from the control plane.
    const again = await governTool(cp, () => ++runs, mapping).run({ env: "prod" }, { callId: "x1" });
    expect(again.status === "refused" && again.code).toBe("approval_denied");
    expect(await cp.listTickets({ sessionId: session.id })).toHaveLength(1);
    expect(runs).toBe(0);
  });

  it("runs an approved call once across wrappers (as in another process): a later re-run is refused as already run", async () => {
    const { cp, session } = await setup();
    let runs = 0;
    const mapping = { action: "deploy", sessionId: session.id };
    const first = await governTool(cp, () => ++runs, mapping).run({ env: "prod" }, { callId: "y1" });
    if (first.status !== "pending_approval") throw new Error(`expected pending, got ${first.status}`);
    await cp.approve(first.ticketId, { decidedBy: "olivia" });
    const resumed = await governTool(cp, () => ++runs, mapping).run({ env: "prod" }, { callId: "y1" });
    expect(resumed.status).toBe("executed");
    const late = await governTool(cp, () => ++runs, mapping).run({ env: "prod" }, { callId: "y1" });
    expect(late.status === "refused" && late.code).toBe("already_run");
    expect(runs).toBe(1);
    expect(await cp.listTickets({ sessionId: session.id })).toHaveLength(1);
  });
});
