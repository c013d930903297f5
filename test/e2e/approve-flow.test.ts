/**
 * End to end with real processes: `acp serve` on a SQLite file, tokens created with `acp tokens create` from the
 * admin token the server printed, an agent process speaking plain HTTP, and `acp` run as separate processes.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type Child, jsonStep, spawnTs } from "../support/child-process.js";
import { TEST_POLICY } from "../support/control-plane-fixture.js";
import { runAcpProcess } from "../support/run-acp.js";
import { type StartedServe, startServe } from "../support/serve-process.js";

const acp = runAcpProcess;

describe("approve flow across processes", () => {
  const dir = mkdtempSync(join(tmpdir(), "acp-e2e-"));
  const children: Child[] = [];
  let server: StartedServe | undefined;
  afterEach(async () => {
    for (const c of children) c.process.kill("SIGTERM");
    server?.process.kill("SIGTERM");
    await Promise.all([...children.map((c) => c.exited), server?.exited]);
    rmSync(dir, { recursive: true, force: true });
  });

  /** Creates a token with `acp tokens create` (a separate process) using the admin token; returns its secret. */
  async function createToken(url: string, admin: string, args: string[]): Promise<string> {
    const created = await acp(["tokens", "create", ...args, "--json"], { ACP_URL: url, ACP_TOKEN: admin });
    expect(created.stderr).toBe("");
    expect(created.code).toBe(0);
    return (JSON.parse(created.stdout) as { token: string }).token;
  }

  it("the agent waits for a ticket, acp approves it, the retry runs; acp kill denies the next proposal", async () => {
    const policyFile = join(dir, "policy.json");
    writeFileSync(policyFile, JSON.stringify(TEST_POLICY));
    server = await startServe(["--sqlite", join(dir, "cp.db"), "--policy", policyFile]);
    const url = server.url;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const admin = server.adminToken!;
    expect(admin).toMatch(/^acp_/);
    const TOKENS = {
      agentA: await createToken(url, admin, ["--role", "agent", "--agent", "agent-a"]),
      approver: await createToken(url, admin, ["--role", "approver", "--name", "alice"]),
      viewer: await createToken(url, admin, ["--role", "viewer"]),
      operator: await createToken(url, admin, ["--role", "operator", "--name", "olivia"]),
    };

    const agent = spawnTs("test/support/e2e-agent.ts", [], {
      stdin: true,
      env: { ...process.env, ACP_URL: url, ACP_TOKEN: TOKENS.agentA },
    });
    children.push(agent);
    const pending = await jsonStep(agent, "pending");
    const ticketId = String(pending.ticket_id);

    const listed = await acp(["tickets", "list", "--status", "pending", "--json"], {
      ACP_URL: url,
      ACP_TOKEN: TOKENS.approver,
    });
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout).items.map((t: { id: string }) => t.id)).toContain(ticketId);

    const approved = await acp(["tickets", "approve", ticketId, "--reason", "change window"], {
      ACP_URL: url,
      ACP_TOKEN: TOKENS.approver,
    });
    expect(approved.stderr).toBe("");
    expect(approved.code).toBe(0);
    expect(approved.stdout.trim()).toBe(`approved ticket ${ticketId} (allow_once)`);

    expect(await jsonStep(agent, "decided")).toMatchObject({ status: "approved" });
    expect(await jsonStep(agent, "allowed")).toMatchObject({
      outcome: "allowed",
      proposal_id: pending.proposal_id,
    });
    expect(await jsonStep(agent, "completed")).toMatchObject({ status: "succeeded" });

    const shown = await acp(["tickets", "show", ticketId, "--json"], {
      ACP_URL: url,
      ACP_TOKEN: TOKENS.viewer,
    });
    expect(JSON.parse(shown.stdout)).toMatchObject({ status: "approved", decided_by: "alice" });

    const killed = await acp(["kill", "agent", "agent-a", "--reason", "runaway"], {
      ACP_URL: url,
      ACP_TOKEN: TOKENS.operator,
    });
    expect(killed.code).toBe(0);
    agent.process.stdin!.end("next\n");
    expect(await jsonStep(agent, "next")).toMatchObject({ outcome: "denied", code: "kill_switch" });
    expect(await agent.exited).toBe(0);

    // The agent's own token can never decide or kill (403 ⇒ exit 5).
    const selfKill = await acp(["kill", "system", "--reason", "x"], {
      ACP_URL: url,
      ACP_TOKEN: TOKENS.agentA,
    });
    expect(selfKill.code).toBe(5);
  });
});
