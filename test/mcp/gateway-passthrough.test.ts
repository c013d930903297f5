import { type CallToolResult, Client, InMemoryTransport } from "@modelcontextprotocol/client";
import { afterEach, describe, expect, it } from "vitest";
import { EVERYTHING_STDIO, type Harness, mapping, startGateway, textOf } from "./fixtures/gateway-harness.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** A second client connection that supports form elicitation and answers it with `approve`. */
async function elicitingClient(harness: Harness, approve: boolean, asked: string[]): Promise<Client> {
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await harness.gateway.serverFor({ agentId: harness.agentId }).connect(serverSide);
  const client = new Client({ name: "ide", version: "3" }, { capabilities: { elicitation: { form: {} } } });
  client.setRequestHandler("elicitation/create", async (request) => {
    asked.push(String(request.params.message));
    return { action: "accept", content: { approve } };
  });
  await client.connect(clientSide);
  return client;
}

describe("MCP gateway: elicitation and progress", () => {
  it("asks the client's user where the map allows it: approval runs the call, no operator needed", async () => {
    h = await startGateway({
      tools: [{ pattern: "fx__echo", mapping: mapping("pay", { userMayApprove: true }) }],
      approvalWaitMs: 2_000,
    });
    const asked: string[] = [];
    const client = await elicitingClient(h, true, asked);
    const result = (await client.callTool({ name: "fx__echo", arguments: { text: "ok" } })) as CallToolResult;
    expect(textOf(result)).toBe("ok");
    expect(asked).toHaveLength(1);
    expect(asked[0]).toContain("Allow fx__echo?");
    const [ticket] = await h.cp.listTickets();
    expect(ticket).toMatchObject({ status: "approved", decidedBy: "mcp-user:mcp-agent" });
    await client.close();
  });

  it("a user's refusal denies the ticket; a tool without userMayApprove never asks", async () => {
    h = await startGateway({
      tools: [
        { pattern: "fx__echo", mapping: mapping("pay", { userMayApprove: true }) },
        { pattern: "fx__slow", mapping: mapping("pay") },
      ],
      approvalWaitMs: 100,
    });
    const asked: string[] = [];
    const client = await elicitingClient(h, false, asked);
    const refused = (await client.callTool({ name: "fx__echo", arguments: {} })) as CallToolResult;
    expect(refused.isError).toBe(true);
    expect(textOf(refused)).toContain("was denied by mcp-user:mcp-agent");
    const pending = (await client.callTool({ name: "fx__slow", arguments: { ms: 1 } })) as CallToolResult;
    expect(textOf(pending)).toContain("needs an operator's approval");
    expect(asked).toHaveLength(1);
    expect(h.fixtureLog()).toEqual([]);
    await client.close();
  });

  it("passes the upstream's progress notifications through to the client", async () => {
    h = await startGateway({
      extraServers: {
        everything: EVERYTHING_STDIO,
      },
      tools: [{ pattern: "everything__*", mapping: mapping("everything") }],
    });
    const progress: number[] = [];
    const result = (await h.client.callTool(
      { name: "everything__trigger-long-running-operation", arguments: { duration: 0.3, steps: 3 } },
      { onprogress: (p) => progress.push(p.progress) },
    )) as CallToolResult;
    expect(result.isError).toBeFalsy();
    // The last step's notification races the result even on a direct connection to server-everything (it is
    // lost there 8 times in 10), so the steps before it are what must arrive.
    expect(progress.slice(0, 2)).toEqual([1, 2]);
  });
});

describe("MCP gateway: prompts, resources and completions pass through", () => {
  it("lists and gets server-everything's prompts under exposed names, reads its resources, completes", async () => {
    h = await startGateway({
      extraServers: {
        everything: EVERYTHING_STDIO,
      },
    });
    const prompts = (await h.client.listPrompts()).prompts.map((p) => p.name);
    expect(prompts).toContain("everything__simple-prompt");
    const prompt = await h.client.getPrompt({ name: "everything__simple-prompt" });
    expect(prompt.messages.length).toBeGreaterThan(0);
    await expect(h.client.getPrompt({ name: "nope__prompt" })).rejects.toMatchObject({ code: -32602 });

    const resources = (await h.client.listResources()).resources;
    expect(resources.length).toBeGreaterThan(0);
    const read = await h.client.readResource({ uri: resources[0]!.uri });
    expect(read.contents[0]?.uri).toBe(resources[0]!.uri);
    const dynamic = await h.client.readResource({ uri: "demo://resource/dynamic/text/7" });
    expect(dynamic.contents.length).toBe(1);

    const completion = await h.client.complete({
      ref: { type: "ref/prompt", name: "everything__completable-prompt" },
      argument: { name: "department", value: "E" },
    });
    expect(completion.completion.values).toContain("Engineering");
    expect(await h.cp.listProposals()).toHaveLength(0);
  });
});
