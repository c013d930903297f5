import { describe, expect, it } from "vitest";
import type { ControlPlane } from "../../src/control-plane/control-plane.js";
import { ValidationError } from "../../src/errors/validation-error.js";
import type { EventRecord } from "../../src/types/event.js";
import { useControlPlane } from "../support/control-plane-fixture.js";
import { withAllStorageCases } from "../support/postgres-case.js";

const cases = await withAllStorageCases();

/** The feed's events of `kinds`, as `[kind, payload.by]` pairs. */
async function byOf(cp: ControlPlane, kinds: readonly string[]): Promise<[string, unknown][]> {
  const events: readonly EventRecord[] = await cp.feed({ limit: 1000 });
  return events
    .filter((e) => kinds.includes(e.kind))
    .map((e) => [e.kind, (e.payload as Record<string, unknown>).by]);
}

async function validationPaths(call: Promise<unknown>): Promise<string[]> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ValidationError);
  return (error as ValidationError).issues.map((i) => i.path);
}

describe.each(cases)("operator actor on $name storage", (storageCase) => {
  const h = useControlPlane(storageCase);

  it("a global kill records engagedBy and `by` on its event and on every event of its sweep; resume too", async () => {
    const { cp } = h();
    const s = await cp.openSession();
    await cp.activateSession(s.id);
    const d = await cp.propose({ sessionId: s.id, action: "deploy", resourceId: "svc" });
    expect(d.outcome).toBe("pending_approval");

    await cp.kill({ scope: "global", reason: "incident 7", actor: "olivia" });
    const [record] = await cp.listKillSwitches();
    expect(record).toMatchObject({ scope: "global", reason: "incident 7", engagedBy: "olivia" });
    expect(await byOf(cp, ["kill_switch_engaged", "session_aborted", "approval_denied"])).toEqual([
      ["approval_denied", "olivia"],
      ["session_aborted", "olivia"],
      ["kill_switch_engaged", "olivia"],
    ]);
    await cp.resume({ scope: "global", actor: "bob" });
    expect(await byOf(cp, ["kill_switch_released"])).toEqual([["kill_switch_released", "bob"]]);
    // Released, the record still says who engaged it.
    expect((await cp.listKillSwitches())[0]).toMatchObject({ engaged: false, engagedBy: "olivia" });
  });

  it("an agent kill records `by` on the sessions it pauses; without an actor nothing is recorded", async () => {
    const { cp } = h();
    const s = await cp.openSession({ agentId: "bot-a" });
    await cp.activateSession(s.id);
    await cp.kill({ scope: "agent", agentId: "bot-a", reason: "runaway", actor: "olivia" });
    expect(await byOf(cp, ["session_paused", "kill_switch_engaged"])).toEqual([
      ["session_paused", "olivia"],
      ["kill_switch_engaged", "olivia"],
    ]);
    await cp.kill({ scope: "session", sessionId: s.id, reason: "anonymous" });
    const switches = await cp.listKillSwitches();
    expect(switches.map((k) => [k.scope, k.engagedBy])).toEqual([
      ["agent", "olivia"],
      ["session", null],
    ]);
    const events = await cp.feed({ limit: 1000 });
    const last = events.filter((e) => e.kind === "kill_switch_engaged").at(-1)!;
    expect(last.payload).not.toHaveProperty("by");
  });

  it("pause, resume, close and abort record `by`; close's denied tickets carry it too", async () => {
    const { cp } = h();
    const s = await cp.openSession();
    await cp.activateSession(s.id);
    await cp.pauseSession(s.id, "lunch", { actor: "olivia" });
    await cp.resumeSession(s.id, { actor: "olivia" });
    const d = await cp.propose({ sessionId: s.id, action: "deploy", resourceId: "svc" });
    expect(d.outcome).toBe("pending_approval");
    await cp.closeSession(s.id, { actor: "olivia" });
    const other = await cp.openSession();
    await cp.activateSession(other.id);
    await cp.abortSession(other.id, "looping", { actor: "bob", idempotencyKey: "abort-1" });
    expect(
      await byOf(cp, [
        "session_paused",
        "session_resumed",
        "session_completed",
        "approval_denied",
        "session_aborted",
        "session_activated",
      ]),
    ).toEqual([
      ["session_activated", undefined],
      ["session_paused", "olivia"],
      ["session_resumed", "olivia"],
      ["session_completed", "olivia"],
      ["approval_denied", "olivia"],
      ["session_activated", undefined],
      ["session_aborted", "bob"],
    ]);
    const paused = (await cp.events(s.id)).find((e) => e.kind === "session_paused")!;
    expect(paused.payload).toEqual({ reason: "lunch", by: "olivia" });
  });

  it("a bad actor is a ValidationError naming `actor` and changes nothing; a misspelt key is refused", async () => {
    const { cp } = h();
    const s = await cp.openSession();
    await cp.activateSession(s.id);
    const long = "x".repeat(201);
    expect(await validationPaths(cp.kill({ scope: "global", reason: "r", actor: "" }))).toEqual(["actor"]);
    expect(await validationPaths(cp.kill({ scope: "global", reason: "r", actor: long }))).toEqual(["actor"]);
    expect(await validationPaths(cp.resume({ scope: "global", actor: 7 as never }))).toEqual(["actor"]);
    expect(await validationPaths(cp.pauseSession(s.id, "r", { actor: "" }))).toEqual(["actor"]);
    expect(await validationPaths(cp.resumeSession(s.id, { actor: long }))).toEqual(["actor"]);
    expect(await validationPaths(cp.closeSession(s.id, { actor: null as never }))).toEqual(["actor"]);
    expect(await validationPaths(cp.abortSession(s.id, "r", { actor: "" }))).toEqual(["actor"]);
    expect(await validationPaths(cp.pauseSession(s.id, "r", { actr: "o" } as never))).toEqual(["actr"]);
    expect(await cp.listKillSwitches()).toEqual([]);
    expect((await cp.getSession(s.id)).status).toBe("active");
    // 200 characters are fine.
    await cp.pauseSession(s.id, "r", { actor: "y".repeat(200) });
    expect((await cp.getSession(s.id)).status).toBe("paused");
  });

  it("the actor is part of an idempotent request: same key, other actor is a conflict", async () => {
    const { cp } = h();
    const first = await cp.kill({ scope: "global", reason: "r", actor: "olivia", idempotencyKey: "k-1" });
    expect(await cp.kill({ scope: "global", reason: "r", actor: "olivia", idempotencyKey: "k-1" })).toEqual(
      first,
    );
    await expect(
      cp.kill({ scope: "global", reason: "r", actor: "bob", idempotencyKey: "k-1" }),
    ).rejects.toMatchObject({ code: "idempotency_conflict" });
  });
});
