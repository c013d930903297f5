import { describe, expect, it } from "vitest";
import { governToolCalls, pendingApprovals } from "../../../src/adapters/langchain/index.js";
import { createControlPlane } from "../../../src/control-plane/create-control-plane.js";
import { ValidationError } from "../../../src/errors/validation-error.js";
import { createMemoryStorage } from "../../../src/storage/memory/memory-storage.js";
import { LANGCHAIN_POLICY } from "./langchain-harness.js";

const cp = await createControlPlane({ storage: createMemoryStorage(), policy: LANGCHAIN_POLICY });

function issuesOf(options: unknown): { path: string; message: string }[] {
  try {
    governToolCalls(cp, options as never);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return [...(error as ValidationError).issues].map(({ path, message }) => ({ path, message }));
  }
  throw new Error("expected a ValidationError");
}

describe("governToolCalls options", () => {
  it("accepts no options and a full set", () => {
    expect(governToolCalls(cp).name).toBe("AgentControlPlane");
    const m = governToolCalls(cp, {
      name: "Governance",
      sessionId: (r) => String(r.runtime.configurable?.thread_id),
      agentId: "bot",
      defaults: { killPollMs: 50, approvalWaitMs: 0 },
      tools: {
        search: { action: "search_kb", cost: (a) => (a.deep ? "0.1" : "0.01"), metadata: { k: "v" } },
      },
    });
    expect(m.name).toBe("Governance");
    expect(typeof m.wrapToolCall).toBe("function");
  });

  it("names every bad path, with a hint for a misspelt key", () => {
    const issues = issuesOf({
      sesionId: "s",
      agentId: "",
      tools: { search: { action: "", cost: 1, killPollMs: -1, actualCost: "1", metadata: [] }, other: 3 },
      defaults: { aprovalWaitMs: 5 },
    });
    const paths = issues.map((i) => i.path).sort();
    expect(paths).toEqual(
      [
        "options.sesionId",
        "options.agentId",
        "options.tools.search.action",
        "options.tools.search.killPollMs",
        "options.tools.search.actualCost",
        "options.tools.search.metadata",
        "options.tools.other",
        "options.defaults.aprovalWaitMs",
      ].sort(),
    );
    expect(issues.find((i) => i.path === "options.sesionId")?.message).toContain('did you mean "sessionId"');
  });

  it("rejects options that are not an object", () => {
    expect(issuesOf("s-1")).toEqual([{ path: "options", message: "expected an object" }]);
    expect(issuesOf({ tools: [] })).toEqual([
      { path: "options.tools", message: "expected an object keyed by tool name" },
    ]);
  });
});

describe("pendingApprovals", () => {
  it("keeps only control-plane approval interrupts, with their interrupt ids", () => {
    const value = {
      type: "agent_control_plane.approval",
      ticketId: "t-1",
      proposalId: "p-1",
      toolCall: { id: "c-1", name: "send_payment", args: {} },
      reason: "r",
      message: "m",
    };
    const result = {
      __interrupt__: [
        { id: "i-1", value },
        { id: "i-2", value: { actionRequests: [] } },
      ],
    };
    expect(pendingApprovals(result)).toEqual([{ ...value, interruptId: "i-1" }]);
    expect(pendingApprovals({ messages: [] })).toEqual([]);
    expect(pendingApprovals(undefined)).toEqual([]);
  });
});
