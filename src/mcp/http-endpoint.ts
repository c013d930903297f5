/**
 * The Streamable HTTP shell of the governed MCP proxy: the `/mcp` route of `acp serve`. The HTTP app
 * authenticates the bearer token and hands over the caller's agent id; this endpoint serves the MCP exchange
 * with a gateway server acting as that agent.
 *
 * One MCP session per client session: a 2025-era client (the SDK client's default) opens a session with
 * `initialize` and gets an `Mcp-Session-Id`; every later request of that session is served by the SAME gateway
 * server, hence the same control-plane session (an approved call's retry finds its proposal). A session belongs
 * to the agent that opened it: another agent's token presenting its id gets 404, as for an unknown session.
 * 2026-07-28 (per-request) traffic is served by the SDK's `createMcpHandler`, one gateway server per request;
 * those requests have no session of their own, so every request of one credential (token) shares one
 * control-plane session.
 */
import { randomUUID } from "node:crypto";
import {
  createMcpHandler,
  isLegacyRequest,
  type McpServer,
  type Server,
  WebStandardStreamableHTTPServerTransport,
} from "@modelcontextprotocol/server";
import type { McpGatewayHandle } from "./gateway-handle.js";

/** Options of {@link createMcpHttpEndpoint}. */
export interface McpHttpEndpointOptions {
  /** The governed gateway; {@link McpHttpEndpoint.close} closes it. */
  readonly gateway: McpGatewayHandle;
  /** Called with out-of-band errors and rejected requests (reporting only). */
  readonly onError?: (error: Error) => void;
  /** A session unused this long is closed (its control-plane session too). Default 1 hour. */
  readonly idleSessionMs?: number;
}

/** Who is calling, as the HTTP app authenticated it. */
export interface McpHttpCaller {
  readonly agentId: string;
  /** The credential's id (token id), passed to the SDK as the client id. */
  readonly principalId: string;
}

/** The served endpoint: one function per request, given the authenticated agent. */
export interface McpHttpEndpoint {
  /** Answers one MCP HTTP request (POST, GET or DELETE) on behalf of `caller`; authentication is the caller's. */
  handle(request: Request, caller: McpHttpCaller): Promise<Response>;
  /** The number of open 2025-era sessions (diagnostics and tests). */
  sessions(): number;
  /**
   * Starts a graceful shutdown: ends every session's standing `GET` event stream (the client would otherwise
   * hold the server's drain for its whole grace period) and answers later `GET`s 405, while calls in flight
   * finish. Call {@link McpHttpEndpoint.close} once they have.
   */
  endStreams(): void;
  /** Ends every session and exchange in flight and closes the gateway (its upstreams). Idempotent. */
  close(): Promise<void>;
}

interface OpenSession {
  readonly agentId: string;
  readonly transport: WebStandardStreamableHTTPServerTransport;
  readonly server: McpServer | Server;
  lastUsed: number;
}

const jsonRpcError = (status: number, code: number, message: string) =>
  new Response(JSON.stringify({ jsonrpc: "2.0", error: { code, message }, id: null }), {
    status,
    headers: { "content-type": "application/json" },
  });

/** The JSON body, or `undefined` when it is not JSON (the transport then answers the parse error). */
function parseBody(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

const isInitialize = (body: unknown) =>
  (Array.isArray(body) ? body : [body]).some(
    (m) => typeof m === "object" && m !== null && (m as { method?: unknown }).method === "initialize",
  );

/**
 * Creates the `/mcp` endpoint over a gateway. Mount it behind bearer authentication (`createHttpApp`'s `mcp`
 * option): the agent id passed to {@link McpHttpEndpoint.handle} becomes the agent of every proposal.
 *
 * @example
 * ```ts
 * const endpoint = createMcpHttpEndpoint({ gateway });
 * const app = createHttpApp({ controlPlane, auth, mcp: endpoint });
 * ```
 */
export function createMcpHttpEndpoint(options: McpHttpEndpointOptions): McpHttpEndpoint {
  const { gateway } = options;
  const idleMs = options.idleSessionMs ?? 60 * 60_000;
  const onError = options.onError ?? (() => undefined);
  const open = new Map<string, OpenSession>();
  const modern = createMcpHandler(
    async (ctx) => {
      const agentId = ctx.authInfo?.extra?.agentId;
      // Unreachable through `handle` (it always passes one); refuse rather than act as nobody.
      if (typeof agentId !== "string") throw new Error("MCP request without an authenticated agent");
      // No connection to hang a session on: every request of one credential shares one control-plane session.
      return gateway.createServer({
        agentId,
        via: "http",
        sessionKey: `credential:${ctx.authInfo?.clientId}`,
      });
    },
    { legacy: "reject", onerror: onError },
  );

  const drop = (id: string) => {
    const s = open.get(id);
    if (s === undefined) return;
    open.delete(id);
    void s.server.close().catch(() => undefined);
  };
  const sweep = setInterval(
    () => {
      const cutoff = Date.now() - idleMs;
      for (const [id, s] of open) if (s.lastUsed < cutoff) drop(id);
    },
    Math.min(idleMs, 60_000),
  );
  sweep.unref();

  const startSession = async (request: Request, body: unknown, caller: McpHttpCaller) => {
    const server = await gateway.createServer({ agentId: caller.agentId, via: "http" });
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: randomUUID,
      onsessioninitialized: (id) => {
        open.set(id, { agentId: caller.agentId, transport, server, lastUsed: Date.now() });
      },
      onsessionclosed: (id) => drop(id),
    });
    transport.onerror = onError;
    await server.connect(transport);
    const response = await transport.handleRequest(request, { parsedBody: body, authInfo: authInfo(caller) });
    if (transport.sessionId === undefined) await server.close().catch(() => undefined);
    return response;
  };

  const handle = async (raw: Request, caller: McpHttpCaller): Promise<Response> => {
    const text = raw.method === "POST" ? await raw.text() : undefined;
    const body = text === undefined ? undefined : parseBody(text);
    const request =
      text === undefined
        ? raw
        : new Request(raw.url, { method: raw.method, headers: raw.headers, body: text, signal: raw.signal });
    const sessionId = raw.headers.get("mcp-session-id");
    if (draining && raw.method === "GET") {
      return new Response("the server is shutting down", { status: 405, headers: { allow: "POST, DELETE" } });
    }
    if (sessionId !== null) {
      const s = open.get(sessionId);
      if (s === undefined || s.agentId !== caller.agentId) {
        return jsonRpcError(404, -32001, "Session not found (it ended, or belongs to another agent)");
      }
      s.lastUsed = Date.now();
      return s.transport.handleRequest(request, { parsedBody: body, authInfo: authInfo(caller) });
    }
    if (raw.method === "POST" && isInitialize(body)) return startSession(request, body, caller);
    if (raw.method === "POST" && body !== undefined && !(await isLegacyRequest(request.clone(), body))) {
      return modern.fetch(request, { parsedBody: body, authInfo: authInfo(caller) });
    }
    if (raw.method === "POST" && body === undefined)
      return jsonRpcError(400, -32700, "Parse error: invalid JSON");
    return jsonRpcError(400, -32000, "Bad Request: no Mcp-Session-Id (send initialize first)");
  };

  let closing: Promise<void> | undefined;
  let draining = false;
  return {
    handle,
    sessions: () => open.size,
    endStreams() {
      draining = true;
      for (const s of open.values()) s.transport.closeStandaloneSSEStream();
    },
    close() {
      closing ??= (async () => {
        clearInterval(sweep);
        for (const id of [...open.keys()]) drop(id);
        await modern.close().catch(() => undefined);
        await gateway.close();
      })();
      return closing;
    },
  };
}

function authInfo(caller: McpHttpCaller) {
  return { token: "", clientId: caller.principalId, scopes: [], extra: { agentId: caller.agentId } };
}
