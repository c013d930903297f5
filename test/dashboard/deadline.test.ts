/**
 * When a pending ticket's deadline is "near" (shown red, listed on the Attention page): in the last fifth of
 * the ticket's time or its last 5 minutes — relative, so that a policy with a 15-minute timeout does not paint
 * every ticket red from the moment it arrives, while a day-long ticket turns red hours ahead.
 */
import { afterEach, describe, expect, it } from "vitest";
import { deadlineNear } from "../../src/dashboard/pages/ticket-card.js";
import { TEST_POLICY } from "../support/control-plane-fixture.js";
import { TOKENS } from "../support/http-server.js";
import { startUi, type UiApp, uiSignIn } from "./approvals-support.js";

const MIN = 60_000;

describe("deadlineNear", () => {
  it.each([
    // life (min), minutes left, near?
    [15, 15, false],
    [15, 10, false],
    [15, 5.01, false],
    [15, 4.99, true],
    [15, 0, true],
    [15, -3, true],
    [60, 13, false],
    [60, 11.9, true],
    [24 * 60, 5 * 60, false],
    [24 * 60, 4 * 60, true],
    [2, 2, true], // a two-minute ticket is urgent from the start
  ])("a %s-minute ticket with %s minutes left: near %s", (life, left, near) => {
    const now = 1_000 * MIN;
    const deadlineAt = now + left * MIN;
    expect(deadlineNear({ createdAt: deadlineAt - life * MIN, deadlineAt }, now)).toBe(near);
  });
});

describe("deadline colour and the Attention list follow it", () => {
  let ui: UiApp;
  afterEach(async () => {
    await ui?.close();
  });

  it("a 15-minute ticket is not red nor listed when it arrives, and is both in its last 5 minutes", async () => {
    ui = await startUi({ policy: { ...TEST_POLICY, approvals: { timeout: "15m" } } });
    const session = await ui.cp.openSession({ agentId: "agent-a" });
    const d = await ui.cp.propose({ sessionId: session.id, action: "deploy", resourceId: "svc" });
    const id = (d as { ticketId: string }).ticketId;
    const alice = await uiSignIn(ui.handle, TOKENS.approver);
    const deadlineClass = async () =>
      /<span class="(deadline[^"]*)">/.exec((await alice.get(`/tickets/${id}`)).text)?.[1];
    expect(await deadlineClass()).toBe("deadline");
    expect((await alice.get("/attention")).text).not.toContain(`/tickets/${id}`);
    ui.clock.advance(9 * MIN);
    expect(await deadlineClass()).toBe("deadline"); // 6 minutes left
    ui.clock.advance(2 * MIN);
    expect(await deadlineClass()).toBe("deadline soon"); // 4 minutes left
    expect((await alice.get("/attention")).text).toContain(`/tickets/${id}`);
  });

  it("a day-long ticket turns red with hours to go", async () => {
    ui = await startUi({ policy: { ...TEST_POLICY, approvals: { timeout: "24h" } } });
    const session = await ui.cp.openSession({ agentId: "agent-a" });
    const d = await ui.cp.propose({ sessionId: session.id, action: "deploy", resourceId: "svc" });
    const id = (d as { ticketId: string }).ticketId;
    ui.clock.advance(20 * 60 * MIN); // 4 hours left
    const alice = await uiSignIn(ui.handle, TOKENS.approver); // (after: a sign-in lasts 12 hours)
    const page = (await alice.get("/")).text;
    expect(page).toContain('<span class="deadline soon">');
    expect((await alice.get("/attention")).text).toContain(`/tickets/${id}`);
  });
});
