/**
 * An agent process for the kill switch browser test, speaking plain HTTP (env ACP_URL, ACP_TOKEN: an agent token
 * of ACP_AGENT). It opens a session, then proposes the auto-approved `read_file` in a loop, completing each
 * allowed one and printing one JSON line per decision (`{"step":"decision","outcome":…,"code":…}`), until a
 * proposal is denied (printed too) or it has made 600 proposals.
 */
const url = process.env.ACP_URL!;
const agentId = process.env.ACP_AGENT!;
const headers = { authorization: `Bearer ${process.env.ACP_TOKEN}`, "content-type": "application/json" };
const say = (line: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(line)}\n`);

async function call(method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(url + path, {
    method,
    headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const json = (await res.json()) as Record<string, unknown>;
  if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${JSON.stringify(json)}`);
  return json;
}

const session = await call("POST", "/v1/sessions", { name: "loop", agent_id: agentId });
say({ step: "session", session_id: session.id });
for (let i = 0; i < 600; i++) {
  const d = await call("POST", "/v1/proposals", {
    session_id: session.id,
    action: "read_file",
    resource_id: `file-${i}.txt`,
  });
  say({ step: "decision", n: i, outcome: d.outcome, code: d.code, reason: d.reason });
  if (d.outcome !== "allowed") break;
  await call("POST", `/v1/proposals/${d.proposal_id}/complete`, { ok: true });
  // Pace the loop like a real agent doing work between actions (the test waits on lines, not on time).
  await new Promise((resolve) => setTimeout(resolve, 100));
}
