import type { ServerContext } from "@modelcontextprotocol/server";

/**
 * Asks the client's user to approve a pending call through MCP elicitation (a one-field form). Resolves `true`
 * (approve), `false` (deny) or `undefined` (dismissed, unsupported or failed: the operator decides).
 */
export async function askUserToApprove(
  ctx: ServerContext,
  message: string,
  signal: AbortSignal,
): Promise<boolean | undefined> {
  const answer = await ctx.mcpReq.elicitInput(
    {
      mode: "form",
      message,
      requestedSchema: {
        type: "object",
        properties: { approve: { type: "boolean", title: "Approve this call", default: false } },
        required: ["approve"],
      },
    },
    { signal },
  );
  if (answer.action === "decline") return false;
  if (answer.action !== "accept") return undefined;
  return answer.content?.approve === true;
}
