/**
 * The approve and deny forms refuse forged requests in-process: another origin, a cross-site fetch, a missing
 * or wrong CSRF token, no sign-in. Every refusal leaves the ticket pending.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { TOKENS } from "../support/http-server.js";
import { startUi, type UiApp, uiSignIn } from "./approvals-support.js";

describe("approve / deny refuse forged requests", () => {
  let ui: UiApp;
  let ticketId: string;
  beforeEach(async () => {
    ui = await startUi();
    const session = await ui.cp.openSession({ agentId: "agent-a" });
    const d = await ui.cp.propose({ sessionId: session.id, action: "deploy", resourceId: "svc" });
    ticketId = (d as { ticketId: string }).ticketId;
  });
  afterEach(async () => {
    await ui.close();
  });

  it.each([
    ["another Origin", { origin: "http://127.0.0.1:1" }, {}],
    ["Sec-Fetch-Site: cross-site", { "sec-fetch-site": "cross-site" }, {}],
    ["a wrong CSRF token", {}, { _csrf: "not-the-token" }],
    ["no CSRF token", {}, { _csrf: "" }],
  ])("%s: 403, the ticket stays pending", async (_name, headers, fields) => {
    const alice = await uiSignIn(ui.handle, TOKENS.approver);
    for (const verb of ["approve", "deny"]) {
      const res = await alice.post(
        `/tickets/${ticketId}/${verb}`,
        { scope: "once", reason: "x", ...fields },
        headers,
      );
      expect(res.status).toBe(403);
    }
    expect((await ui.cp.getTicket(ticketId)).status).toBe("pending");
    // The same client with its real token and origin may decide: the refusals above were the forgery's.
    expect((await alice.post(`/tickets/${ticketId}/approve`, { scope: "once" })).status).toBe(303);
  });

  it("without a sign-in: 401, the ticket stays pending", async () => {
    const res = await ui.handle(
      new Request(`http://127.0.0.1:9/tickets/${ticketId}/approve`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: "scope=once",
      }),
    );
    expect(res.status).toBe(401);
    expect((await ui.cp.getTicket(ticketId)).status).toBe("pending");
  });
});
