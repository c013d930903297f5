import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ValidationError } from "../../src/errors/validation-error.js";
import { NOTIFICATION_EVENT_KINDS } from "../../src/notifications/index.js";
import { loadServeConfig } from "../../src/server/load-serve-config.js";

const dir = mkdtempSync(join(tmpdir(), "acp-notify-config-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;

function load(yaml: string, env: NodeJS.ProcessEnv = {}) {
  const file = join(dir, `serve-${n++}.yaml`);
  writeFileSync(file, yaml);
  return loadServeConfig({ config: file }, env);
}

function issues(yaml: string, env: NodeJS.ProcessEnv = {}) {
  try {
    load(yaml, env);
  } catch (error) {
    if (error instanceof ValidationError) return error.issues.map((i) => `${i.path}: ${i.message}`);
    throw error;
  }
  throw new Error("expected a ValidationError");
}

describe("the notifications section of the serve config", () => {
  it("resolves webhooks with their defaults; a secret comes from the environment; events take kinds or types", () => {
    const config = load(
      `notifications:
  webhooks:
    - name: ops
      url: https://hooks.example.com/acp
      secret_env: ACP_OPS_SECRET
    - name: slack
      url: https://hooks.slack.com/services/T0/B0/XYZ
      format: slack
      events: [ticket.pending, approval_requested, kill_switch_engaged]
      timeout: 3s
      max_attempts: 5
      backoff: { initial: 500ms, max: 1m }
`,
      { ACP_OPS_SECRET: "0123456789abcdef-from-env" },
    );
    expect(config.notifications?.webhooks).toEqual([
      {
        name: "ops",
        url: "https://hooks.example.com/acp",
        secret: "0123456789abcdef-from-env",
        events: [...NOTIFICATION_EVENT_KINDS],
        format: "json",
        timeoutMs: 10_000,
        maxAttempts: 12,
        backoff: { initialMs: 1000, maxMs: 600_000 },
      },
      {
        name: "slack",
        url: "https://hooks.slack.com/services/T0/B0/XYZ",
        events: ["approval_requested", "kill_switch_engaged"],
        format: "slack",
        timeoutMs: 3000,
        maxAttempts: 5,
        backoff: { initialMs: 500, maxMs: 60_000 },
      },
    ]);
    expect(config.notifications?.retentionMs).toBe(7 * 24 * 3600_000);
    expect(load("port: 0\n").notifications).toBeUndefined();
    const kept = load(
      "notifications:\n  retention: 2d\n  webhooks: [{ name: s, url: 'https://example.com/s', format: slack }]\n",
    );
    expect(kept.notifications).toMatchObject({ retentionMs: 2 * 24 * 3600_000, webhooks: [{ name: "s" }] });
    expect(kept.notifications?.webhooks[0]).not.toHaveProperty("secret");
  });

  it("names the path of unknown keys and bad values", () => {
    expect(
      issues(`notifications:
  webhooks:
    - name: ops
      url: ftp://example.com
      secrte: 0123456789abcdef
      events: [approval_requested, ticket.exploded]
      format: teams
      timeout: soon
      max_attempts: 0
      backoff: { initial: 1s, maximum: 5s }
  email: {}
`),
    ).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^notifications\.webhooks\[0\]\.secrte: unknown key \(did you mean "secret"\?\)/,
        ),
        expect.stringMatching(/^notifications\.webhooks\[0\]\.url: /),
        expect.stringMatching(/^notifications\.webhooks\[0\]\.events\[1\]: expected .*"ticket\.pending"/),
        expect.stringMatching(/^notifications\.webhooks\[0\]\.format: expected "json" \| "slack"/),
        expect.stringMatching(/^notifications\.webhooks\[0\]\.timeout: /),
        expect.stringMatching(/^notifications\.webhooks\[0\]\.max_attempts: /),
        expect.stringMatching(/^notifications\.webhooks\[0\]\.backoff\.maximum: unknown key/),
        expect.stringMatching(/^notifications\.email: unknown key; allowed: webhooks/),
      ]),
    );
  });

  it("requires a signing secret for json, refuses both forms, an unset variable, duplicate names, initial > max", () => {
    expect(
      issues(
        `notifications:
  webhooks:
    - { name: a, url: "http://127.0.0.1:9/a" }
    - { name: b, url: "http://127.0.0.1:9/b", secret: 0123456789abcdef, secret_env: B_SECRET }
    - { name: c, url: "http://127.0.0.1:9/c", secret_env: MISSING_SECRET }
    - { name: a, url: "http://127.0.0.1:9/d", secret_env: SHORT }
    - { name: e, url: "http://127.0.0.1:9/e", secret: 0123456789abcdef, backoff: { initial: 2m, max: 1m } }
    - { name: f, url: "http://127.0.0.1:9/f", format: slack }
`,
        { SHORT: "short" },
      ),
    ).toEqual([
      "notifications.webhooks[0].secret: required: give secret or secret_env (the signing key)",
      "notifications.webhooks[1].secret_env: give at most one of secret and secret_env",
      "notifications.webhooks[2].secret_env: environment variable MISSING_SECRET is not set",
      "notifications.webhooks[3].name: duplicate webhook name a",
      "notifications.webhooks[3].secret_env: expected at least 16 characters in SHORT",
      "notifications.webhooks[4].backoff.initial: expected at most backoff.max (1m)",
    ]);
  });
});
