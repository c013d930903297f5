import { describe, expect, it } from "vitest";
import { useControlPlane } from "../support/control-plane-fixture.js";
import { withAllStorageCases } from "../support/postgres-case.js";

const cases = await withAllStorageCases();

describe.each(cases)("feedHead() on $name storage", (storageCase) => {
  const h = useControlPlane(storageCase);

  it("is 0 on an empty feed and then the id of the newest event, for any feed length", async () => {
    const { cp } = h();
    expect(await cp.feedHead()).toBe(0);
    const s = await cp.openSession();
    for (let i = 0; i < 12; i++) {
      const feed = await cp.feed({ limit: 1000 });
      expect(await cp.feedHead()).toBe(feed.at(-1)!.id);
      await cp.propose({ sessionId: s.id, action: "log_note", resourceId: `n${i}` });
    }
  });

  it("a reader starting after it gets exactly the events committed later", async () => {
    const { cp } = h();
    const s = await cp.openSession();
    await cp.propose({ sessionId: s.id, action: "read_file" });
    const head = await cp.feedHead();
    const later = await cp.openSession({ name: "later" });
    const fresh = await cp.feed({ afterId: head });
    expect(fresh.length).toBeGreaterThan(0);
    expect(fresh.every((e) => e.sessionId === later.id)).toBe(true);
    expect((await cp.feed()).filter((e) => e.id > head)).toEqual(fresh);
  });
});
