/**
 * What the shells (`acp mcp-proxy` over stdio, `/mcp` on `acp serve`) need from the governed gateway: a fresh
 * MCP server for each client connection, acting as one agent, and a way to close the upstreams. The gateway
 * (`createMcpGateway`) decides everything; a shell only carries bytes and the caller's identity.
 */
import type { McpServer, Server } from "@modelcontextprotocol/server";

/** Who the client on one connection is, as the shell established it. */
export interface McpCaller {
  /** The agent id every `tools/call` of this connection is proposed as. */
  readonly agentId: string;
  /** How the client reached the proxy. */
  readonly via: "stdio" | "http";
  /**
   * Servers created with the same agent and key share one control-plane session (per-request HTTP, where a
   * client has no connection of its own). Absent: the session is the connection's.
   */
  readonly sessionKey?: string;
}

/** The gateway as the shells use it (structural: `createMcpGateway`'s result satisfies it). */
export interface McpGatewayHandle {
  /** A new SDK server for one client connection (stdio) or one HTTP exchange, acting as `caller`. */
  createServer(caller: McpCaller): McpServer | Server | Promise<McpServer | Server>;
  /** Stops the upstream servers and ends the control-plane sessions of this gateway. Idempotent. */
  close(): Promise<void>;
}
