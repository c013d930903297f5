import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { createControlPlane } from "../../src/control-plane/create-control-plane.js";
import { createNotifier, NOTIFICATION_TYPES } from "../../src/notifications/index.js";
import { loadServeConfig } from "../../src/server/load-serve-config.js";
import { serveConfigJsonSchema } from "../../src/server/serve-config.js";
import { createMemoryStorage } from "../../src/storage/memory/index.js";
import { startWebhookReceiver } from "../support/webhook-receiver.js";

const doc = readFileSync(new URL("../../docs/notifications.md", import.meta.url), "utf8");
const dir = mkdtempSync(join(tmpdir(), "acp-notify-docs-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The fenced code block right after `marker`. */
function blockAfter(marker: string): string {
  const at = doc.indexOf(marker);
  if (at < 0) throw new Error(`no ${marker} in docs/notifications.md`);
  const match = /```\w*\n([\s\S]*?)```/.exec(doc.slice(at));
  return match![1]!;
}

type Verify = (secret: string, headers: Record<string, unknown>, body: string, nowMs?: number) => boolean;

describe("docs/notifications.md", () => {
  it("its signature check, run as written, accepts a real delivery and rejects a wrong secret, a changed body, an old timestamp", async () => {
    const file = join(dir, "verify.mjs");
    writeFileSync(file, blockAfter("<!-- verify-example -->"));
    const { verifyAcpWebhook } = (await import(pathToFileURL(file).href)) as { verifyAcpWebhook: Verify };

    const storage = createMemoryStorage();
    const cp = await createControlPlane({
      storage,
      policy: { version: 1, actions: { alwaysApprove: ["deploy"] } },
    });
    const receiver = await startWebhookReceiver();
    const secret = "docs-example-secret-0123";
    const notifier = createNotifier({
      controlPlane: cp,
      storage,
      publicUrl: "https://acp.example.test",
      pollIntervalMs: 20,
      webhooks: [
        {
          name: "ops",
          url: receiver.url,
          secret,
          events: ["approval_requested"],
          format: "json",
          timeoutMs: 2000,
          maxAttempts: 3,
          backoff: { initialMs: 10, maxMs: 20 },
        },
      ],
    });
    try {
      await notifier.start();
      const session = await cp.openSession({});
      await cp.propose({ sessionId: session.id, action: "deploy", resourceId: "web" });
      await receiver.waitFor((got) => got.length >= 1);
      const { headers, body } = receiver.received[0]!;
      expect(verifyAcpWebhook(secret, headers, body)).toBe(true);
      expect(verifyAcpWebhook("another-secret-0123456", headers, body)).toBe(false);
      expect(verifyAcpWebhook(secret, headers, body.replace("ticket.pending", "ticket.approved"))).toBe(
        false,
      );
      expect(verifyAcpWebhook(secret, headers, body, Date.now() + 10 * 60_000)).toBe(false);
      expect(verifyAcpWebhook(secret, { ...headers, "x-acp-signature": undefined }, body)).toBe(false);
    } finally {
      await notifier.stop();
      await receiver.close();
      await cp.close();
      await storage.close();
    }
  });

  it("its configuration example is a valid serve config", () => {
    const file = join(dir, "serve.yaml");
    writeFileSync(file, blockAfter("## Configuration"));
    const config = loadServeConfig(
      { config: file },
      { ACP_OPS_WEBHOOK_SECRET: "a-long-enough-secret-for-docs" },
    );
    expect(config.notifications?.webhooks.map((w) => [w.name, w.format, w.events.length])).toEqual([
      ["ops", "json", 3],
      ["slack", "slack", 2],
    ]);
  });

  it("documents every webhook setting and every event kind with its type", () => {
    const schema = serveConfigJsonSchema() as {
      properties: { notifications: { properties: { webhooks: { items: { properties: object } } } } };
    };
    for (const key of Object.keys(schema.properties.notifications.properties.webhooks.items.properties)) {
      expect(doc, key).toMatch(new RegExp(`\\| \`${key}\` +\\|`));
    }
    for (const [kind, type] of Object.entries(NOTIFICATION_TYPES)) {
      expect(doc, kind).toMatch(new RegExp(`\\| \`${kind}\` +\\| \`${type.replace(".", "\\.")}\` +\\|`));
    }
  });
});
