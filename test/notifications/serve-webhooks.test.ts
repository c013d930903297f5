import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { verifyWebhookSignature } from "../../src/notifications/index.js";
import { adminQuery, DATABASE_URL, dropSchema, probePostgres, uniqueSchema } from "../support/postgres.js";
import { call, type StartedServe, startServe } from "../support/serve-process.js";
import { startWebhookReceiver, type WebhookReceiver } from "../support/webhook-receiver.js";

const SECRET = "restart-test-secret-0123456789";
const pg = await probePostgres();
const schema = uniqueSchema("serve_webhooks");
afterAll(() => (pg.available ? dropSchema(schema) : undefined));

/** The only outbox row as the server left it. */
interface OutboxRow {
  readonly status: string;
  readonly attempts: number;
  readonly lease_owner: string | null;
}

/** Where the servers keep their state, and how the test reads the outbox behind their back. */
interface Target {
  readonly name: string;
  readonly config: string;
  readRow(dir: string): Promise<OutboxRow | undefined>;
}

const targets: Target[] = [
  {
    name: "the same SQLite file",
    config: "sqlite: acp.db",
    async readRow(dir) {
      const reader = new Database(join(dir, "acp.db"), { readonly: true, fileMustExist: true });
      try {
        return reader.prepare("SELECT status, attempts, lease_owner FROM acp_outbox").get() as
          | OutboxRow
          | undefined;
      } finally {
        reader.close();
      }
    },
  },
  ...(pg.available
    ? [
        {
          name: "the same PostgreSQL schema",
          config: `postgres: ${DATABASE_URL}\nschema: ${schema}`,
          async readRow() {
            const rows = await adminQuery<OutboxRow>(
              `SELECT status, attempts, lease_owner FROM "${schema}".acp_outbox`,
            );
            return rows[0] === undefined ? undefined : { ...rows[0], attempts: Number(rows[0].attempts) };
          },
        },
      ]
    : []),
];

/**
 * Writes serve.yaml (the database — SQLite acp.db by default —, a deploy-needs-approval policy, one webhook to
 * `url`) into `dir`.
 */
function writeConfig(dir: string, url: string, database = "sqlite: acp.db"): void {
  writeFileSync(join(dir, "policy.yaml"), "version: 1\nactions:\n  alwaysApprove: [deploy]\n");
  writeFileSync(
    join(dir, "serve.yaml"),
    `${database}
policy: policy.yaml
public_url: https://acp.example.test
notifications:
  webhooks:
    - name: ops
      url: ${url}
      secret_env: ACP_TEST_WEBHOOK_SECRET
      events: [approval_requested]
      timeout: 1s
      backoff: { initial: 2s, max: 4s }
`,
  );
}

/** Opens a session as a new agent and proposes `deploy` (pending approval); returns the ticket id. */
async function pendingDeploy(url: string, admin: string, agentId: string): Promise<string> {
  const created = await call(url, "/v1/tokens", {
    token: admin,
    body: { role: "agent", agent_id: agentId, name: agentId },
  });
  const agent = ((await created.json()) as { token: string }).token;
  const session = (await (await call(url, "/v1/sessions", { token: agent, body: {} })).json()) as {
    id: string;
  };
  const decision = (await (
    await call(url, "/v1/proposals", {
      token: agent,
      body: { session_id: session.id, action: "deploy", resource_id: agentId },
    })
  ).json()) as { outcome: string; ticket_id: string };
  if (decision.outcome !== "pending_approval")
    throw new Error(`expected pending_approval, got ${decision.outcome}`);
  return decision.ticket_id;
}

/** Polls `read` until it returns a value other than `undefined` (no fixed sleeps). */
async function until<T>(read: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("acp serve webhooks (real process)", () => {
  let dir: string;
  let receiver: WebhookReceiver | undefined;
  const servers: StartedServe[] = [];
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "acp-webhook-serve-"));
  });
  afterEach(async () => {
    for (const s of servers.splice(0)) {
      if (s.process.exitCode === null && s.process.signalCode === null) s.process.kill("SIGKILL");
      await s.exited;
    }
    await receiver?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each(targets)(
    "a server killed (-9) mid-retry delivers after a restart on $name, once accepted",
    async (target) => {
      // The receiver refuses the first attempt and accepts every later one.
      receiver = await startWebhookReceiver((before) => (before === 0 ? 500 : 204));
      writeConfig(dir, receiver.url, target.config);
      const env = { ACP_TEST_WEBHOOK_SECRET: SECRET };
      const first = await startServe(["--config", join(dir, "serve.yaml")], env);
      servers.push(first);
      expect(first.lines.join("\n")).toContain("acp serve: notifying 1 webhook(s): ops");
      const ticketId = await pendingDeploy(first.url, first.adminToken!, "deployer");

      // The first attempt fails; once the failure is recorded (a retry is scheduled), kill -9 the server.
      await receiver.waitFor((got) => got.length >= 1);
      const row = await until(async () => {
        const r = await target.readRow(dir);
        return r && r.attempts === 1 && r.lease_owner === null ? r : undefined;
      });
      expect(row).toMatchObject({ status: "pending", attempts: 1 });
      first.process.kill("SIGKILL");
      expect(await first.exited).toBe("SIGKILL");
      expect(receiver.received).toHaveLength(1);

      const second = await startServe(["--config", join(dir, "serve.yaml")], env);
      servers.push(second);
      await receiver.waitFor((got) => got.some((r) => r.status === 204));
      // Stop cleanly; a repeated send would show in the statuses below.
      second.process.kill("SIGTERM");
      expect(await second.exited).toBe(0);

      expect(receiver.received.map((r) => r.status)).toEqual([500, 204]);
      const [failed, accepted] = receiver.received;
      expect(accepted!.delivery).toBe(failed!.delivery);
      expect(accepted!.body).toBe(failed!.body);
      const body = JSON.parse(accepted!.body);
      expect(body).toMatchObject({
        type: "ticket.pending",
        delivery_id: accepted!.delivery,
        links: { ticket: `https://acp.example.test/tickets/${ticketId}` },
      });
      expect(
        verifyWebhookSignature({
          secret: SECRET,
          body: accepted!.body,
          timestamp: String(accepted!.headers["x-acp-timestamp"]),
          signature: String(accepted!.headers["x-acp-signature"]),
        }),
      ).toBe(true);
    },
  );

  it("two servers on one SQLite file send each event once (both run a notifier)", async () => {
    receiver = await startWebhookReceiver((before) => (before === 0 ? 500 : 200));
    writeConfig(dir, receiver.url);
    const env = { ACP_TEST_WEBHOOK_SECRET: SECRET };
    const a = await startServe(["--config", join(dir, "serve.yaml")], env);
    servers.push(a);
    const b = await startServe(["--config", join(dir, "serve.yaml")], env);
    servers.push(b);
    const admin = a.adminToken!;
    const tickets = [
      await pendingDeploy(a.url, admin, "agent-a1"),
      await pendingDeploy(b.url, admin, "agent-b1"),
      await pendingDeploy(a.url, admin, "agent-a2"),
      await pendingDeploy(b.url, admin, "agent-b2"),
    ];
    await receiver.waitFor((got) => got.filter((r) => r.status === 200).length >= 4, 25_000);
    a.process.kill("SIGTERM");
    b.process.kill("SIGTERM");
    expect(await a.exited).toBe(0);
    expect(await b.exited).toBe(0);
    const accepted = receiver.accepted().map((r) => JSON.parse(r.body).event.ticket_id as string);
    expect(accepted.sort()).toEqual([...tickets].sort());
    const perDelivery = new Map<string, number[]>();
    for (const r of receiver.received)
      perDelivery.set(r.delivery, [...(perDelivery.get(r.delivery) ?? []), r.status]);
    expect([...perDelivery.values()]).toEqual([
      [500, 200],
      [500, 200],
      [500, 200],
      [500, 200],
    ]);
  });
});
