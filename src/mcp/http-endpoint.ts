/**
 * The Streamable HTTP shell of the governed MCP proxy: the `/mcp` route of `acp serve`. The HTTP app
 * authenticates the bearer token and hands over the caller's agent id; this endpoint serves the MCP exchange
 * with a gateway server acting as that agent (the SDK's web-standard `createMcpHandler`: 2026-07-28 requests
 * per exchange, 2025-era clients through its stateless fallback).
 */
import { createMcpHandler } from "@modelcontextprotocol/server";
import type { McpGatewayHandle } from "./gateway-handle.js";

/** Options of {@link createMcpHttpEndpoint}. */
export interface McpHttpEndpointOptions {
  /** The governed gateway; {@link McpHttpEndpoint.close} closes it. */
  readonly gateway: McpGatewayHandle;
  /** Called with out-of-band errors and rejected requests (reporting only). */
  readonly onError?: (error: Error) => void;
  /** Largest request body in bytes (default the SDK's 4 MiB). */
  readonly maxBodyBytes?: number;
}

/** The served endpoint: one function per request, given the authenticated agent. */
export interface McpHttpEndpoint {
  /** Answers one MCP HTTP request on behalf of `agentId` (authentication is the caller's job). */
  handle(
    request: Request,
    caller: { readonly agentId: string; readonly principalId: string },
  ): Promise<Response>;
  /** Ends exchanges in flight and closes the gateway (its upstreams). Idempotent. */
  close(): Promise<void>;
}

/**
 * Creates the `/mcp` endpoint over a gateway. Mount it behind bearer authentication (see `createHttpApp`'s
 * `mcp` option): the agent id passed to {@link McpHttpEndpoint.handle} becomes the agent of every proposal.
 *
 * @example
 * ```ts
 * const endpoint = createMcpHttpEndpoint({ gateway });
 * const app = createHttpApp({ controlPlane, auth, mcp: endpoint });
 * ```
 */
export function createMcpHttpEndpoint(options: McpHttpEndpointOptions): McpHttpEndpoint {
  const { gateway } = options;
  const handler = createMcpHandler(
    (ctx) => {
      const agentId = ctx.authInfo?.extra?.agentId;
      // Unreachable through `handle` (it always passes one); refuse rather than act as nobody.
      if (typeof agentId !== "string") throw new Error("MCP request without an authenticated agent");
      return gateway.createServer({ agentId, via: "http" });
    },
    {
      ...(options.onError !== undefined ? { onerror: options.onError } : {}),
      ...(options.maxBodyBytes !== undefined ? { maxRequestBodySize: options.maxBodyBytes } : {}),
    },
  );
  let closing: Promise<void> | undefined;
  return {
    handle: (request, caller) =>
      handler.fetch(request, {
        authInfo: { token: "", clientId: caller.principalId, scopes: [], extra: { agentId: caller.agentId } },
      }),
    close() {
      closing ??= (async () => {
        await handler.close().catch(() => undefined);
        await gateway.close();
      })();
      return closing;
    },
  };
}
