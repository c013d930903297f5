// Subpath export `agent-control-plane/http`: the HTTP API of a control plane (Hono; only src/http imports it).
export type { Authenticator } from "../auth/authenticator.js";
export type { JwtAuthOptions } from "../auth/jwt-auth.js";
export { can, type Permission, type Principal, ROLES, type Role } from "../auth/roles.js";
export { createStaticAuth, type StaticToken } from "../auth/static-auth.js";
export { createTokenAuth, type TokenAuthOptions } from "../auth/token-auth.js";
export {
  type ApiTokenRecord,
  type CreatedToken,
  type CreateTokenInput,
  createTokenService,
  type TokenService,
  type TokenServiceOptions,
  type TokenStatus,
  tokenStatus,
} from "../auth/token-service.js";
// Webhook notifications (they send the API's EventFrame, so they live beside the HTTP API).
export {
  createNotifier,
  NOTIFICATION_EVENT_KINDS,
  NOTIFICATION_TYPES,
  type NotificationEventKind,
  type Notifier,
  type NotifierOptions,
  signWebhook,
  verifyWebhookSignature,
  type WebhookConfig,
  type WebhookSignatureInput,
} from "../notifications/index.js";
export type { RequestLogLine } from "./access-log.js";
export { createHttpApp, type HttpApp, type HttpAppOptions, type HttpLimits } from "./create-http-app.js";
export type { ErrorEnvelope } from "./errors.js";
export { createPrometheusMetrics, PROMETHEUS_METRICS, type PrometheusMetrics } from "./routes/metrics.js";
