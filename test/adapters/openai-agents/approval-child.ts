/**
 * One process of the cross-process approval test. `start`: runs the agent until its approval interruption and
 * saves `state.toString()` with the tickets to `savedFile`. `resume`: loads that state in a fresh process,
 * resolves the interruption from the control plane's ticket and resumes the run.
 * Usage: approval-child.ts start|resume <db> <sessionId> <savedFile> <refundLog>
 */
import { readFileSync, writeFileSync } from "node:fs";
import { RunState, run } from "@openai/agents";
import { approvalRequests, resolveInterruptions } from "../../../src/adapters/openai-agents/index.js";
import { fileControlPlane, weatherAgent } from "./fixture.js";

const [mode, db, sessionId, savedFile, refundLog] = process.argv.slice(2) as [
  string,
  string,
  string,
  string,
  string,
];
const { cp, close } = await fileControlPlane(db);
const { agent } = weatherAgent(cp, [{ tool: "issue_refund", args: { orderId: "o-42", amount: 30 } }], {
  refundLog,
});
try {
  if (mode === "start") {
    const result = await run(agent, "Refund order o-42", { context: { sessionId } });
    const requests = await approvalRequests(result);
    const tickets = requests.map(({ callId, ticketId }) => ({ callId, ticketId }));
    writeFileSync(savedFile, JSON.stringify({ state: result.state.toString(), tickets }));
    console.log(JSON.stringify({ interrupted: result.interruptions.length, tickets }));
  } else {
    const saved = JSON.parse(readFileSync(savedFile, "utf8")) as {
      state: string;
      tickets: { callId: string; ticketId: string }[];
    };
    const state = await RunState.fromString(agent, saved.state);
    const resolved = await resolveInterruptions(state, saved.tickets);
    const result = await run(agent, state);
    console.log(JSON.stringify({ resolved: resolved.map((r) => r.status), finalOutput: result.finalOutput }));
  }
} finally {
  await close();
}
