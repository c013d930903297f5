/**
 * Mounts the governed MCP proxy on the HTTP app: `/mcp` (Streamable HTTP, bearer token required) and the
 * held-tool review under `/v1/mcp/tools`. The MCP exchange itself is served by `src/mcp/http-endpoint.ts`;
 * this file only authenticates and maps the principal to the caller's agent. No MCP SDK import here.
 */
import type { MiddlewareHandler } from "hono";
import type { Authenticator } from "../auth/authenticator.js";
import type { HeldToolReview } from "../mcp/types.js";
import { authenticate } from "./authorize.js";
import type { HttpEnv, HttpRouter } from "./context.js";
import { errorResponse } from "./errors.js";
import { registerMcpToolRoutes } from "./routes/mcp-tools.js";

/** The MCP proxy as the HTTP app mounts it (`createMcpHttpEndpoint` and the tool-pin store satisfy it). */
export interface McpHttpMount {
  /** Serves one MCP request for the authenticated agent (absent: no `/mcp` route, the review only). */
  readonly handle?: (
    request: Request,
    caller: { readonly agentId: string; readonly principalId: string },
  ) => Promise<Response>;
  /** The operator's review of held tools (absent: `/v1/mcp/tools` answers 501). */
  readonly heldTools?: HeldToolReview;
}

/**
 * The request again, with the body the size limit already read (its stream is consumed): the MCP transport
 * reads the body itself. Headers and the abort signal (the client went away) carry over.
 */
async function withReadBody(raw: Request, body: string | undefined): Promise<Request> {
  if (body === undefined) return raw;
  return new Request(raw.url, { method: raw.method, headers: raw.headers, body, signal: raw.signal });
}

/**
 * Registers `/mcp` (every method the transport uses) behind bearer authentication. Only `agent` tokens are
 * served: the token's agent becomes the agent of every proposal. Other roles answer 403 — an operator's or
 * admin's token acting as some agent would blur who did what in the audit log; give the client an agent token.
 */
export function registerMcpRoutes(
  app: HttpRouter,
  auth: Authenticator,
  mount: McpHttpMount | undefined,
): void {
  registerMcpToolRoutes(app, mount?.heldTools);
  const handle = mount?.handle;
  if (handle === undefined) return;
  const serve: MiddlewareHandler<HttpEnv> = async (c) => {
    const principal = c.get("principal");
    if (principal.role !== "agent" || principal.agentId === null) {
      return errorResponse(
        "forbidden",
        `role "${principal.role}" may not use /mcp: it serves agent tokens (acp tokens create --role agent --agent <id>)`,
        { role: principal.role, needed: ["agent"] },
      );
    }
    return handle(await withReadBody(c.req.raw, c.req.method === "POST" ? await c.req.text() : undefined), {
      agentId: principal.agentId,
      principalId: principal.id,
    });
  };
  app.use("/mcp", authenticate(auth));
  app.all("/mcp", serve);
}
