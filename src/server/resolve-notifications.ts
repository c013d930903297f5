import { ValidationError, type ValidationIssue } from "../errors/validation-error.js";
import {
  NOTIFICATION_EVENT_KINDS,
  type NotificationEventKind,
  notificationKindOf,
} from "../notifications/event-types.js";
import { WEBHOOK_DEFAULTS, type WebhookConfig } from "../notifications/webhook-config.js";
import { parseDuration } from "../types/policy.js";
import { SERVE_DEFAULTS, type ServeConfig, type ServeConfigFile } from "./serve-config.js";

/**
 * The webhooks of the `notifications` section, resolved: secrets read (`secret_env` from the environment),
 * event names mapped to kinds, durations parsed, defaults filled in.
 * @throws ValidationError naming the path (`notifications.webhooks[0].secret`) of a missing or duplicate
 * setting, or the environment variable that is unset.
 */
export function resolveNotifications(
  given: NonNullable<ServeConfigFile["notifications"]>,
  env: NodeJS.ProcessEnv,
): NonNullable<ServeConfig["notifications"]> {
  const issues: ValidationIssue[] = [];
  const seen = new Set<string>();
  const webhooks: WebhookConfig[] = [];
  (given.webhooks ?? []).forEach((w, i) => {
    const at = `notifications.webhooks[${i}]`;
    if (seen.has(w.name)) issues.push({ path: `${at}.name`, message: `duplicate webhook name ${w.name}` });
    seen.add(w.name);
    let secret = w.secret;
    if (w.secret !== undefined && w.secret_env !== undefined) {
      issues.push({ path: `${at}.secret_env`, message: "give at most one of secret and secret_env" });
    } else if (w.secret_env !== undefined) {
      secret = env[w.secret_env] || undefined;
      if (secret === undefined) {
        issues.push({ path: `${at}.secret_env`, message: `environment variable ${w.secret_env} is not set` });
      } else if (secret.length < 16) {
        issues.push({
          path: `${at}.secret_env`,
          message: `expected at least 16 characters in ${w.secret_env}`,
          received: `${secret.length} characters`,
        });
      }
    } else if (w.secret === undefined && (w.format ?? WEBHOOK_DEFAULTS.format) === "json") {
      issues.push({ path: `${at}.secret`, message: "required: give secret or secret_env (the signing key)" });
    }
    const initialMs = parseDuration(w.backoff?.initial) ?? WEBHOOK_DEFAULTS.backoff.initialMs;
    const maxMs = parseDuration(w.backoff?.max) ?? WEBHOOK_DEFAULTS.backoff.maxMs;
    if (initialMs > maxMs) {
      issues.push({
        path: `${at}.backoff.initial`,
        message: `expected at most backoff.max (${w.backoff?.max ?? "10m"})`,
      });
    }
    const events: NotificationEventKind[] = w.events
      ? [...new Set(w.events.map((name) => notificationKindOf(name)!))]
      : [...NOTIFICATION_EVENT_KINDS];
    webhooks.push({
      name: w.name,
      url: w.url,
      ...(secret !== undefined ? { secret } : {}),
      events,
      format: w.format ?? WEBHOOK_DEFAULTS.format,
      timeoutMs: parseDuration(w.timeout) ?? WEBHOOK_DEFAULTS.timeoutMs,
      maxAttempts: w.max_attempts ?? WEBHOOK_DEFAULTS.maxAttempts,
      backoff: { initialMs, maxMs },
    });
  });
  if (issues.length > 0) throw new ValidationError(issues, "serve config");
  return { webhooks, retentionMs: parseDuration(given.retention) ?? SERVE_DEFAULTS.notificationRetentionMs };
}
