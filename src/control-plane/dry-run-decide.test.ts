import { describe, expect, it } from "vitest";
import { loadPolicy } from "../engines/policy/load-policy.js";
import { ValidationError } from "../errors/validation-error.js";
import { dryRunDecide } from "./dry-run-decide.js";

const policy = loadPolicy({
  version: 1,
  actions: {
    blocked: ["drop_table"],
    alwaysApprove: ["send_payment"],
    autoApprove: ["read_row"],
    steer: ["force_push"],
  },
});

describe("dryRunDecide", () => {
  it("gives each outcome of the decision core with code, tier, risk and trace", async () => {
    expect(await dryRunDecide(policy, { action: "read_row" })).toMatchObject({
      outcome: "allowed",
      code: "auto_approved",
      tier: "auto_approve",
    });
    const pending = await dryRunDecide(policy, { action: "send_payment", cost: "10" });
    expect(pending).toMatchObject({ outcome: "pending_approval", code: "approval_required" });
    expect(pending.trace.map((t) => t.step)).toEqual(
      expect.arrayContaining(["dry_run", "session", "budget"]),
    );
    expect(await dryRunDecide(policy, { action: "DROP_TABLE" })).toMatchObject({
      outcome: "denied",
      code: "blocked_action",
    });
    const steered = await dryRunDecide(policy, { action: "force_push" });
    expect(steered.outcome).toBe("steered");
    expect(steered.steering).toBeDefined();
  });

  it("applies the imagined session's status and budget", async () => {
    const over = await dryRunDecide(
      policy,
      { action: "read_row", cost: "0.6" },
      { session: { maxCost: "1", usedCost: 0.5 } },
    );
    expect(over).toMatchObject({ outcome: "denied", code: "budget_exhausted" });
    expect(over.reason).toContain("would exceed 1");
    const within = await dryRunDecide(
      policy,
      { action: "read_row", cost: "0.5" },
      { session: { maxCost: "1", usedCost: 0.5 } },
    );
    expect(within.outcome).toBe("allowed");
    const actions = await dryRunDecide(
      policy,
      { action: "read_row" },
      { session: { maxActions: 2, usedActions: 2 } },
    );
    expect(actions.code).toBe("budget_exhausted");
    const aborted = await dryRunDecide(policy, { action: "read_row" }, { session: { status: "aborted" } });
    expect(aborted).toMatchObject({ outcome: "denied", code: "session_not_executable" });
  });

  it("checks the agent when a record (or null: unregistered) is given", async () => {
    const none = await dryRunDecide(policy, { action: "read_row", agentId: "x" }, { agent: null });
    expect(none.code).toBe("unknown_agent");
    const agent = {
      id: "x",
      name: "x",
      capabilities: ["send_payment"],
      tags: [],
      createdAt: 0,
      updatedAt: 0,
    };
    expect((await dryRunDecide(policy, { action: "read_row", agentId: "x" }, { agent })).code).toBe(
      "missing_capability",
    );
  });

  it("rejects a malformed proposal or session with a ValidationError naming the field", async () => {
    await expect(dryRunDecide(policy, { action: "" })).rejects.toBeInstanceOf(ValidationError);
    const error = await dryRunDecide(
      policy,
      { action: "read_row" },
      { session: { usedCost: "-1", bogus: 1 } as never },
    ).catch((e: unknown) => e as ValidationError);
    expect((error as ValidationError).issues.map((i) => i.path)).toEqual(
      expect.arrayContaining(["session.bogus", "session.usedCost"]),
    );
  });
});
