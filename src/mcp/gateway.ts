import { randomBytes } from "node:crypto";
import {
  type CallToolResult,
  ProtocolError,
  ProtocolErrorCode,
  Server,
  type Tool,
} from "@modelcontextprotocol/server";
import type { ControlPlane } from "../control-plane/control-plane.js";
import { createKillWatch } from "../control-plane/kill-watch.js";
import type { JsonObject } from "../types/json.js";
import { CompletionQueue } from "./call-completions.js";
import { type Caller, runToolCall } from "./call-pipeline.js";
import { invalidParams } from "./call-proposal.js";
import { askUserToApprove } from "./gateway-elicit.js";
import { installPassThrough, PASS_THROUGH_CAPABILITIES } from "./gateway-passthrough.js";
import { type McpPinObserver, type RoutedTool, routeTools } from "./gateway-routes.js";
import { pinnedDefinition } from "./tool-fingerprint.js";
import { compileToolMap } from "./tool-map.js";
import type { McpConfig } from "./types.js";
import { createUpstream, type Upstream } from "./upstream.js";

/** Options of {@link createMcpGateway}. */
export interface McpGatewayOptions {
  /** The control plane deciding every call (the same storage an `acp serve` uses). */
  readonly controlPlane: ControlPlane;
  /** The resolved proxy config (`loadMcpConfig`). */
  readonly config: McpConfig;
  /** The tool-pin store; without one no tool is ever held. */
  readonly pins?: McpPinObserver;
  /** Diagnostic lines (never written to stdout: a stdio proxy speaks MCP there). Default: none. */
  readonly log?: (line: string) => void;
  /** Wall clock (ms) for the gateway's own timings. Default `Date.now`. */
  readonly now?: () => number;
  /** How often the feed is polled for kill switches while calls are in flight (ms). Default 100. */
  readonly killPollMs?: number;
  /**
   * The budget of each client connection's control-plane session (currency units, actions). Default: none
   * (unlimited). A call past it is refused with `budget_exhausted`.
   */
  readonly sessionBudget?: { readonly maxCost?: number | string; readonly maxActions?: number };
  /** Longest wait for an upstream's answer to one call, reset by progress (ms). Default 10 minutes. */
  readonly callTimeoutMs?: number;
}

/** Who an MCP client connection acts as. */
export interface McpClientIdentity {
  /** The agent of its proposals (stdio: the config's `agentId`; HTTP: the bearer token's agent). */
  readonly agentId: string;
  /** The client's `clientInfo`; defaults to what it sends in `initialize`. Names its control-plane session. */
  readonly clientInfo?: { readonly name: string; readonly version?: string };
  /**
   * Servers created with the same key share ONE control-plane session (for shells that create a server per
   * request, e.g. stateless Streamable HTTP: without it every request would get its own session, and an
   * identical retry could not claim its approval). Such a session ends with the gateway, not with a server.
   * Default: none (the session belongs to this server and ends when it closes).
   */
  readonly sessionKey?: string;
}

/** A running gateway: upstream connections, the exposed tool table, and one SDK server per client connection. */
export interface McpGateway {
  /**
   * An SDK server for ONE client connection (connect it to a transport). Its control-plane session is opened on
   * its first `tools/call`, named from the client's info (`claude-desktop 1.2 #a1b2c3d4`), and closed when the
   * connection closes.
   */
  serverFor(identity: McpClientIdentity): Server;
  /** Same as {@link McpGateway.serverFor} (the shells' `McpGatewayHandle` name; `via` is ignored). */
  createServer(caller: McpClientIdentity & { readonly via?: string }): Server;
  /**
   * Resolves once the outcome of every call answered so far is recorded in the control plane (outcomes are
   * recorded right after the answer goes out; the next call of the same session waits for them anyway).
   */
  idle(): Promise<void>;
  /** The exposed tools now, including hidden and held ones (for diagnostics and the operator's views). */
  tools(): readonly RoutedTool[];
  /**
   * Stops the kill-switch watch, closes every client connection's server, every upstream and the control-plane
   * sessions still open. Idempotent.
   */
  close(): Promise<void>;
}

/**
 * Connects to every upstream of `config.mcpServers`, lists their tools and builds the exposed-name table. An
 * upstream that fails to start is logged and restarted with backoff (its tools appear once it is up).
 * @example
 * const gateway = await createMcpGateway({ controlPlane: cp, config });
 * await gateway.serverFor({ agentId: config.agentId }).connect(new StdioServerTransport());
 */
export async function createMcpGateway(options: McpGatewayOptions): Promise<McpGateway> {
  const { controlPlane: cp, config } = options;
  const log = options.log ?? (() => undefined);
  const toolMap = compileToolMap(config);
  const toolsByServer = new Map<string, readonly Tool[]>();
  let byName = new Map<string, RoutedTool>();
  const sessions = new Set<Promise<string>>();
  /** Sessions shared by servers with the same `agentId` and `sessionKey`. */
  const shared = new Map<string, Promise<string>>();
  const servers = new Set<Server>();
  const killWatch = createKillWatch(cp, { pollMs: options.killPollMs ?? 100, log });
  let updates = Promise.resolve();

  const onTools = (server: string, tools: readonly Tool[]) => {
    toolsByServer.set(server, tools);
    updates = updates.then(async () => {
      try {
        byName = await routeTools(toolsByServer, {
          toolMap,
          ...(options.pins ? { pins: options.pins } : {}),
        });
      } catch (error) {
        log(
          `upstream ${server}: tools not routed: ${error instanceof Error ? error.message : String(error)}`,
        );
        return;
      }
      for (const s of servers) s.sendToolListChanged().catch(() => undefined);
    });
  };

  const onListChanged = (kind: "prompts" | "resources") => {
    for (const s of servers)
      (kind === "prompts" ? s.sendPromptListChanged() : s.sendResourceListChanged()).catch(() => undefined);
  };
  const upstreams = new Map<string, Upstream>();
  for (const [name, upstream] of Object.entries(config.mcpServers))
    upstreams.set(name, createUpstream(name, upstream, { onTools, onListChanged, log }));
  await Promise.all(
    [...upstreams.values()].map((u) =>
      u
        .start()
        .catch((error: unknown) =>
          log(`upstream ${u.name}: start failed: ${error instanceof Error ? error.message : String(error)}`),
        ),
    ),
  );
  await updates;

  const env = {
    cp,
    config,
    upstreams,
    killWatch,
    log,
    callTimeoutMs: options.callTimeoutMs ?? 10 * 60_000,
    completions: new CompletionQueue(),
    budgeted: options.sessionBudget !== undefined,
    async stillHeld(routed: RoutedTool) {
      if (!options.pins) return false;
      const { server, upstreamName, exposedName } = routed.route;
      const status = await options.pins.observe(server, upstreamName, pinnedDefinition(routed.upstreamTool));
      if (status === "changed") return true;
      // Accepted by an operator: usable again, and listed again.
      if (byName.get(exposedName) === routed) {
        byName = new Map(byName).set(exposedName, { ...routed, held: false });
        for (const s of servers) s.sendToolListChanged().catch(() => undefined);
      }
      return false;
    },
  };

  const serverFor = (identity: McpClientIdentity): Server => {
    const server = new Server(
      { name: "agent-control-plane", version: "0.1.0" },
      { capabilities: { tools: { listChanged: true }, ...PASS_THROUGH_CAPABILITIES } },
    );
    installPassThrough(server, upstreams);
    let session: Promise<string> | undefined;
    const caller: Caller = {
      agentId: identity.agentId,
      session: () => {
        const key = identity.sessionKey;
        if (key !== undefined && session === undefined) session = shared.get(`${identity.agentId}\0${key}`);
        if (session === undefined) {
          const opening = cp
            .openSession({
              name: sessionName(identity.clientInfo ?? server.getClientVersion()),
              agentId: identity.agentId,
              ...(options.sessionBudget ? { budget: options.sessionBudget } : {}),
            })
            .then((s) => s.id);
          session = opening;
          sessions.add(opening);
          if (key !== undefined) shared.set(`${identity.agentId}\0${key}`, opening);
          opening.catch(() => {
            session = undefined;
            sessions.delete(opening);
            if (key !== undefined) shared.delete(`${identity.agentId}\0${key}`);
          });
        }
        return session;
      },
    };
    server.setRequestHandler("tools/list", async () => ({
      tools: [...byName.values()].filter((r) => !r.route.mapping?.hide && !r.held).map((r) => r.tool),
    }));
    server.setRequestHandler("tools/call", async (request, ctx): Promise<CallToolResult> => {
      const { name, arguments: args } = request.params;
      const routed = typeof name === "string" ? byName.get(name) : undefined;
      if (!routed || routed.route.mapping?.hide) throw invalidParams(`Unknown tool: ${String(name)}`);
      if (args !== undefined && (args === null || typeof args !== "object" || Array.isArray(args)))
        throw invalidParams(`${name}: "arguments" must be an object`);
      const token = request.params._meta?.progressToken;
      const canElicit = server.getClientCapabilities()?.elicitation !== undefined;
      try {
        // Progress goes out before the result (a client drops progress that arrives after its answer).
        let progressSent: Promise<void> = Promise.resolve();
        const result = await runToolCall(
          env,
          canElicit
            ? { ...caller, askUser: (message, signal) => askUserToApprove(ctx, message, signal) }
            : caller,
          routed,
          {
            args: (args ?? {}) as JsonObject,
            signal: ctx.mcpReq.signal,
            ...(token === undefined
              ? {}
              : {
                  onProgress: (p) => {
                    const params = { ...p, progressToken: token };
                    progressSent = progressSent
                      .then(() => ctx.mcpReq.notify({ method: "notifications/progress", params }))
                      .catch(() => undefined);
                  },
                }),
          },
        );
        await progressSent;
        return result;
      } catch (error) {
        if (error instanceof ProtocolError) throw error;
        log(`tools/call ${name}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
        throw new ProtocolError(
          ProtocolErrorCode.InternalError,
          `${name}: the control plane failed: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    });
    const previous = server.onclose;
    server.onclose = () => {
      servers.delete(server);
      previous?.();
      const opened = session;
      if (opened === undefined || identity.sessionKey !== undefined) return;
      sessions.delete(opened);
      void opened
        .then((id) => cp.closeSession(id))
        .catch((e: unknown) => log(`closing session: ${String(e)}`));
    };
    servers.add(server);
    return server;
  };

  let closing: Promise<void> | undefined;
  return {
    serverFor,
    createServer: (caller) => serverFor(caller),
    tools: () => [...byName.values()],
    idle: () => env.completions.idle(),
    close() {
      closing ??= (async () => {
        killWatch.close();
        const open = [...sessions];
        sessions.clear();
        await Promise.all([...servers].map((s) => s.close().catch(() => undefined)));
        await Promise.all([...upstreams.values()].map((u) => u.close()));
        await env.completions.idle();
        // Sessions still open (their connection did not close first) end with the gateway.
        await Promise.all(open.map((p) => p.then((id) => cp.closeSession(id)).catch(() => undefined)));
      })();
      return closing;
    },
  };
}

/** `name version #shortid`: unique per connection (8 random hex digits), readable in the operator's views. */
export function sessionName(info: { readonly name: string; readonly version?: string } | undefined): string {
  const base = `${info?.name ?? "mcp-client"}${info?.version ? ` ${info.version}` : ""}`.slice(0, 100);
  return `${base} #${randomBytes(4).toString("hex")}`;
}
