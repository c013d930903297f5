import { afterAll, describe, expect, it } from "vitest";
import { type ControlPlane, createControlPlane } from "../../src/control-plane/create-control-plane.js";
import { createNotifier, NOTIFICATION_EVENT_KINDS, type Notifier } from "../../src/notifications/index.js";
import { createPostgresStorage } from "../../src/storage/postgres/index.js";
import type { Storage } from "../../src/storage/storage.js";
import { DATABASE_URL, dropSchema, probePostgres, uniqueSchema } from "../support/postgres.js";
import { startWebhookReceiver } from "../support/webhook-receiver.js";

const POLICY = { version: 1, actions: { alwaysApprove: ["deploy"] } } as const;
const pg = await probePostgres();

interface Target {
  readonly name: string;
  /** Opens one more "instance" (its own storage handle) on the shared database. */
  open(): Storage;
  cleanup(): Promise<void>;
}

const schema = uniqueSchema("notify_multi");
// In-process instances on PostgreSQL (separate pools). SQLite instances must be processes (a synchronous busy
// wait would block the one event loop): serve-webhooks.test.ts runs two `acp serve` processes on one file.
const targets: Target[] = pg.available
  ? [
      {
        name: "one PostgreSQL schema",
        open: () => createPostgresStorage({ connectionString: DATABASE_URL, schema, poolSize: 4 }),
        cleanup: () => dropSchema(schema),
      },
    ]
  : [];

describe.each(targets)("three instances sharing $name", (target) => {
  afterAll(() => target.cleanup());

  it("turn each event into one delivery and send it once, though every instance runs a notifier", async () => {
    // Every other attempt fails, so that deliveries go through retries while three senders compete.
    const receiver = await startWebhookReceiver((before) => (before === 0 ? 502 : 200));
    const instances: { storage: Storage; cp: ControlPlane; notifier: Notifier }[] = [];
    try {
      for (let i = 0; i < 3; i++) {
        const storage = target.open();
        const cp = await createControlPlane({ storage, policy: POLICY });
        const notifier = createNotifier({
          controlPlane: cp,
          storage,
          publicUrl: "https://acp.example.test",
          pollIntervalMs: 15,
          webhooks: [
            {
              name: "ops",
              url: receiver.url,
              secret: "multi-instance-secret",
              events: NOTIFICATION_EVENT_KINDS,
              format: "json",
              timeoutMs: 2000,
              maxAttempts: 5,
              backoff: { initialMs: 10, maxMs: 30 },
            },
          ],
        });
        instances.push({ storage, cp, notifier });
      }
      await Promise.all(instances.map((x) => x.notifier.start()));
      // Events written through different instances.
      const tickets: string[] = [];
      for (let i = 0; i < 6; i++) {
        const { cp } = instances[i % 3]!;
        const session = await cp.openSession({});
        const d = await cp.propose({ sessionId: session.id, action: "deploy", resourceId: `svc-${i}` });
        if (d.outcome !== "pending_approval") throw new Error(d.outcome);
        tickets.push(d.ticketId);
      }
      await receiver.waitFor((got) => got.filter((r) => r.status === 200).length >= 6);
      await Promise.all(instances.map((x) => x.notifier.runOnce()));
      await new Promise((resolve) => setTimeout(resolve, 100));
      await Promise.all(instances.map((x) => x.notifier.runOnce()));

      const accepted = receiver.accepted().map((r) => JSON.parse(r.body).event.ticket_id as string);
      expect(accepted.sort()).toEqual([...tickets].sort());
      // Two attempts per delivery (one refused, one accepted), never more, never in parallel.
      const perDelivery = new Map<string, number[]>();
      for (const r of receiver.received)
        perDelivery.set(r.delivery, [...(perDelivery.get(r.delivery) ?? []), r.status]);
      expect([...perDelivery.values()]).toEqual(Array.from({ length: 6 }, () => [502, 200]));
      const rows = await instances[0]!.storage.read((tx) => tx.outbox.list({ limit: 100 }));
      expect(rows.map((r) => [r.status, r.attempts])).toEqual(
        Array.from({ length: 6 }, () => ["delivered", 2]),
      );
    } finally {
      for (const x of instances) await x.notifier.stop();
      for (const x of instances) await x.cp.close();
      for (const x of instances) await x.storage.close();
      await receiver.close();
    }
  });
});

if (!pg.available) it.skip(`several instances on PostgreSQL: ${pg.reason}`, () => {});
