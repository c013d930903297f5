/**
 * An agent runtime for the end-to-end test, speaking plain HTTP with `fetch` (env ACP_URL and ACP_TOKEN, an agent
 * token of agent-a). It prints one JSON line per step:
 *   session → pending (a `deploy` that needs approval) → decided (after long-polling the ticket) → allowed (its
 *   retry) → completed; then, after a line on standard input, `next` with the decision of one more proposal.
 */

import { createInterface } from "node:readline";
import { agentCall, say } from "./agent-http.js";

const session = await agentCall("POST", "/v1/sessions", { name: "e2e", agent_id: "agent-a" });
say({ step: "session", session_id: session.id });
const proposal = { session_id: session.id, action: "deploy", resource_id: "svc" };
const first = await agentCall("POST", "/v1/proposals", proposal);
if (first.outcome !== "pending_approval")
  throw new Error(`expected pending_approval, got ${JSON.stringify(first)}`);
say({ step: "pending", ticket_id: first.ticket_id, proposal_id: first.proposal_id });

let waited: Record<string, unknown>;
do {
  waited = await agentCall("GET", `/v1/tickets/${first.ticket_id}/wait?timeout_ms=10000`);
} while (waited.timed_out === true);
say({ step: "decided", status: waited.status });

const retry = await agentCall("POST", "/v1/proposals", proposal);
say({ step: "allowed", outcome: retry.outcome, proposal_id: retry.proposal_id });
const completed = await agentCall("POST", `/v1/proposals/${retry.proposal_id}/complete`, { ok: true });
say({ step: "completed", status: completed.status });

const lines = createInterface({ input: process.stdin });
for await (const _line of lines) break;
lines.close();
process.stdin.destroy();
const next = await agentCall("POST", "/v1/proposals", { session_id: session.id, action: "read_file" });
say({ step: "next", outcome: next.outcome, code: next.code, reason: next.reason });
