/**
 * The kill switch pages in process (createHttpApp with the dashboard over a memory store): the required reason,
 * the confirmation step, who may engage and resume, the engaged list and the global banner.
 */
import { describe, expect, it } from "vitest";
import { TOKENS, useHttp } from "../support/http-server.js";
import { signInClient } from "./sessions-ui-client.js";

describe("kill switch pages", () => {
  const h = useHttp({ app: { dashboard: true } });

  it("refuses an engage without a reason, naming the field, and engages nothing", async () => {
    const olivia = await signInClient(h().url, TOKENS.operator);
    for (const confirm of ["", "yes"]) {
      const res = await olivia.post("/kill", { scope: "agent", agent: "agent-a", reason: "  ", confirm });
      expect(res.status).toBe(422);
      const html = await res.text();
      expect(html).toContain("Nothing was engaged");
      expect(html).toContain("<code>reason</code>");
      expect(html).toMatch(/id="kill-reason"[^>]*aria-invalid="true" aria-describedby="reason-error"/);
      expect(html).toContain('<p class="field-error" id="reason-error">a reason is required');
      expect(html).toContain('value="agent-a"'); // what was typed is kept
    }
    const missingAgent = await olivia.post("/kill", { scope: "agent", agent: "", reason: "why" });
    expect(missingAgent.status).toBe(422);
    expect(await missingAgent.text()).toContain("<code>agent</code>");
    expect(await h().cp.listKillSwitches()).toEqual([]);
  });

  it("asks for confirmation stating what stops, then engages with the reason and who, denying the agent", async () => {
    const cp = h().cp;
    const session = await cp.openSession({ name: "loop", agentId: "agent-a" });
    expect((await cp.propose({ sessionId: session.id, action: "read_file" })).outcome).toBe("allowed");
    const olivia = await signInClient(h().url, TOKENS.operator);

    const confirm = await olivia.post("/kill", { scope: "agent", agent: "agent-a", reason: "runaway loop" });
    expect(confirm.status).toBe(200);
    const page = await confirm.text();
    expect(page).toContain("Stop agent agent-a?");
    expect(page).toContain("are paused: 1 session now");
    expect(page).toContain('name="confirm" value="yes"');
    expect(await cp.listKillSwitches()).toEqual([]); // nothing engaged before the confirmation

    const engaged = await olivia.post("/kill", {
      scope: "agent",
      agent: "agent-a",
      reason: "runaway loop",
      confirm: "yes",
    });
    expect(engaged.status).toBe(303);
    expect(decodeURIComponent(engaged.headers.get("location") ?? "")).toContain(
      "Kill switch engaged for agent agent-a: 0 sessions aborted, 1 session paused",
    );
    const [record] = await cp.listKillSwitches({ engagedOnly: true });
    // Who engaged it is the record's own field: the reason is stored as typed, with no "(by …)".
    expect(record).toMatchObject({
      scope: "agent",
      target: "agent-a",
      reason: "runaway loop",
      engagedBy: "olivia",
    });
    const engagedEvents = (await cp.feed({ limit: 1000 })).filter((e) => e.kind !== "proposal_decided");
    expect(JSON.stringify(engagedEvents)).not.toContain("(by");
    expect(engagedEvents.find((e) => e.kind === "kill_switch_engaged")?.payload.by).toBe("olivia");
    const other = await cp.openSession({ agentId: "agent-a" });
    const denied = await cp.propose({ sessionId: other.id, action: "read_file", agentId: "agent-a" });
    expect(denied).toMatchObject({ outcome: "denied", code: "kill_switch" });

    const list = await (await olivia.get("/kill")).text();
    expect(list).toMatch(/<td class="wrap">runaway loop<\/td><td>olivia<\/td>/);
    expect(list).toContain("Resume");
  });

  it("shows `not recorded` for a switch engaged without an actor (API without a name, library)", async () => {
    await h().cp.kill({ scope: "agent", agentId: "agent-b", reason: "from a script" });
    const olivia = await signInClient(h().url, TOKENS.operator);
    const list = await (await olivia.get("/kill")).text();
    expect(list).toMatch(
      /<td class="wrap">from a script<\/td><td><span class="muted">not recorded<\/span><\/td>/,
    );
  });

  it("a viewer sees no engage form or Resume, and its forged posts are 403", async () => {
    const cp = h().cp;
    await cp.kill({ scope: "agent", agentId: "agent-b", reason: "test" });
    const victor = await signInClient(h().url, TOKENS.viewer);
    const page = await (await victor.get("/kill")).text();
    expect(page).toContain("agent-b");
    expect(page).not.toContain("Engage a kill switch");
    expect(page).not.toContain(">Resume<");
    const forged = await victor.post("/kill", { scope: "global", reason: "forged", confirm: "yes" });
    expect(forged.status).toBe(403);
    const forgedResume = await victor.post("/kill/resume", { scope: "agent", target: "agent-b" });
    expect(forgedResume.status).toBe(403);
    const engaged = await cp.listKillSwitches({ engagedOnly: true });
    expect(engaged.map((k) => `${k.scope}:${k.target}`)).toEqual(["agent:agent-b"]);
  });

  it("resumes an engaged switch and says when it was not engaged", async () => {
    const cp = h().cp;
    await cp.kill({ scope: "agent", agentId: "agent-a", reason: "test" });
    const olivia = await signInClient(h().url, TOKENS.operator);
    const res = await olivia.post("/kill/resume", { scope: "agent", target: "agent-a" });
    expect(res.status).toBe(303);
    expect(decodeURIComponent(res.headers.get("location") ?? "")).toContain("released for agent agent-a");
    expect(await cp.listKillSwitches({ engagedOnly: true })).toEqual([]);
    const released = (await cp.feed({ limit: 100 })).filter((e) => e.kind === "kill_switch_released");
    expect(released.map((e) => e.payload.by)).toEqual(["olivia"]);
    const again = await olivia.post("/kill/resume", { scope: "agent", target: "agent-a", back: "/agents" });
    expect(again.headers.get("location")).toMatch(/^\/agents\?notice=.*was%20not%20engaged/);
  });

  it("the global banner fragment is empty until the global switch is engaged", async () => {
    const olivia = await signInClient(h().url, TOKENS.operator);
    expect((await (await olivia.get("/fragments/kill-banner")).text()).trim()).toBe("");
    const confirm = await (await olivia.post("/kill", { scope: "global", reason: "incident 42" })).text();
    expect(confirm).toContain("Every live session is aborted");
    await olivia.post("/kill", { scope: "global", reason: "incident 42", confirm: "yes" });
    const banner = await (await olivia.get("/fragments/kill-banner")).text();
    expect(banner).toContain("Global kill switch engaged");
    expect(banner).toContain("by olivia");
    expect(banner).toContain(": incident 42.");
    expect(banner).not.toContain("(by");
    await h().cp.resume({ scope: "global" });
    await h().cp.kill({ scope: "global", reason: "from the CLI" });
    const anonymous = await (await olivia.get("/fragments/kill-banner")).text();
    expect(anonymous).toContain("by (not recorded): from the CLI.");
  });

  it("the confirmation of an unknown session's switch is a 404", async () => {
    const olivia = await signInClient(h().url, TOKENS.operator);
    const res = await olivia.post("/kill", { scope: "session", session: "no-such-session", reason: "x" });
    expect(res.status).toBe(404);
  });
});
