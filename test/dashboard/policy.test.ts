/**
 * The Policy page in process (`app.fetch`): the current policy, validation of an edited copy (each problem's
 * path; nothing stored), the dry run's decision and trace step by step, CSRF and sign-in on the posts.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { dryRunDecide } from "../../src/control-plane/dry-run-decide.js";
import { startUi, type UiHarness, type UiSession } from "./audit-support.js";

/** The text of the `<ol class="trace">` items, tags stripped. */
function traceSteps(html: string): string[] {
  const list = /<ol class="trace"[^>]*>(.*?)<\/ol>/s.exec(html)?.[1] ?? "";
  return [...list.matchAll(/<li>(.*?)<\/li>/gs)].map((m) =>
    m[1]!
      .replace(/<[^>]+>/g, "")
      .replaceAll("&quot;", '"')
      .replaceAll("&#39;", "'"),
  );
}

describe("policy page", () => {
  let h: UiHarness;
  let viewer: UiSession;
  beforeEach(async () => {
    h = await startUi();
    viewer = await h.signIn("viewer");
  });
  afterEach(() => h.close());

  it("shows the current policy as YAML with its id", async () => {
    const html = await (await viewer.get("/policy")).text();
    expect(html).toContain(h.cp.policy.id);
    expect(html).toMatch(/alwaysApprove:\s*\n\s*- send_payment\s*\n\s*- deploy/);
    expect(html).toContain('<textarea id="policy-text" name="policy"');
  });

  it("validates an edited copy: valid gives its id, invalid lists each bad path, nothing is stored", async () => {
    const before = h.cp.policy.id;
    const ok = await viewer.post("/policy/validate", {
      policy: "version: 1\nactions:\n  blocked: [drop_db]\n",
    });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toMatch(/The edited policy is valid \(id <code>[0-9a-f]{32}<\/code>\)/);

    const bad = await viewer.post("/policy/validate", {
      policy: "version: 1\nactions:\n  blocked: [drop_db, 42]\n  autoApprove: nope\n",
    });
    expect(bad.status).toBe(422);
    const html = await bad.text();
    expect(html).toContain("The edited policy is not valid");
    expect(html).toMatch(/<code>actions\.blocked\[1\]<\/code>: /);
    expect(html).toMatch(/<code>actions\.autoApprove<\/code>: /);
    // The edited text is kept in the textarea for fixing.
    expect(html).toContain("autoApprove: nope");
    expect(h.cp.policy.id).toBe(before);

    const syntax = await viewer.post("/policy/validate", { policy: "actions: [unclosed" });
    expect(syntax.status).toBe(422);
  });

  it("dry-runs a proposal and shows the decision and each trace step in order", async () => {
    const res = await viewer.post("/policy/dry-run", {
      action: "deploy",
      resource_type: "service",
      resource_id: "billing",
      agent_id: "agent-a",
      cost: "12.5",
      args: '{"env":"prod"}',
    });
    expect(res.status).toBe(200);
    const html = await res.text();
    const expected = await dryRunDecide(h.cp.policy, {
      action: "deploy",
      resourceType: "service",
      resourceId: "billing",
      agentId: "agent-a",
      cost: "12.5",
      args: { env: "prod" },
    });
    expect(expected.outcome).toBe("pending_approval");
    expect(html).toContain("pending approval");
    expect(html).toContain(`<code>${expected.code}</code>`);
    expect(html).toContain(expected.reason.replaceAll('"', "&quot;"));
    const steps = traceSteps(html);
    expect(steps).toEqual(
      expected.trace.map((t) => `${t.step}: ${t.result}${t.detail ? ` — ${t.detail}` : ""}`),
    );
    expect(steps.length).toBeGreaterThan(2);
    // The form keeps what was entered.
    expect(html).toContain('value="billing"');
  });

  it("dry-runs against the edited policy when asked, and names bad fields", async () => {
    const edited = "version: 1\nactions:\n  blocked: [deploy]\n";
    const res = await viewer.post("/policy/dry-run", { policy: edited, action: "deploy", use_edited: "1" });
    const html = await res.text();
    expect(html).toContain("Against the edited policy");
    expect(html).toMatch(/<span class="badge bad">denied<\/span>/);

    const badArgs = await viewer.post("/policy/dry-run", { action: "deploy", args: "[1]" });
    expect(badArgs.status).toBe(422);
    expect(await badArgs.text()).toMatch(/<code>args<\/code>: expected a JSON object/);

    const badCost = await viewer.post("/policy/dry-run", { action: "deploy", cost: "-3" });
    expect(badCost.status).toBe(422);
    expect(await badCost.text()).toMatch(/<code>cost<\/code>: /);

    const badEdited = await viewer.post("/policy/dry-run", {
      policy: "actions: {blocked: 3}",
      action: "deploy",
      use_edited: "1",
    });
    expect(badEdited.status).toBe(422);
    expect(await badEdited.text()).toMatch(/<code>policy\.actions\.blocked<\/code>: /);

    const noAction = await viewer.post("/policy/dry-run", { action: "" });
    expect(noAction.status).toBe(422);
    expect(await noAction.text()).toMatch(/<code>action<\/code>: required/);
  });

  it("refuses a post without the CSRF token or sign-in", async () => {
    const forged = await h.app.fetch(
      new Request("http://127.0.0.1:7400/policy/dry-run", {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: "action=deploy",
      }),
    );
    expect(forged.status).toBe(401);
  });
});
