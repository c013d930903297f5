/**
 * End to end with real processes: a server process, an agent process speaking plain HTTP, and `acp` run as
 * separate processes. Needs the [write] routes (sessions, proposals, ticket wait, kill agent) and the
 * [contract] ticket routes: it passes once they are merged.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type Child, spawnTs } from "../support/child-process.js";
import { TOKENS } from "../support/http-server.js";
import { runAcpProcess } from "../support/run-acp.js";

const acp = runAcpProcess;

/** The JSON line of `step` printed by the agent process (waiting for it). */
async function step(agent: Child, name: string): Promise<Record<string, unknown>> {
  for (;;) {
    const found = agent.lines
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.step === name);
    if (found) return found;
    await agent.waitForLines(agent.lines.length + 1);
  }
}

describe("approve flow across processes", () => {
  const dir = mkdtempSync(join(tmpdir(), "acp-e2e-"));
  const children: Child[] = [];
  afterEach(async () => {
    for (const c of children) c.process.kill("SIGTERM");
    await Promise.all(children.map((c) => c.exited));
    rmSync(dir, { recursive: true, force: true });
  });

  it("the agent waits for a ticket, acp approves it, the retry runs; acp kill denies the next proposal", async () => {
    const server = spawnTs("test/support/serve-process.ts", [join(dir, "cp.db")]);
    children.push(server);
    await server.waitForLines(1);
    const url = server.lines[0]!.replace(/^listening on /, "");
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    const agent = spawnTs("test/support/e2e-agent.ts", [], {
      stdin: true,
      env: { ...process.env, ACP_URL: url, ACP_TOKEN: TOKENS.agentA },
    });
    children.push(agent);
    const pending = await step(agent, "pending");
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

    expect(await step(agent, "decided")).toMatchObject({ status: "approved" });
    expect(await step(agent, "allowed")).toMatchObject({
      outcome: "allowed",
      proposal_id: pending.proposal_id,
    });
    expect(await step(agent, "completed")).toMatchObject({ status: "succeeded" });

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
    expect(await step(agent, "next")).toMatchObject({ outcome: "denied", code: "kill_switch" });
    expect(await agent.exited).toBe(0);
  });
});
