import { expect, it } from "vitest";
import { composeDecisionContext } from "../../storage/decision-context.js";
import type { DecisionContextQuery, Storage } from "../../storage/storage.js";
import type { ProposalStatus } from "../../types/proposal-record.js";
import { type ConformanceContext, proposalRecord, seedSession, write } from "./fixtures.js";

const RETRY: readonly ProposalStatus[] = ["approved", "pending_approval"];

/** The adapter's combined read must equal the single-entity reads it stands for, field by field. */
async function expectSameAsSingleReads(s: Storage, q: DecisionContextQuery) {
  const [combined, reference] = await s.read(async (tx) => [
    await tx.decisionContext(q),
    await composeDecisionContext(tx, q),
  ]);
  expect(combined).toEqual(reference);
  return combined;
}

/** `decisionContext`: one read for everything a decision needs. */
export function decisionContextCases(ctx: ConformanceContext): void {
  it("decisionContext equals the single reads: session, acting agent, kill switch, predecessor", async () => {
    const s = ctx.storage();
    const q = (patch: Partial<DecisionContextQuery> = {}): DecisionContextQuery => ({
      sessionId: "s1",
      agentId: null,
      fingerprint: "fp",
      retryStatuses: RETRY,
      ...patch,
    });
    expect(await expectSameAsSingleReads(s, q())).toEqual({
      session: undefined,
      agentId: null,
      agent: undefined,
      anyAgent: false,
      killSwitch: undefined,
      retry: undefined,
    });
    await seedSession(s, "s1", { agentId: "owner" });
    const owned = await expectSameAsSingleReads(s, q());
    expect(owned).toMatchObject({
      agentId: "owner",
      agent: undefined,
      anyAgent: false,
      killSwitch: undefined,
    });
    expect(owned.session?.id).toBe("s1");

    await write(s, async (tx) => {
      await tx.agents.upsert({
        id: "owner",
        name: "o",
        capabilities: ["*"],
        tags: ["t"],
        createdAt: 1,
        updatedAt: 1,
      });
      await tx.agents.upsert({
        id: "bot",
        name: "b",
        capabilities: [],
        tags: [],
        createdAt: 1,
        updatedAt: 1,
      });
      await tx.killSwitches.engage("agent", "bot", "rogue", 5);
    });
    expect((await expectSameAsSingleReads(s, q())).agent?.id).toBe("owner");
    const bot = await expectSameAsSingleReads(s, q({ agentId: "bot" }));
    expect(bot).toMatchObject({
      agentId: "bot",
      anyAgent: true,
      killSwitch: { scope: "agent", target: "bot" },
    });
    expect((await expectSameAsSingleReads(s, q({ agentId: "ghost" }))).agent).toBeUndefined();

    await write(s, (tx) => tx.killSwitches.engage("session", "s1", "stop", 6));
    expect((await expectSameAsSingleReads(s, q({ agentId: "bot" }))).killSwitch?.scope).toBe("session");
    await write(s, (tx) => tx.killSwitches.engage("global", "", "halt", 7));
    expect((await expectSameAsSingleReads(s, q({ agentId: "bot" }))).killSwitch?.scope).toBe("global");

    await write(s, async (tx) => {
      await tx.proposals.insert(
        proposalRecord("p1", "s1", { fingerprint: "fp", status: "approved", createdAt: 10 }),
      );
      await tx.proposals.insert(
        proposalRecord("p2", "s1", { fingerprint: "fp", status: "pending_approval", createdAt: 20 }),
      );
      await tx.proposals.insert(
        proposalRecord("p3", "s1", { fingerprint: "fp", status: "denied", createdAt: 30 }),
      );
      await tx.proposals.insert(
        proposalRecord("p4", "s1", { fingerprint: "other", status: "approved", createdAt: 40 }),
      );
    });
    expect((await expectSameAsSingleReads(s, q())).retry?.id).toBe("p2");
    expect((await expectSameAsSingleReads(s, q({ retryStatuses: ["approved"] }))).retry?.id).toBe("p1");
    expect((await expectSameAsSingleReads(s, q({ fingerprint: "none" }))).retry).toBeUndefined();
  });
}
