import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { describe, expect, it } from "vitest";
import { TOKENS, useHttp } from "../support/http-server.js";

type Doc = {
  paths: Record<
    string,
    Record<string, { responses: Record<string, { content?: Record<string, { schema: object }> }> }>
  >;
  components: { schemas: Record<string, object> };
};

/** Validates answers against the response schemas of the served /openapi.json (a real JSON Schema validator). */
async function openApiChecker(url: string) {
  const doc = (await (await fetch(`${url}/openapi.json`)).json()) as Doc;
  const ajv = new (Ajv2020 as unknown as typeof Ajv2020.default)({ strict: false, allErrors: true });
  (addFormats as unknown as typeof addFormats.default)(ajv);
  ajv.addSchema({ $id: "openapi.json", components: doc.components });
  const rewrite = (schema: unknown): unknown =>
    JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"openapi.json#/components/'));
  return {
    doc,
    async check(path: string, method: string, res: Response): Promise<unknown> {
      const op = doc.paths[path]?.[method];
      if (!op) throw new Error(`no ${method} ${path} in /openapi.json`);
      const declared = op.responses[String(res.status)] ?? op.responses.default;
      if (!declared) throw new Error(`status ${res.status} of ${method} ${path} is not declared`);
      const body = await res.json();
      const schema = declared.content?.["application/json"]?.schema;
      if (!schema) throw new Error(`no JSON schema for ${res.status} of ${method} ${path}`);
      const validate = ajv.compile(rewrite(schema) as object);
      if (!validate(body)) {
        throw new Error(
          `${method} ${path} ${res.status}: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(body)}`,
        );
      }
      return body;
    },
  };
}

describe("every write route answers what /openapi.json declares", () => {
  const h = useHttp();

  it("lists every write route in /openapi.json", async () => {
    const { doc } = await openApiChecker(h().url);
    const expected = {
      "/v1/sessions": ["post"],
      "/v1/sessions/{session_id}/pause": ["post"],
      "/v1/sessions/{session_id}/resume": ["post"],
      "/v1/sessions/{session_id}/close": ["post"],
      "/v1/sessions/{session_id}/abort": ["post"],
      "/v1/sessions/{session_id}/events": ["get"],
      "/v1/sessions/{session_id}/policy": ["get"],
      "/v1/proposals": ["post", "get"],
      "/v1/proposals/{proposal_id}": ["get"],
      "/v1/proposals/{proposal_id}/complete": ["post"],
      "/v1/proposals/{proposal_id}/heartbeat": ["post"],
      "/v1/tickets/{ticket_id}/wait": ["get"],
      "/v1/kill/agent/{agent_id}": ["post"],
      "/v1/resume/system": ["post"],
      "/v1/resume/agent/{agent_id}": ["post"],
      "/v1/resume/session/{session_id}": ["post"],
      "/v1/kill-switches": ["get"],
      "/v1/agents": ["post", "get"],
      "/v1/agents/{agent_id}": ["get"],
      "/v1/delegations": ["post"],
      "/v1/events/stream": ["get"],
      "/v1/policies/current": ["get"],
      "/v1/policies/validate": ["post"],
      "/v1/policies/test": ["post"],
      "/healthz": ["get"],
      "/readyz": ["get"],
    };
    for (const [path, methods] of Object.entries(expected)) {
      expect(Object.keys(doc.paths[path] ?? {}), path).toEqual(expect.arrayContaining(methods));
    }
  });

  it("a whole agent run and the operator paths validate, errors included", async () => {
    const v = await openApiChecker(h().url);
    const call = h().call;
    const opened = (await v.check(
      "/v1/sessions",
      "post",
      await call("/v1/sessions", { token: TOKENS.agentA, body: { budget: { max_cost: "10" } } }),
    )) as { id: string };
    const sid = opened.id;
    await v.check(
      "/v1/sessions",
      "post",
      await call("/v1/sessions", { token: TOKENS.agentA, body: { x: 1 } }),
    );
    await v.check("/v1/sessions", "post", await call("/v1/sessions", { token: TOKENS.viewer, body: {} }));
    await v.check("/v1/sessions", "post", await call("/v1/sessions", { body: {} }));

    const allowed = (await v.check(
      "/v1/proposals",
      "post",
      await call("/v1/proposals", {
        token: TOKENS.agentA,
        body: { session_id: sid, action: "write_file", cost: 1 },
      }),
    )) as { proposal_id: string };
    for (const action of ["delete_database", "force_push"]) {
      await v.check(
        "/v1/proposals",
        "post",
        await call("/v1/proposals", { token: TOKENS.agentA, body: { session_id: sid, action } }),
      );
    }
    const pending = (await v.check(
      "/v1/proposals",
      "post",
      await call("/v1/proposals", { token: TOKENS.agentA, body: { session_id: sid, action: "deploy" } }),
    )) as { ticket_id: string };
    await v.check(
      "/v1/tickets/{ticket_id}/wait",
      "get",
      await call(`/v1/tickets/${pending.ticket_id}/wait?timeout_ms=0`, { token: TOKENS.agentA }),
    );
    await v.check(
      "/v1/proposals/{proposal_id}/heartbeat",
      "post",
      await call(`/v1/proposals/${allowed.proposal_id}/heartbeat`, { token: TOKENS.agentA, body: {} }),
    );
    await v.check(
      "/v1/proposals/{proposal_id}/complete",
      "post",
      await call(`/v1/proposals/${allowed.proposal_id}/complete`, {
        token: TOKENS.agentA,
        body: { ok: true },
      }),
    );
    await v.check(
      "/v1/proposals/{proposal_id}/complete",
      "post",
      await call(`/v1/proposals/${allowed.proposal_id}/complete`, {
        token: TOKENS.agentA,
        body: { ok: true },
      }),
    );
    await v.check(
      "/v1/proposals",
      "get",
      await call(`/v1/proposals?session_id=${sid}`, { token: TOKENS.agentA }),
    );
    await v.check(
      "/v1/proposals/{proposal_id}",
      "get",
      await call(`/v1/proposals/${allowed.proposal_id}`, { token: TOKENS.agentB }),
    );
    await v.check(
      "/v1/sessions/{session_id}/events",
      "get",
      await call(`/v1/sessions/${sid}/events?limit=3`, { token: TOKENS.viewer }),
    );
    await v.check(
      "/v1/sessions/{session_id}/policy",
      "get",
      await call(`/v1/sessions/${sid}/policy`, { token: TOKENS.viewer }),
    );
    await v.check(
      "/v1/sessions/{session_id}/pause",
      "post",
      await call(`/v1/sessions/${sid}/pause`, { token: TOKENS.agentA, method: "POST" }),
    );
    await v.check(
      "/v1/sessions/{session_id}/pause",
      "post",
      await call(`/v1/sessions/${sid}/pause`, { token: TOKENS.agentA, method: "POST" }),
    );
    await v.check(
      "/v1/sessions/{session_id}/abort",
      "post",
      await call(`/v1/sessions/${sid}/abort`, { token: TOKENS.operator, body: { reason: "done" } }),
    );

    await v.check(
      "/v1/agents",
      "post",
      await call("/v1/agents", { token: TOKENS.operator, body: { id: "agent-a" } }),
    );
    await v.check(
      "/v1/agents",
      "post",
      await call("/v1/agents", { token: TOKENS.operator, body: { id: "agent-b" } }),
    );
    await v.check("/v1/agents", "get", await call("/v1/agents", { token: TOKENS.viewer }));
    await v.check("/v1/agents/{agent_id}", "get", await call("/v1/agents/nobody", { token: TOKENS.viewer }));
    await v.check(
      "/v1/delegations",
      "post",
      await call("/v1/delegations", {
        token: TOKENS.agentA,
        body: { from_agent_id: "agent-a", to_agent_id: "agent-b", task: "t" },
      }),
    );
    await v.check(
      "/v1/kill/agent/{agent_id}",
      "post",
      await call("/v1/kill/agent/agent-b", { token: TOKENS.operator, method: "POST" }),
    );
    await v.check("/v1/kill-switches", "get", await call("/v1/kill-switches", { token: TOKENS.viewer }));
    await v.check(
      "/v1/resume/agent/{agent_id}",
      "post",
      await call("/v1/resume/agent/agent-b", { token: TOKENS.operator, method: "POST" }),
    );
    await v.check(
      "/v1/resume/system",
      "post",
      await call("/v1/resume/system", { token: TOKENS.agentA, method: "POST" }),
    );
    await v.check(
      "/v1/resume/session/{session_id}",
      "post",
      await call(`/v1/resume/session/${sid}`, { token: TOKENS.operator, method: "POST" }),
    );
    await v.check(
      "/v1/policies/current",
      "get",
      await call("/v1/policies/current", { token: TOKENS.viewer }),
    );
    await v.check(
      "/v1/policies/validate",
      "post",
      await call("/v1/policies/validate", { token: TOKENS.viewer, body: { policy: { actions: 1 } } }),
    );
    await v.check(
      "/v1/policies/test",
      "post",
      await call("/v1/policies/test", { token: TOKENS.viewer, body: { proposal: { action: "deploy" } } }),
    );
    await v.check("/healthz", "get", await call("/healthz"));
    await v.check("/readyz", "get", await call("/readyz"));
    // The checker bites: the readiness answer is not a liveness answer.
    await expect(v.check("/healthz", "get", await call("/readyz"))).rejects.toThrow(
      /data\/status must be equal to one of the allowed values/,
    );
  });
});
