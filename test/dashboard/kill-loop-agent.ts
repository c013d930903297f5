/**
 * An agent process for the kill switch browser test, speaking plain HTTP (env ACP_URL, ACP_TOKEN: an agent token
 * of ACP_AGENT). It opens a session, then proposes the auto-approved `read_file` in a loop, completing each
 * allowed one and printing one JSON line per decision (`{"step":"decision","outcome":…,"code":…}`), until a
 * proposal is denied (printed too) or it has made 600 proposals.
 */
import { agentCall, say } from "../support/agent-http.js";

const agentId = process.env.ACP_AGENT!;

const session = await agentCall("POST", "/v1/sessions", { name: "loop", agent_id: agentId });
say({ step: "session", session_id: session.id });
for (let i = 0; i < 600; i++) {
  const d = await agentCall("POST", "/v1/proposals", {
    session_id: session.id,
    action: "read_file",
    resource_id: `file-${i}.txt`,
  });
  say({ step: "decision", n: i, outcome: d.outcome, code: d.code, reason: d.reason });
  if (d.outcome !== "allowed") break;
  await agentCall("POST", `/v1/proposals/${d.proposal_id}/complete`, { ok: true });
  // Pace the loop like a real agent doing work between actions (the test waits on lines, not on time).
  await new Promise((resolve) => setTimeout(resolve, 100));
}
