// Webhook notifications with a durable outbox (library form; `acp serve` runs it from the serve config).
export {
  isNotificationEventKind,
  NOTIFICATION_EVENT_KINDS,
  NOTIFICATION_TYPES,
  type NotificationEventKind,
  type NotificationType,
  notificationKindOf,
} from "./event-types.js";
export { createNotifier, type Notifier, type NotifierLog, type NotifierOptions } from "./notifier.js";
export { type NotificationLinks, notificationBody, notificationLinks, summarize } from "./payload.js";
export { signWebhook, verifyWebhookSignature, type WebhookSignatureInput } from "./signature.js";
export {
  retryDelay,
  WEBHOOK_DEFAULTS,
  WEBHOOK_FORMATS,
  type WebhookBackoff,
  type WebhookConfig,
  type WebhookFormat,
} from "./webhook-config.js";
