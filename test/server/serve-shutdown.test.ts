import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTokenService } from "../../src/auth/token-service.js";
import { createControlPlane } from "../../src/control-plane/create-control-plane.js";
import { createSqliteStorage } from "../../src/storage/sqlite/index.js";
import { call, startServe } from "../support/serve-process.js";

const CLIENTS = 8;
/** SIGTERM is sent once this many actions were proposed, allowed and completed. */
const COMPLETED_BEFORE_SIGTERM = 60;

interface ClientLog {
  sessionId?: string;
  allowed: string[];
  completed: string[];
  statuses: number[];
  malformed: string[];
  connectionErrors: number;
}

/**
 * One agent runtime: opens a session, then proposes and completes until its connection fails (the server
 * stopped). Every answer is recorded: its status, and whether its body was complete, well-formed JSON.
 */
async function runClient(url: string, token: string, log: ClientLog, progress: () => void): Promise<void> {
  const request = async (path: string, body: unknown): Promise<Record<string, unknown> | undefined> => {
    let res: Response;
    let text: string;
    try {
      res = await call(url, path, { token, body });
      text = await res.text();
    } catch {
      log.connectionErrors++;
      return undefined;
    }
    log.statuses.push(res.status);
    try {
      return JSON.parse(text) as Record<string, unknown>;
    } catch {
      log.malformed.push(`${res.status} ${text}`);
      return undefined;
    }
  };
  const session = await request("/v1/sessions", { name: "load" });
  if (session === undefined) return;
  log.sessionId = session.id as string;
  for (let i = 0; ; i++) {
    const decision = await request("/v1/proposals", {
      session_id: log.sessionId,
      action: "get_status",
      resource_id: `status-${i}`,
    });
    if (decision === undefined) return;
    if (decision.outcome !== "allowed") continue;
    log.allowed.push(decision.proposal_id as string);
    const done = await request(`/v1/proposals/${decision.proposal_id}/complete`, { ok: true });
    if (done === undefined) return;
    if (done.status === "succeeded") {
      log.completed.push(decision.proposal_id as string);
      progress();
    }
  }
}

describe("acp serve: SIGTERM under load (real process, SQLite file)", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "acp-serve-load-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("exits 0; every answer is complete and never a 5xx; the database is consistent and restarts", async () => {
    const db = join(dir, "acp.db");
    const seed = createSqliteStorage({ path: db });
    const service = createTokenService({ storage: seed });
    const tokens: string[] = [];
    for (let i = 0; i < CLIENTS; i++) {
      tokens.push((await service.create({ role: "agent", agentId: `agent-${i}`, name: `agent-${i}` })).token);
    }
    await seed.close();
    const config = join(dir, "serve.yaml");
    writeFileSync(
      config,
      `sqlite: acp.db\npolicy: ${resolve("examples/policy.yaml")}\nlimits: { rate_per_minute: 1000000 }\n`,
    );

    const server = await startServe(["--config", config]);
    expect(server.adminToken).toBeUndefined(); // tokens exist already
    const logs: ClientLog[] = tokens.map(() => ({
      allowed: [],
      completed: [],
      statuses: [],
      malformed: [],
      connectionErrors: 0,
    }));
    let completed = 0;
    let signalled = false;
    const progress = () => {
      completed++;
      if (completed >= COMPLETED_BEFORE_SIGTERM && !signalled) {
        signalled = true;
        server.process.kill("SIGTERM");
      }
    };
    await Promise.all(tokens.map((t, i) => runClient(server.url, t, logs[i]!, progress)));
    expect(signalled).toBe(true);
    expect(await server.exited).toBe(0);
    expect(server.lines.some((l) => l.includes("shutting down (SIGTERM)"))).toBe(true);

    const statuses = logs.flatMap((l) => l.statuses);
    expect(statuses.filter((s) => s >= 500)).toEqual([]);
    expect(statuses.filter((s) => s !== 200 && s !== 201)).toEqual([]);
    expect(logs.flatMap((l) => l.malformed)).toEqual([]);
    expect(logs.every((l) => l.connectionErrors === 1)).toBe(true); // each client stopped at its first one

    // The database, opened with the library: nothing half-written.
    const storage = createSqliteStorage({ path: db });
    const cp = await createControlPlane({
      storage,
      policy: resolve("examples/policy.yaml"),
      recoverOnStart: false,
    });
    try {
      for (const log of logs) {
        const sessionId = log.sessionId!;
        for (const id of log.allowed) {
          expect(["executing", "succeeded"]).toContain((await cp.getProposal(id)).status);
        }
        for (const id of log.completed) expect((await cp.getProposal(id)).status).toBe("succeeded");
        const session = await cp.getSession(sessionId);
        const events = [];
        for (let page = await cp.events(sessionId, { limit: 1000 }); page.length > 0; ) {
          events.push(...page);
          page = await cp.events(sessionId, { afterSeq: page.at(-1)!.seq!, limit: 1000 });
        }
        expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
        expect(session.lastSeq).toBe(events.length);
        const proposals = await cp.listProposals({ sessionId, limit: 1000 });
        expect(proposals.length).toBeLessThan(1000);
        const running = proposals.filter((p) => p.status === "executing" || p.status === "succeeded");
        expect(session.budget.usedActions).toBe(running.length);
        for (const p of proposals) {
          const own = events.filter((e) => e.proposalId === p.id);
          expect(own.filter((e) => e.kind === "proposal_decided")).toHaveLength(1);
          expect(own.filter((e) => e.kind === "execution_completed")).toHaveLength(
            p.status === "succeeded" ? 1 : 0,
          );
        }
        // The allowed proposals of the session are exactly those the client was told were allowed: no answer
        // to an in-flight request was lost.
        expect(new Set(running.map((p) => p.id))).toEqual(new Set(log.allowed));
      }
    } finally {
      await cp.close();
      await storage.close();
    }

    // A restart on the same file serves the data and prints no admin token.
    const again = await startServe(["--config", config]);
    expect(again.adminToken).toBeUndefined();
    const read = await call(again.url, `/v1/sessions/${logs[0]!.sessionId}`, { token: tokens[0]! });
    expect(read.status).toBe(200);
    again.process.kill("SIGTERM");
    expect(await again.exited).toBe(0);
  });
});
