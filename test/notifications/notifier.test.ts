import { createHmac } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { EventFrameSchema } from "../../src/http/schemas/event-frame.js";
import {
  createNotifier,
  NOTIFICATION_EVENT_KINDS,
  type Notifier,
  verifyWebhookSignature,
  type WebhookConfig,
} from "../../src/notifications/index.js";
import { useControlPlane } from "../support/control-plane-fixture.js";
import { withAllStorageCases } from "../support/postgres-case.js";
import { startWebhookReceiver, type WebhookReceiver } from "../support/webhook-receiver.js";

const cases = await withAllStorageCases();
const PUBLIC_URL = "https://acp.example.test";

function webhook(url: string, patch: Partial<WebhookConfig> = {}): WebhookConfig {
  return {
    name: "ops",
    url,
    secret: "s3cret-for-tests",
    events: NOTIFICATION_EVENT_KINDS,
    format: "json",
    timeoutMs: 2000,
    maxAttempts: 12,
    backoff: { initialMs: 10, maxMs: 40 },
    ...patch,
  };
}

describe.each(cases)("webhook notifier on $name storage", (storageCase) => {
  const h = useControlPlane(storageCase);
  const open: { close(): Promise<void> }[] = [];
  const notifiers: Notifier[] = [];
  afterEach(async () => {
    for (const n of notifiers.splice(0)) await n.stop();
    for (const r of open.splice(0)) await r.close();
  });

  const receiver = async (respond?: Parameters<typeof startWebhookReceiver>[0]): Promise<WebhookReceiver> => {
    const r = await startWebhookReceiver(respond);
    open.push(r);
    return r;
  };
  const notifier = (webhooks: WebhookConfig[], extra: { log?: (m: string) => void } = {}) => {
    const n = createNotifier({
      controlPlane: h().cp,
      storage: h().storage,
      webhooks,
      publicUrl: PUBLIC_URL,
      pollIntervalMs: 20,
      ...(extra.log ? { log: (_level, message) => extra.log?.(message) } : {}),
    });
    notifiers.push(n);
    return n;
  };
  let accounts = 0;
  const pendingTicket = async () => {
    const s = await h().cp.openSession({ budget: { maxCost: 100 } });
    const resourceId = `acct-${++accounts}`;
    const d = await h().cp.propose({ sessionId: s.id, action: "send_payment", resourceId, cost: 5 });
    if (d.outcome !== "pending_approval") throw new Error(`expected pending_approval, got ${d.outcome}`);
    return { sessionId: s.id, ticketId: d.ticketId };
  };

  it("signs each request: the HMAC of timestamp.body verifies with the secret and fails with another", async () => {
    const r = await receiver();
    const n = notifier([webhook(r.url)]);
    await n.start();
    const { sessionId, ticketId } = await pendingTicket();
    await r.waitFor((got) => got.length >= 1);
    const [req] = r.received;
    const timestamp = String(req!.headers["x-acp-timestamp"]);
    const signature = String(req!.headers["x-acp-signature"]);
    // Recomputed independently of the library:
    const expected = createHmac("sha256", "s3cret-for-tests")
      .update(`${timestamp}.${req!.body}`)
      .digest("hex");
    expect(signature).toBe(`sha256=${expected}`);
    expect(
      verifyWebhookSignature({ secret: "s3cret-for-tests", body: req!.body, timestamp, signature }),
    ).toBe(true);
    expect(verifyWebhookSignature({ secret: "wrong-secret", body: req!.body, timestamp, signature })).toBe(
      false,
    );
    expect(
      verifyWebhookSignature({ secret: "s3cret-for-tests", body: `${req!.body} `, timestamp, signature }),
    ).toBe(false);
    // An old timestamp (a replay) fails even with the right signature.
    expect(
      verifyWebhookSignature({
        secret: "s3cret-for-tests",
        body: req!.body,
        timestamp,
        signature,
        now: (Number(timestamp) + 3600) * 1000,
      }),
    ).toBe(false);

    const body = JSON.parse(req!.body);
    expect(body).toMatchObject({
      delivery_id: req!.headers["x-acp-delivery"],
      webhook: "ops",
      type: "ticket.pending",
      links: { ticket: `${PUBLIC_URL}/tickets/${ticketId}`, session: `${PUBLIC_URL}/sessions/${sessionId}` },
    });
    expect(EventFrameSchema.parse(body.event)).toMatchObject({
      acp_kind: "approval_requested",
      ticket_id: ticketId,
    });
    expect(new Date(body.occurred_at).toISOString()).toBe(body.occurred_at);
    expect(req!.headers["x-acp-event"]).toBe("ticket.pending");
    expect(req!.headers["content-type"]).toBe("application/json");
    expect(req!.headers["user-agent"]).toMatch(/^agent-control-plane\/\d+\.\d+\.\d+/);
  });

  it("a receiver failing 3 times then succeeding gets exactly one accepted delivery per event, same id each attempt", async () => {
    const r = await receiver((before) => (before < 3 ? 500 : 200));
    const n = notifier([webhook(r.url)]);
    await n.start();
    const { ticketId } = await pendingTicket();
    await h().cp.approve(ticketId, { decidedBy: "alice", reason: "fine" });
    const types = (got: readonly { body: string; status: number }[]) =>
      got.filter((x) => x.status === 200).map((x) => JSON.parse(x.body).type);
    await r.waitFor((got) => types(got).length >= 2);
    // Give a wrongly repeating sender the chance to send again.
    await n.runOnce();
    await new Promise((resolve) => setTimeout(resolve, 150));
    await n.runOnce();
    expect(types(r.received).sort()).toEqual(["ticket.approved", "ticket.pending"]);
    const ids = [...new Set(r.received.map((x) => x.delivery))];
    expect(ids).toHaveLength(2);
    for (const id of ids) {
      const attempts = r.received.filter((x) => x.delivery === id);
      expect(attempts.map((x) => x.status)).toEqual([500, 500, 500, 200]);
      expect(attempts.map((x) => x.headers["x-acp-attempt"])).toEqual(["1", "2", "3", "4"]);
      expect(new Set(attempts.map((x) => JSON.parse(x.body).delivery_id))).toEqual(new Set([id]));
    }
    const rows = await h().storage.read((tx) => tx.outbox.list({ limit: 10 }));
    expect(rows.map((d) => [d.status, d.attempts, d.lastError])).toEqual([
      ["delivered", 4, null],
      ["delivered", 4, null],
    ]);
  });

  it("gives a delivery up (dead, logged) after max_attempts", async () => {
    const r = await receiver(() => 503);
    const lines: string[] = [];
    const n = notifier([webhook(r.url, { maxAttempts: 2 })], { log: (m) => lines.push(m) });
    await n.start();
    await pendingTicket();
    await r.waitFor((got) => got.length >= 2);
    await n.runOnce();
    await new Promise((resolve) => setTimeout(resolve, 100));
    await n.runOnce();
    expect(r.received).toHaveLength(2);
    const [row] = await h().storage.read((tx) => tx.outbox.list({ limit: 10 }));
    expect(row).toMatchObject({ status: "dead", attempts: 2, lastError: "HTTP 503" });
    expect(lines.some((l) => l.includes("given up after 2 attempts: HTTP 503"))).toBe(true);
  });

  it("sends only the configured events; the Slack format is { text, blocks } with the dashboard link", async () => {
    const ops = await receiver();
    const slack = await receiver();
    const n = notifier([
      webhook(ops.url, { events: ["kill_switch_engaged"] }),
      webhook(slack.url, { name: "slack", format: "slack", events: ["approval_requested"] }),
    ]);
    await n.start();
    const { ticketId } = await pendingTicket();
    await h().cp.kill({ scope: "global", reason: "drill <b>&</b>" });
    await ops.waitFor((got) => got.length >= 1);
    await slack.waitFor((got) => got.length >= 1);
    await n.runOnce();
    expect(ops.received.map((x) => JSON.parse(x.body).type)).toEqual(["kill_switch.engaged"]);
    expect(slack.received).toHaveLength(1);
    const message = JSON.parse(slack.received[0]!.body);
    expect(Object.keys(message).sort()).toEqual(["blocks", "text"]);
    const link = `${PUBLIC_URL}/tickets/${ticketId}`;
    expect(message.text).toContain(`<${link}|Open the ticket>`);
    expect(message.text).toMatch(/^Approval needed: send_payment/);
    expect(message.blocks[0]).toEqual({ type: "section", text: { type: "mrkdwn", text: message.text } });
    expect(slack.received[0]!.headers["x-acp-signature"]).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(slack.received[0]!.headers["x-acp-event"]).toBe("ticket.pending");
  });

  it("starts at the feed's head, then resumes from its stored cursor after a restart; two notifiers never double-send", async () => {
    const r = await receiver();
    await pendingTicket(); // before any notifier: never sent
    const first = notifier([webhook(r.url)]);
    await first.runOnce(); // places the cursor at the head
    await first.stop();
    const { ticketId } = await pendingTicket(); // while no notifier runs
    const a = notifier([webhook(r.url)]);
    const b = notifier([webhook(r.url)]);
    await Promise.all([a.start(), b.start()]);
    await h().cp.approve(ticketId, { decidedBy: "alice" });
    await r.waitFor((got) => got.length >= 2);
    await Promise.all([a.runOnce(), b.runOnce()]);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await Promise.all([a.runOnce(), b.runOnce()]);
    const bodies = r.received
      .map((x) => JSON.parse(x.body))
      .sort((x, y) => x.event.feed_id - y.event.feed_id);
    expect(bodies.map((b) => b.type)).toEqual(["ticket.pending", "ticket.approved"]);
    expect(bodies.map((b) => b.event.ticket_id)).toEqual([ticketId, ticketId]);
  });

  it("deletes finished deliveries after the retention, never pending ones", async () => {
    const r = await receiver((_before, headers) =>
      String(headers["x-acp-event"]) === "ticket.pending" ? 200 : 500,
    );
    let clock = Date.UTC(2026, 5, 1);
    const n = createNotifier({
      controlPlane: h().cp,
      storage: h().storage,
      webhooks: [webhook(r.url, { backoff: { initialMs: 3_600_000, maxMs: 3_600_000 } })],
      publicUrl: PUBLIC_URL,
      now: () => clock,
      retentionMs: 5 * 60_000,
    });
    notifiers.push(n);
    await n.runOnce();
    const { ticketId } = await pendingTicket();
    await h().cp.approve(ticketId, { decidedBy: "alice" }); // ticket.approved: refused, retried in an hour
    await n.runOnce();
    const statuses = async () =>
      (await h().storage.read((tx) => tx.outbox.list({ limit: 10 }))).map((d) => [d.eventKind, d.status]);
    expect(await statuses()).toEqual([
      ["approval_requested", "delivered"],
      ["approval_granted", "pending"],
    ]);
    clock += 4 * 60_000; // within the retention, and before the next pruning
    await n.runOnce();
    expect(await statuses()).toHaveLength(2);
    clock += 7 * 60_000; // 11 minutes on: pruning runs, the delivered one is past the retention
    await n.runOnce();
    expect(await statuses()).toEqual([["approval_granted", "pending"]]);
  });

  it("sends ticket expiry and kill switch engaged and released, system events without links", async () => {
    const r = await receiver();
    const n = notifier([webhook(r.url)]);
    await n.start();
    const { ticketId } = await pendingTicket();
    h().clock.advance(16 * 60_000); // past the policy's 15m approval timeout
    expect(await h().cp.expireTickets()).toBe(1);
    await h().cp.kill({ scope: "global", reason: "drill" });
    await h().cp.resume({ scope: "global" });
    await r.waitFor((got) => got.length >= 4);
    await n.runOnce();
    // Deliveries may arrive in any order (they are sent concurrently); the feed id orders them.
    const bodies = r.received
      .map((x) => JSON.parse(x.body))
      .sort((a, b) => a.event.feed_id - b.event.feed_id);
    expect(bodies.map((b) => b.type)).toEqual([
      "ticket.pending",
      "ticket.expired",
      "kill_switch.engaged",
      "kill_switch.released",
    ]);
    expect(bodies[1].links.ticket).toBe(`${PUBLIC_URL}/tickets/${ticketId}`);
    // System-wide events have no session and so no links.
    expect(bodies[2].links).toEqual({});
    expect(bodies[2].event.payload).toMatchObject({ scope: "global", reason: "drill" });
  });
});
