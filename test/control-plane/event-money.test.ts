import { describe, expect, it } from "vitest";
import type { JsonValue } from "../../src/types/json.js";
import { useControlPlane, withSqliteCase } from "../support/control-plane-fixture.js";

const cases = await withSqliteCase();

/** Every `[path, value]` in `payload` whose key names money (cost, maxCost, usedCost, maxCostPerAction, …). */
function moneyFields(value: JsonValue, path: string, out: [string, JsonValue][]): [string, JsonValue][] {
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) moneyFields(v, `${path}[${i}]`, out);
  } else if (value !== null && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      if (/cost|amount|budget|spent/i.test(k) && (v === null || typeof v !== "object"))
        out.push([`${path}.${k}`, v]);
      else moneyFields(v, `${path}.${k}`, out);
    }
  }
  return out;
}

describe.each(cases)("money in events on $name storage", (storageCase) => {
  const h = useControlPlane(storageCase);

  it("every money field of a full lifecycle's events is a decimal string (or null), never micro-units", async () => {
    const { cp } = h();
    const s = await cp.openSession({ name: "money", budget: { maxCost: "10.5", maxActions: 20 } });
    const unlimited = await cp.openSession({ name: "no budget" });

    const allowed = await cp.propose({
      sessionId: s.id,
      action: "write_file",
      resourceId: "f1",
      cost: "1.25",
    });
    if (allowed.outcome !== "allowed") throw new Error(`expected allowed, got ${allowed.outcome}`);
    await cp.complete(allowed.proposalId, { ok: true, cost: "2.5" });

    const asked = await cp.propose({ sessionId: s.id, action: "send_payment", resourceId: "a1", cost: "3" });
    if (asked.outcome !== "pending_approval") throw new Error(`expected pending, got ${asked.outcome}`);
    await cp.approve(asked.ticketId, {
      decidedBy: "alice",
      scope: { kind: "session", actions: ["send_payment"], maxCostPerAction: "3.5" },
    });
    const resumed = await cp.propose({
      sessionId: s.id,
      action: "send_payment",
      resourceId: "a1",
      cost: "3",
    });
    if (resumed.outcome !== "allowed") throw new Error(`expected allowed, got ${resumed.outcome}`);
    // An actual cost above the reservation overruns the budget: budget_exhausted carries money too.
    await cp.complete(resumed.proposalId, { ok: false, error: "timeout", cost: "9" });

    const refused = await cp.propose({
      sessionId: unlimited.id,
      action: "deploy",
      resourceId: "svc",
      cost: 7,
    });
    if (refused.outcome !== "pending_approval") throw new Error(`expected pending, got ${refused.outcome}`);
    await cp.deny(refused.ticketId, { decidedBy: "bob", reason: "not today" });
    await cp.propose({ sessionId: unlimited.id, action: "delete_database", cost: "0.000001" });
    await cp.kill({ scope: "session", sessionId: unlimited.id, reason: "done" });

    const events = await cp.feed({ limit: 1000 });
    const kinds = new Set(events.map((e) => e.kind));
    for (const kind of ["session_opened", "proposal_decided", "execution_completed", "execution_failed"]) {
      expect(kinds).toContain(kind);
    }
    expect(kinds).toContain("budget_exhausted");
    const money = events.flatMap((e) => moneyFields(e.payload, e.kind, []));
    expect(money.length).toBeGreaterThan(8);
    for (const [path, value] of money) {
      expect(value === null || (typeof value === "string" && /^\d+(\.\d+)?$/.test(value)), path).toBe(true);
    }
    const opened = events.find((e) => e.kind === "session_opened" && e.sessionId === s.id);
    expect(opened?.payload).toMatchObject({ maxCost: "10.5", maxActions: 20 });
    expect(
      events.find((e) => e.kind === "session_opened" && e.sessionId === unlimited.id)?.payload,
    ).toMatchObject({ maxCost: null });
  });
});
