import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Storage } from "../../src/storage/storage.js";
import { sessionRecord } from "../../src/testing/index.js";
import type { SessionRiskState } from "../../src/types/session-risk.js";
import { withAllStorageCases } from "../support/postgres-case.js";

const cases = await withAllStorageCases();

const state = (score: number): SessionRiskState => ({
  score,
  actionCount: score,
  recentActions: ["read_database", "send_email"],
  detectedPatterns: ["exfiltration"],
  level: "high",
});

describe.each(cases)("SessionRiskStore on $name storage", (storageCase) => {
  let storage: Storage;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ storage, cleanup } = await storageCase.create());
    await storage.transaction((tx) => tx.sessions.insert(sessionRecord("s1")));
  });
  afterEach(() => cleanup());

  it("has nothing for a new session, even after a lock, and stores and replaces the state", async () => {
    expect(await storage.read((tx) => tx.sessionRisk.get("s1"))).toBeUndefined();
    expect(await storage.transaction((tx) => tx.sessionRisk.lock("s1", 1000))).toBeUndefined();
    expect(await storage.read((tx) => tx.sessionRisk.get("s1"))).toBeUndefined();
    await storage.transaction(async (tx) => {
      expect(await tx.sessionRisk.lock("s1", 1000)).toBeUndefined();
      await tx.sessionRisk.put("s1", state(3), 1000);
    });
    expect(await storage.read((tx) => tx.sessionRisk.get("s1"))).toEqual({
      sessionId: "s1",
      state: state(3),
      updatedAt: 1000,
    });
    await storage.transaction(async (tx) => {
      expect(await tx.sessionRisk.lock("s1", 2000)).toEqual(state(3));
      await tx.sessionRisk.put("s1", state(4), 2000);
    });
    expect(await storage.read((tx) => tx.sessionRisk.get("s1"))).toMatchObject({
      state: state(4),
      updatedAt: 2000,
    });
  });

  it("rolls back with the transaction", async () => {
    await storage.transaction((tx) => tx.sessionRisk.put("s1", state(1), 1000));
    await expect(
      storage.transaction(async (tx) => {
        await tx.sessionRisk.put("s1", state(9), 2000);
        throw new Error("abort");
      }),
    ).rejects.toThrow("abort");
    expect((await storage.read((tx) => tx.sessionRisk.get("s1")))?.state).toEqual(state(1));
  });

  it("serialises racing read-modify-write transactions on one session", async () => {
    await Promise.all(
      Array.from({ length: 10 }, () =>
        storage.transaction(async (tx) => {
          const current = (await tx.sessionRisk.lock("s1", 1000))?.score ?? 0;
          await tx.sessionRisk.put("s1", state(current + 1), 1000);
        }),
      ),
    );
    expect((await storage.read((tx) => tx.sessionRisk.get("s1")))?.state.score).toBe(10);
  });
});
