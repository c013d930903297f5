import { describe, expect, it } from "vitest";
import {
  NOTIFICATION_EVENT_KINDS,
  type NotificationEventKind,
  notificationBody,
  notificationKindOf,
  retryDelay,
  summarize,
  type WebhookConfig,
} from "../../src/notifications/index.js";
import type { EventRecord } from "../../src/types/event.js";

const event = (kind: NotificationEventKind, patch: Partial<EventRecord> = {}) =>
  ({
    id: 7,
    sessionId: "s-1",
    seq: 3,
    kind,
    agentId: "deployer",
    proposalId: "p-1",
    ticketId: "t-1",
    payload: {},
    at: Date.UTC(2026, 11, 5, 14),
    ...patch,
  }) as EventRecord & { kind: NotificationEventKind };

const slack: WebhookConfig = {
  name: "slack",
  url: "https://hooks.slack.example/x",
  events: NOTIFICATION_EVENT_KINDS,
  format: "slack",
  timeoutMs: 1000,
  maxAttempts: 3,
  backoff: { initialMs: 1000, maxMs: 600_000 },
};

describe("notification payloads and retry delays", () => {
  it("doubles the delay per failed attempt up to the cap, with the upper half random", () => {
    const backoff = { initialMs: 1000, maxMs: 600_000 };
    expect(retryDelay(1, backoff, () => 0)).toBe(500);
    expect(retryDelay(1, backoff, () => 0.999999)).toBe(1000);
    expect(retryDelay(3, backoff, () => 0)).toBe(2000);
    expect(retryDelay(3, backoff, () => 0.5)).toBe(3000);
    expect(retryDelay(20, backoff, () => 0)).toBe(300_000);
    expect(retryDelay(200, backoff, () => 0.999999)).toBe(600_000);
  });

  it("summarizes every notifiable kind in one readable line", () => {
    for (const kind of NOTIFICATION_EVENT_KINDS) {
      const line = summarize(event(kind, { payload: { action: "deploy", reason: "prod", scope: "global" } }));
      expect(line.length, kind).toBeGreaterThan(10);
      expect(line, kind).not.toMatch(/undefined|null|\[object/);
    }
    expect(
      summarize(event("approval_requested", { payload: { action: "deploy", reason: "release 42" } })),
    ).toBe("Approval needed: deploy by agent deployer: release 42");
    expect(summarize(event("approval_granted", { payload: { decidedBy: "alice" } }))).toBe(
      "Ticket t-1 approved by alice",
    );
  });

  it("escapes Slack's reserved characters in event text but keeps the link, and links the session without a ticket", () => {
    const body = notificationBody(
      slack,
      "d-1",
      event("kill_switch_engaged", {
        ticketId: null,
        payload: { scope: "global", reason: "<!channel> & co" },
      }),
      "https://acp.example.test/",
    );
    expect(body.text).toBe(
      "Kill switch engaged (global): &lt;!channel&gt; &amp; co\n<https://acp.example.test/sessions/s-1|Open the session>",
    );
    const system = notificationBody(
      slack,
      "d-2",
      event("kill_switch_released", { ticketId: null, sessionId: null }),
      "https://acp.example.test",
    );
    expect(system.text).toBe("Kill switch released");
  });

  it("kill switch summaries say who engaged or released the switch when the event records it", () => {
    const engaged = event("kill_switch_engaged", {
      ticketId: null,
      sessionId: null,
      payload: { scope: "agent", target: "deployer", reason: "burst", by: "olivia" },
    });
    expect(summarize(engaged)).toBe("Kill switch engaged (agent deployer) by olivia: burst");
    const released = event("kill_switch_released", {
      ticketId: null,
      sessionId: null,
      payload: { scope: "global", target: "", by: "bob" },
    });
    expect(summarize(released)).toBe("Kill switch released (global) by bob");
  });

  it("accepts event kinds and notification types as event names, nothing else", () => {
    expect(notificationKindOf("ticket.pending")).toBe("approval_requested");
    expect(notificationKindOf("outcome_unknown")).toBe("outcome_unknown");
    expect(notificationKindOf("session_opened")).toBeUndefined();
  });
});
