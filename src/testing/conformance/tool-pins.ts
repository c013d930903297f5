import { expect, it } from "vitest";
import type { ToolPin } from "../../storage/tool-pin-store.js";
import { type ConformanceContext, Rollback, range, write } from "./fixtures.js";

const A = "a".repeat(64);
const B = "b".repeat(64);
const C = "c".repeat(64);
const def = (description: string) => ({ name: "write_file", description, inputSchema: { type: "object" } });

/** The pin a first observation of `fingerprint` at `now` leaves. */
function firstPin(
  server: string,
  tool: string,
  fingerprint: string,
  definition: unknown,
  now: number,
): ToolPin {
  return {
    server,
    tool,
    fingerprint,
    definition,
    pendingFingerprint: null,
    pendingDefinition: null,
    firstSeenAt: now,
    updatedAt: now,
    acceptedBy: null,
  };
}

/** MCP tool pins: first sight pins, a change is held until the operator accepts exactly the reviewed one. */
export function toolPinCases(ctx: ConformanceContext): void {
  it("pins on first sight, answers same for the pinned definition, and keys by (server, tool)", async () => {
    const s = ctx.storage();
    expect(await write(s, (tx) => tx.toolPins.observe("fs", "write_file", A, def("v1"), 1000))).toBe("new");
    expect(await write(s, (tx) => tx.toolPins.observe("fs", "write_file", A, def("v1"), 2000))).toBe("same");
    expect(await write(s, (tx) => tx.toolPins.observe("other", "write_file", B, def("x"), 3000))).toBe("new");
    expect(await write(s, (tx) => tx.toolPins.observe("fs", "Write_file", B, def("x"), 3000))).toBe("new");
    expect(await s.read((tx) => tx.toolPins.get("fs", "write_file"))).toEqual(
      firstPin("fs", "write_file", A, def("v1"), 1000),
    );
    expect(await s.read((tx) => tx.toolPins.get("fs", "nope"))).toBeUndefined();
    const listed = await s.read((tx) => tx.toolPins.list());
    expect(listed.map((p) => `${p.server}/${p.tool}`)).toEqual([
      "fs/Write_file",
      "fs/write_file",
      "other/write_file",
    ]);
  });

  it("a changed definition is held (changed, every time) and recorded for review; the pin stays", async () => {
    const s = ctx.storage();
    await write(s, (tx) => tx.toolPins.observe("fs", "write_file", A, def("v1"), 1000));
    expect(await write(s, (tx) => tx.toolPins.observe("fs", "write_file", B, def("evil"), 2000))).toBe(
      "changed",
    );
    expect(await write(s, (tx) => tx.toolPins.observe("fs", "write_file", B, def("evil"), 3000))).toBe(
      "changed",
    );
    const held = await s.read((tx) => tx.toolPins.get("fs", "write_file"));
    expect(held).toEqual({
      ...firstPin("fs", "write_file", A, def("v1"), 1000),
      pendingFingerprint: B,
      pendingDefinition: def("evil"),
      updatedAt: 2000,
    });
    // The pinned definition itself is still "same"; the pending change stays recorded for the operator.
    expect(await write(s, (tx) => tx.toolPins.observe("fs", "write_file", A, def("v1"), 4000))).toBe("same");
    expect((await s.read((tx) => tx.toolPins.get("fs", "write_file")))?.pendingFingerprint).toBe(B);
  });

  it("accept pins only the pending definition the operator saw", async () => {
    const s = ctx.storage();
    await write(s, (tx) => tx.toolPins.observe("fs", "t", A, def("v1"), 1000));
    expect(await write(s, (tx) => tx.toolPins.accept("fs", "t", A, "ops", 1500))).toBeUndefined(); // nothing pending
    await write(s, (tx) => tx.toolPins.observe("fs", "t", B, def("v2"), 2000));
    await write(s, (tx) => tx.toolPins.observe("fs", "t", C, def("v3"), 3000)); // newer change replaces B
    expect(await write(s, (tx) => tx.toolPins.accept("fs", "t", B, "ops", 4000))).toBeUndefined();
    expect(await write(s, (tx) => tx.toolPins.accept("fs", "missing", C, "ops", 4000))).toBeUndefined();
    const accepted = await write(s, (tx) => tx.toolPins.accept("fs", "t", C, "ops", 5000));
    const expected: ToolPin = {
      ...firstPin("fs", "t", C, def("v3"), 1000),
      updatedAt: 5000,
      acceptedBy: "ops",
    };
    expect(accepted).toEqual(expected);
    expect(await s.read((tx) => tx.toolPins.get("fs", "t"))).toEqual(expected);
    expect(await write(s, (tx) => tx.toolPins.observe("fs", "t", C, def("v3"), 6000))).toBe("same");
    expect(await write(s, (tx) => tx.toolPins.observe("fs", "t", A, def("v1"), 7000))).toBe("changed");
    expect(await write(s, (tx) => tx.toolPins.accept("fs", "t", C, "ops", 8000))).toBeUndefined(); // accepted once
  });

  it("definitions come back as stored JSON (unicode, nesting, key order of the writer)", async () => {
    const s = ctx.storage();
    const odd = {
      name: "t",
      description: 'naïve \u0000 😀 "quoted"',
      inputSchema: { z: 1, a: [null, true, 1.5] },
    };
    await write(s, (tx) => tx.toolPins.observe("s", "t", A, odd, 1000));
    await write(s, (tx) => tx.toolPins.observe("s", "t", B, { ...odd, description: "changed" }, 2000));
    const pin = await s.read((tx) => tx.toolPins.get("s", "t"));
    expect(pin?.definition).toEqual(odd);
    expect(pin?.pendingDefinition).toEqual({ ...odd, description: "changed" });
  });

  it("a rolled-back observe or accept leaves nothing behind", async () => {
    const s = ctx.storage();
    await write(s, (tx) => tx.toolPins.observe("fs", "t", A, def("v1"), 1000));
    await write(s, (tx) => tx.toolPins.observe("fs", "t", B, def("v2"), 2000));
    await expect(
      write(s, async (tx) => {
        await tx.toolPins.observe("fs", "u", A, def("u"), 3000);
        await tx.toolPins.accept("fs", "t", B, "ops", 3000);
        throw new Rollback();
      }),
    ).rejects.toBeInstanceOf(Rollback);
    expect(await s.read((tx) => tx.toolPins.list())).toEqual([
      {
        ...firstPin("fs", "t", A, def("v1"), 1000),
        pendingFingerprint: B,
        pendingDefinition: def("v2"),
        updatedAt: 2000,
      },
    ]);
  });

  it("of concurrent first observations exactly one pins; the others see same or changed", async () => {
    const s = ctx.storage();
    const results = await Promise.all(
      range(ctx.concurrency).map((i) =>
        write(s, (tx) =>
          tx.toolPins.observe("fs", "t", i % 2 === 0 ? A : B, def(i % 2 === 0 ? "a" : "b"), 1000 + i),
        ),
      ),
    );
    expect(results.filter((r) => r === "new")).toHaveLength(1);
    const pin = (await s.read((tx) => tx.toolPins.get("fs", "t")))!;
    const winner = results.indexOf("new");
    expect(pin.fingerprint).toBe(winner % 2 === 0 ? A : B);
    results.forEach((r, i) => {
      if (i !== winner) expect(r).toBe((i % 2 === 0 ? A : B) === pin.fingerprint ? "same" : "changed");
    });
    expect(pin.pendingFingerprint).toBe(pin.fingerprint === A ? B : A);
  });

  it("of concurrent accepts of the same change exactly one succeeds", async () => {
    const s = ctx.storage();
    await write(s, (tx) => tx.toolPins.observe("fs", "t", A, def("v1"), 1000));
    await write(s, (tx) => tx.toolPins.observe("fs", "t", B, def("v2"), 2000));
    const results = await Promise.all(
      range(ctx.concurrency).map((i) =>
        write(s, (tx) => tx.toolPins.accept("fs", "t", B, `op${i}`, 3000 + i)),
      ),
    );
    const winners = results.filter((r) => r !== undefined);
    expect(winners).toHaveLength(1);
    expect(await s.read((tx) => tx.toolPins.get("fs", "t"))).toEqual(winners[0]);
  });
}
