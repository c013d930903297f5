import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, type StartedServe, startServe } from "../support/serve-process.js";
import { parsePrometheusText, sampleValue } from "./prometheus-text.js";

const POLICY =
  "version: 1\nactions:\n  autoApprove: [read_file]\n  blocked: [drop_table]\n  alwaysApprove: [deploy]\n";

describe("GET /metrics on acp serve (Prometheus text format)", () => {
  let dir: string;
  let server: StartedServe;
  let admin: string;
  let agent: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "acp-metrics-"));
    writeFileSync(join(dir, "policy.yaml"), POLICY);
    server = await startServe(["--sqlite", join(dir, "acp.db"), "--policy", join(dir, "policy.yaml")]);
    admin = server.adminToken!;
    const created = await call(server.url, "/v1/tokens", {
      token: admin,
      body: { role: "agent", agent_id: "bot" },
    });
    agent = ((await created.json()) as { token: string }).token;
  }, 60_000);
  afterAll(async () => {
    server?.process.kill("SIGTERM");
    await server?.exited;
    rmSync(dir, { recursive: true, force: true });
  });

  const scrape = async (token = admin) => {
    const res = await call(server.url, "/metrics", { token });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    return parsePrometheusText(await res.text());
  };

  it("needs a token that may read: none is 401, an agent's is 403", async () => {
    expect((await call(server.url, "/metrics")).status).toBe(401);
    const res = await call(server.url, "/metrics", { token: agent });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ error: expect.stringContaining("needs read") });
  });

  it("parses as Prometheus text and its values match the actions taken", async () => {
    const before = await scrape();
    expect(before.types.get("acp_decisions_total")).toBe("counter");
    expect(before.types.get("acp_decision_duration_seconds")).toBe("histogram");
    expect(before.types.get("acp_tickets_pending")).toBe("gauge");
    expect(sampleValue(before, "acp_tickets_pending")).toBe(0);
    expect(before.samples.filter((s) => s.name === "acp_decisions_total")).toEqual([]);

    const session = (await (
      await call(server.url, "/v1/sessions", { token: agent, body: { budget: { max_cost: "50" } } })
    ).json()) as { id: string };
    const propose = async (action: string, cost?: number) =>
      (await (
        await call(server.url, "/v1/proposals", {
          token: agent,
          body: {
            session_id: session.id,
            action,
            resource_id: `${action}-${Math.random()}`,
            ...(cost ? { cost } : {}),
          },
        })
      ).json()) as { outcome: string; proposal_id: string };
    const a = await propose("read_file", 1.5);
    const b = await propose("read_file", 2);
    expect([a.outcome, b.outcome]).toEqual(["allowed", "allowed"]);
    expect((await propose("drop_table")).outcome).toBe("denied");
    expect((await propose("deploy")).outcome).toBe("pending_approval");
    const done = await call(server.url, `/v1/proposals/${a.proposal_id}/complete`, {
      token: agent,
      body: { ok: true, cost: 1 },
    });
    expect(done.status).toBe(200);
    const kill = await call(server.url, "/v1/kill/agent/someone-else", {
      token: admin,
      body: { reason: "metrics test" },
    });
    expect(kill.status).toBe(200);

    const m = await scrape();
    expect(sampleValue(m, "acp_decisions_total", { outcome: "allowed", code: "auto_approved" })).toBe(2);
    expect(sampleValue(m, "acp_decisions_total", { outcome: "denied", code: "blocked_action" })).toBe(1);
    expect(
      sampleValue(m, "acp_decisions_total", { outcome: "pending_approval", code: "approval_required" }),
    ).toBe(1);
    expect(sampleValue(m, "acp_decision_duration_seconds_count", { outcome: "allowed" })).toBe(2);
    expect(sampleValue(m, "acp_decision_duration_seconds_bucket", { outcome: "allowed", le: "+Inf" })).toBe(
      2,
    );
    expect(sampleValue(m, "acp_completions_total", { result: "succeeded" })).toBe(1);
    expect(sampleValue(m, "acp_tickets_pending")).toBe(1);
    expect(sampleValue(m, "acp_kill_switches_engaged")).toBe(1);
    expect(sampleValue(m, "acp_proposals_outcome_unknown")).toBe(0);
    // Actual 1 for the completed call, 2 reserved for the running one.
    expect(sampleValue(m, "acp_budget_used_cost")).toBe(3);
    expect(sampleValue(m, "acp_budget_used_actions")).toBe(2);
    // A viewer may read it too.
    const viewer = await call(server.url, "/v1/tokens", { token: admin, body: { role: "viewer" } });
    expect(
      sampleValue(await scrape(((await viewer.json()) as { token: string }).token), "acp_tickets_pending"),
    ).toBe(1);
  });
});
