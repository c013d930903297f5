/**
 * The agents page in process: registered agents with capabilities and tags, delegations (through the facade's
 * listDelegations), whether each agent is halted, and Kill… / Resume only for who may use the kill switch.
 */
import { describe, expect, it } from "vitest";
import { TOKENS, useHttp } from "../support/http-server.js";
import { signInClient } from "./sessions-ui-client.js";

describe("agents page", () => {
  const h = useHttp({ app: { dashboard: true } });

  it("says when no agent is registered", async () => {
    const victor = await signInClient(h().url, TOKENS.viewer);
    const page = await (await victor.get("/agents")).text();
    expect(page).toContain("No registered agents.");
    expect(page).toContain("No delegations recorded.");
  });

  it("lists agents, delegations and halted state; Kill… leads into the kill confirmation flow", async () => {
    const cp = h().cp;
    await cp.registerAgent({
      id: "agent-a",
      name: "Triage bot",
      capabilities: ["read_file", "deploy"],
      tags: ["ops"],
    });
    await cp.registerAgent({ id: "agent-b", capabilities: ["*"] });
    const s = await cp.openSession({ agentId: "agent-a" });
    await cp.recordDelegation({
      fromAgentId: "agent-a",
      toAgentId: "agent-b",
      task: "summarise logs",
      sessionId: s.id,
    });
    expect((await cp.listDelegations({ agentId: "agent-b" })).map((d) => d.task)).toEqual(["summarise logs"]);
    expect(await cp.listDelegations({ agentId: "nobody" })).toEqual([]);
    await expect(cp.listDelegations({ agent: "agent-b" } as never)).rejects.toMatchObject({
      code: "validation_failed",
    });
    await expect(cp.listDelegations({ limit: 0 })).rejects.toMatchObject({ code: "validation_failed" });

    const olivia = await signInClient(h().url, TOKENS.operator);
    let page = await (await olivia.get("/agents")).text();
    expect(page).toContain("Triage bot");
    expect(page).toContain('<code class="chip">deploy</code>');
    expect(page).toContain('<span class="chip">ops</span>');
    expect(page).toContain("* (every action)");
    expect(page).toContain("summarise logs");
    expect(page).toContain('href="/kill?scope=agent&amp;target=agent-a#engage"');
    expect(page).not.toContain("halted");

    const form = await (await olivia.get("/kill?scope=agent&target=agent-a")).text();
    expect(form).toContain('id="kill-agent" name="agent" type="text" value="agent-a"');

    await cp.kill({ scope: "agent", agentId: "agent-a", reason: "burst", actor: "olivia" });
    page = await (await olivia.get("/fragments/agents")).text();
    expect(page).toMatch(
      /<tr id="agent-agent-a"><td><span class="badge bad">halted<\/span><div class="small">agent switch by olivia: burst/,
    );
    expect(page).toContain("Resume agent-a");
    expect(page).toContain("Kill agent-b");

    const victor = await signInClient(h().url, TOKENS.viewer);
    const viewed = await (await victor.get("/agents")).text();
    expect(viewed).toContain("halted");
    expect(viewed).not.toContain("Kill agent-b");
    expect(viewed).not.toContain("Resume agent-a");
  });
});
