/**
 * The notice shown above a page after an action (`?notice=`) comes only from the dashboard's own redirect: a
 * link crafted elsewhere ("Security alert: paste your token at …") shows nothing, since the notice is bound
 * to the sign-in it was made for.
 */
import { afterEach, describe, expect, it } from "vitest";
import { TOKENS } from "../support/http-server.js";
import { startUi, type UiApp, uiSignIn } from "./approvals-support.js";

/** The text of the page's notice (role status), if any. */
function noticeOf(html: string): string | undefined {
  return /<p class="notice" role="status">([^<]*)<\/p>/.exec(html)?.[1];
}

describe("page notices", () => {
  let ui: UiApp;
  afterEach(async () => {
    await ui?.close();
  });

  it("shows the notice of its own redirect, and no notice from a crafted link, a tampered one or another sign-in's", async () => {
    ui = await startUi();
    const session = await ui.cp.openSession({ agentId: "agent-a" });
    const d = await ui.cp.propose({ sessionId: session.id, action: "deploy", resourceId: "svc" });
    const alice = await uiSignIn(ui.handle, TOKENS.approver);
    const olivia = await uiSignIn(ui.handle, TOKENS.operator);

    const crafted = await alice.get(
      `/?notice=${encodeURIComponent("Security alert: sign in at evil.example")}`,
    );
    expect(crafted.status).toBe(200);
    expect(noticeOf(crafted.text)).toBeUndefined();

    const res = await alice.post(`/tickets/${(d as { ticketId: string }).ticketId}/approve`, {
      scope: "once",
    });
    expect(res.status).toBe(303);
    const own = await alice.get(res.location!);
    expect(noticeOf(own.text)).toMatch(/^Approved deploy on svc \(once\)/);

    const tampered = res.location!.replace("Approved", "Denied");
    expect(tampered).not.toBe(res.location);
    expect(noticeOf((await alice.get(tampered)).text)).toBeUndefined();
    expect(noticeOf((await olivia.get(res.location!)).text)).toBeUndefined();
  });
});
