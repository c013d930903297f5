import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { createTokenAuth } from "../auth/token-auth.js";
import { createTokenService } from "../auth/token-service.js";
import { openStorage } from "../cli/open-storage.js";
import type { ControlPlane } from "../control-plane/control-plane.js";
import { createControlPlane } from "../control-plane/create-control-plane.js";
import type { MaintenanceHandle, RecoveryReport } from "../control-plane/maintenance.js";
import { readKeyRing } from "../engines/audit/keys.js";
import { createHttpApp } from "../http/create-http-app.js";
import { toolPinReview } from "../mcp/tool-pins.js";
import { createNotifier, type Notifier } from "../notifications/notifier.js";
import type { Storage } from "../storage/storage.js";
import { createTelemetryRecorder } from "../telemetry/telemetry-recorder.js";
import { createServerLog, type LogSink, type ServerLog } from "./request-log.js";
import { SERVE_DEFAULTS, type ServeConfig, type ServeStorageConfig } from "./serve-config.js";
import { createDrain } from "./shutdown.js";
import { type FeedFollower, followFeed } from "./state-change-log.js";

/** A policy that denies every action (`unlisted: deny`): what the server runs without `--policy`. */
const DENY_ALL_POLICY = { version: 1, name: "deny-all" } as const;

/** How often state changes are read from the feed for the log (ms). */
const FEED_POLL_MS = 500;

/** A started server. */
export interface RunningServer {
  /** Where it listens, e.g. `http://127.0.0.1:7400`. */
  readonly url: string;
  /** The admin token created on this start (first start on an empty database), else `undefined`. */
  readonly adminToken: string | undefined;
  /**
   * Shuts down gracefully: stops accepting, ends streams and long polls, lets in-flight requests finish (bounded
   * by the grace period), stops maintenance, closes the control plane and storage. Idempotent.
   */
  stop(reason?: string): Promise<void>;
}

/** Options of {@link runServe}. */
export interface RunServeOptions {
  readonly config: ServeConfig;
  /** Where log lines go (default: stdout). */
  readonly out?: LogSink;
  /** Aborting it shuts the server down (SIGTERM/SIGINT in `acp serve`). */
  readonly signal: AbortSignal;
}

/** A description of the storage for humans, without credentials. */
export function describeStorage(storage: ServeStorageConfig): string {
  if (storage.kind === "sqlite") return `sqlite ${storage.path}`;
  let where = "postgres";
  try {
    const u = new URL(storage.url);
    where = `postgres ${u.hostname}${u.port ? `:${u.port}` : ""}${u.pathname}`;
  } catch {
    // A connection string that is not a URL (key=value form): name only the dialect.
  }
  return storage.schema ? `${where} schema ${storage.schema}` : where;
}

function printAdminToken(format: ServeConfig["logFormat"], out: LogSink, token: string, url: string): void {
  const how = `curl -H "Authorization: Bearer ${token}" ${url}/v1/sessions`;
  if (format === "json") {
    out(
      JSON.stringify({
        at: new Date().toISOString(),
        type: "admin_token",
        token,
        message: "first start: created an admin token; it is shown only this once",
        usage: how,
      }),
    );
    return;
  }
  out("");
  out("  First start: created an admin token. It is shown only this once; store it now:");
  out("");
  out(`    ${token}`);
  out("");
  out(`  Use it as a bearer token:  ${how}`);
  out("  Create tokens for agents and people with POST /v1/tokens (or `acp tokens create --role R`),");
  out("  then revoke this one if you like (POST /v1/tokens/{id}/revoke).");
  out("");
}

/** The MCP proxy of `--mcp-config` on this server's control plane (loaded on demand: the SDK is heavy). */
async function openMcp(config: ServeConfig, cp: ControlPlane, storage: Storage, log: ServerLog) {
  if (config.mcpConfig === undefined) return undefined;
  const { openServedMcp } = await import("../mcp/open-gateway.js");
  const mcp = await openServedMcp(config.mcpConfig, cp, storage, (line) => log.error(line));
  log.info(`acp serve: governed MCP proxy of ${config.mcpConfig} at /mcp (agent tokens)`);
  return mcp;
}

const reportWorthLogging = (r: RecoveryReport) =>
  Object.values(r).some((v) => typeof v === "number" && v > 0);

/**
 * Starts the server described by `config`: opens (or creates) the storage, creates the control plane with the
 * policy, the stored-token authenticator (and JWT verification when configured) and the HTTP API, listens,
 * prints where, creates and prints the first admin token when no active token exists, and runs the maintenance
 * loop, the state-change log and, when webhooks are configured, the notifier. Stop it with {@link RunningServer.stop}.
 * @throws ValidationError for a bad policy; the listen error (port in use) or storage error otherwise.
 */
export async function startServer(config: ServeConfig, out: LogSink = console.log): Promise<RunningServer> {
  const log = createServerLog(config.logFormat, out);
  const storage = await openStorage(
    config.storage.kind === "sqlite"
      ? { sqlite: config.storage.path }
      : { postgres: config.storage.url, schema: config.storage.schema },
    {},
    // Concurrent requests share SQLite commits (see the SQLite option gatherWrites).
    { create: true, gatherWrites: true },
  );
  const cleanups: (() => Promise<void>)[] = [() => storage.close()];
  const cleanup = async () => {
    for (const fn of cleanups.splice(0).reverse()) await fn().catch(() => undefined);
  };
  try {
    return await start(config, storage, log, out, cleanups, cleanup);
  } catch (error) {
    await cleanup();
    throw error;
  }
}

async function start(
  config: ServeConfig,
  storage: Storage,
  log: ServerLog,
  out: LogSink,
  cleanups: (() => Promise<void>)[],
  cleanup: () => Promise<void>,
): Promise<RunningServer> {
  if (config.policy === undefined) {
    log.info("acp serve: no --policy given: every action is denied until one is configured");
  }
  // Decisions and completions of this server, served at GET /metrics (and as OpenTelemetry when configured).
  const recorder = createTelemetryRecorder();
  const cp = await createControlPlane({
    storage,
    policy: config.policy ?? DENY_ALL_POLICY,
    telemetry: { recorder },
    ...(config.auditKeyFile === undefined ? {} : { auditKeys: readKeyRing(config.auditKeyFile) }),
    ...(config.modelPrices ? { modelPrices: config.modelPrices } : {}),
  });
  cleanups.push(() => cp.close());
  const mcp = await openMcp(config, cp, storage, log);
  if (mcp !== undefined) cleanups.push(() => mcp.close());
  // Held MCP tools are reviewed here even without --mcp-config: a stdio proxy may share this database.
  const heldTools = toolPinReview(storage);
  const tokens = createTokenService({ storage });
  const auth = createTokenAuth({ storage, ...(config.jwt ? { jwt: config.jwt } : {}) });
  const app = createHttpApp({
    controlPlane: cp,
    auth,
    tokens,
    limits: config.limits,
    dashboard:
      config.dashboard === false
        ? false
        : {
            ...(config.dashboard.cookieSecret !== undefined
              ? { cookieSecret: config.dashboard.cookieSecret }
              : {}),
            ...(config.publicUrl !== undefined ? { publicUrl: config.publicUrl } : {}),
            sessionTtlMs: config.dashboard.sessionTtlMs,
          },
    mcp: mcp === undefined ? { heldTools } : { heldTools, handle: mcp.handle },
    metrics: recorder,
    log: (line) => log.request(line),
    onFault: (error) =>
      log.error("internal error", {
        error: error instanceof Error ? error.message : String(error),
        stack: error instanceof Error ? error.stack : undefined,
      }),
  });
  const drain = createDrain();
  const server = serve({
    fetch: drain.wrap(app.fetch),
    hostname: config.host,
    port: config.port,
  });
  drain.attach(server as Server);
  await new Promise<void>((resolve, reject) => {
    server.once("listening", () => resolve());
    server.once("error", reject);
  });
  cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const address = server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  const banner = `acp serve listening on ${url} (${describeStorage(config.storage)})`;
  if (config.logFormat === "json") log.info(banner, { url });
  else out(banner);
  const created = await tokens.ensureAdmin();
  if (created !== undefined) printAdminToken(config.logFormat, out, created.token, url);

  const feed: FeedFollower = await followFeed(cp, {
    intervalMs: FEED_POLL_MS,
    onEvent: (event) => log.stateChange(event),
    onError: (error) => log.error("reading the feed failed", { error: String(error) }),
  });
  const maintenance: MaintenanceHandle = cp.startMaintenance({
    intervalMs: config.maintenanceIntervalMs,
    onReport: (report) => {
      if (reportWorthLogging(report)) log.info("maintenance", { ...report });
    },
    onError: (error) => log.error("maintenance pass failed", { error: String(error) }),
  });
  const webhooks = config.notifications?.webhooks ?? [];
  if (config.notifications !== undefined && webhooks.length > 0) {
    const notifier: Notifier = createNotifier({
      controlPlane: cp,
      storage,
      webhooks,
      publicUrl: config.publicUrl ?? url,
      pollIntervalMs: SERVE_DEFAULTS.notifierPollMs,
      retentionMs: config.notifications.retentionMs,
      log: (level, message, fields) =>
        level === "error" ? log.error(message, fields) : log.info(message, fields),
    });
    await notifier.start();
    // Stopped by the cleanup, before the control plane and the storage close.
    cleanups.push(() => notifier.stop());
    log.info(`acp serve: notifying ${webhooks.length} webhook(s): ${webhooks.map((w) => w.name).join(", ")}`);
  }
  log.info(
    `acp serve: ready (maintenance every ${config.maintenanceIntervalMs} ms; stop with SIGTERM or Ctrl-C)`,
  );
  let stopping: Promise<void> | undefined;
  const stop = async (reason = "stop requested") => {
    log.info(`acp serve: shutting down (${reason}); finishing requests in flight`);
    const clean = await drain.drain(config.shutdownGraceMs, () => {
      app.close();
      mcp?.endStreams();
    });
    if (!clean) {
      log.error(`grace period of ${config.shutdownGraceMs} ms over: open connections were closed`, {
        in_flight: drain.inFlight,
      });
    }
    await maintenance.stop();
    await feed
      .stop()
      .catch((error: unknown) => log.error("reading the feed failed", { error: String(error) }));
    await cleanup();
    log.info("acp serve: stopped");
  };
  return {
    url,
    adminToken: created?.token,
    stop(reason) {
      stopping ??= stop(reason);
      return stopping;
    },
  };
}

/**
 * `acp serve`: starts the server and runs it until `signal` aborts, then shuts it down gracefully. Resolves
 * once everything is closed.
 */
export async function runServe(options: RunServeOptions): Promise<void> {
  const server = await startServer(options.config, options.out);
  await new Promise<void>((resolve) => {
    if (options.signal.aborted) resolve();
    else options.signal.addEventListener("abort", () => resolve(), { once: true });
  });
  const reason = options.signal.reason;
  await server.stop(typeof reason === "string" ? reason : "signal");
}
