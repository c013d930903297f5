import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { run } from "@openai/agents";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ControlPlane } from "../../../src/control-plane/control-plane.js";
import { fileControlPlane, weatherAgent } from "./fixture.js";

let dir: string;
let cp: ControlPlane;
let close: () => Promise<void>;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), "acp-openai-stream-"));
  ({ cp, close } = await fileControlPlane(join(dir, "cp.db")));
});
afterEach(async () => {
  await close();
  rmSync(dir, { recursive: true, force: true });
});

describe("governedTool in a streamed run", () => {
  it("runs the allowed call once, refuses the blocked one and stops at the approval-tier one", async () => {
    const s = await cp.openSession({ agentId: "assistant" });
    const { agent, model, log } = weatherAgent(cp, [
      { tool: "get_weather", args: { city: "Quito" } },
      { tool: "drop_database", args: { name: "prod" } },
      { tool: "issue_refund", args: { orderId: "o-3", amount: 8 } },
    ]);
    const streamed = await run(agent, "Go", { stream: true, context: { sessionId: s.id } });
    const kinds: string[] = [];
    for await (const event of streamed) kinds.push(event.type);
    await streamed.completed;
    expect(kinds).toContain("run_item_stream_event");
    expect(log.runs).toEqual({ get_weather: 1 });
    expect(model.lastSeen.map((o) => o.name)).toEqual(["get_weather", "drop_database"]);
    expect(model.lastSeen[1]?.output).toContain("blocked_action");
    expect(streamed.interruptions.map((i) => i.name)).toEqual(["issue_refund"]);
    const statuses = (await cp.listProposals({ sessionId: s.id })).map((p) => `${p.action}:${p.status}`);
    expect(statuses.sort()).toEqual([
      "drop_database:denied",
      "get_weather:succeeded",
      "issue_refund:pending_approval",
    ]);
  });
});
