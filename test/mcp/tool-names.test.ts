import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  buildToolNameTable,
  isValidServerName,
  MAX_EXPOSED_NAME_LENGTH,
  sanitizeToolName,
  type UpstreamToolRef,
} from "../../src/mcp/tool-names.js";

const serverArb = fc
  .array(fc.stringMatching(/^[A-Za-z0-9-]{1,6}$/), { minLength: 1, maxLength: 4 })
  .map((parts) => parts.join("_"))
  .filter((s) => s.length <= 32);
/** Tool names that stress the rules: safe, unsafe, long, lookalikes, underscores at the edges. */
const toolArb = fc.oneof(
  fc.stringMatching(/^[A-Za-z0-9_-]{0,12}$/),
  fc.string({ maxLength: 12 }),
  fc.string({ unit: "grapheme", maxLength: 8 }),
  fc.constantFrom("a b", "a_b", "a.b", "a/b", "_", "__", "x", "X"),
  fc.stringMatching(/^[a-z_]{60,90}$/),
);
const refArb = fc.record({ server: serverArb, tool: toolArb });
const setArb = fc.uniqueArray(refArb, { maxLength: 25, selector: (r) => `${r.server}\u0000${r.tool}` });

function names(refs: readonly UpstreamToolRef[]): Map<string, string> {
  const table = buildToolNameTable(refs);
  return new Map(refs.map((r) => [`${r.server}\u0000${r.tool}`, table.exposedName(r.server, r.tool)!]));
}

describe("exposed tool names", () => {
  it("keeps server__tool when it is already safe and short", () => {
    const table = buildToolNameTable([{ server: "fs", tool: "read_file" }]);
    expect(table.exposedName("fs", "read_file")).toBe("fs__read_file");
    expect(table.resolve("fs__read_file")).toEqual({ server: "fs", tool: "read_file" });
    expect(table.resolve("fs__read")).toBeUndefined();
  });

  it("sanitizes with a hash suffix, so names that sanitize alike stay apart", () => {
    const table = buildToolNameTable([
      { server: "s", tool: "a b" },
      { server: "s", tool: "a.b" },
      { server: "s", tool: "a_b" },
    ]);
    expect(table.exposedName("s", "a_b")).toBe("s__a_b");
    expect(table.exposedName("s", "a b")).toMatch(/^s__a_b_[0-9a-f]{8}$/);
    expect(table.exposedName("s", "a.b")).toMatch(/^s__a_b_[0-9a-f]{8}$/);
    expect(table.exposedName("s", "a b")).not.toBe(table.exposedName("s", "a.b"));
    expect(sanitizeToolName("é/😀x")).toBe("___x");
  });

  it("truncates long names to 64 characters with a hash", () => {
    const tool = "t".repeat(100);
    const name = buildToolNameTable([{ server: "server", tool }]).exposedName("server", tool)!;
    expect(name).toHaveLength(MAX_EXPOSED_NAME_LENGTH);
    expect(name).toMatch(/^server__t+_[0-9a-f]{8}$/);
  });

  it("maps back through the table, never by splitting (a tool name with __ in it)", () => {
    const table = buildToolNameTable([
      { server: "a", tool: "b__c" },
      { server: "a_b", tool: "c" },
      { server: "a", tool: "_b" },
    ]);
    expect(table.resolve("a__b__c")).toEqual({ server: "a", tool: "b__c" });
    expect(table.resolve("a_b__c")).toEqual({ server: "a_b", tool: "c" });
    expect(table.resolve("a___b")).toEqual({ server: "a", tool: "_b" });
  });

  it("a tool named like another's hashed name keeps its name; the hashed one grows its hash", () => {
    const victim = { server: "s", tool: "a b" };
    const hashed = buildToolNameTable([victim]).exposedName("s", "a b")!;
    const impostor = { server: "s", tool: hashed.slice(3) };
    const table = buildToolNameTable([impostor, victim]);
    expect(table.exposedName("s", impostor.tool)).toBe(hashed);
    expect(table.exposedName("s", "a b")).toMatch(/^s__a_b_[0-9a-f]{12}$/);
    expect(table.size).toBe(2);
  });

  it("refuses server names that would make the prefix ambiguous", () => {
    for (const bad of ["a__b", "_a", "a_", "", "a.b", "x".repeat(33)])
      expect(isValidServerName(bad)).toBe(false);
    expect(() => buildToolNameTable([{ server: "a__b", tool: "x" }])).toThrow(/invalid MCP server name/);
    expect(isValidServerName("my-server_2")).toBe(true);
  });

  it("property: names are safe, at most 64 characters, distinct, and map back", () => {
    fc.assert(
      fc.property(setArb, (refs) => {
        const table = buildToolNameTable(refs);
        expect(table.size).toBe(refs.length);
        const seen = new Set<string>();
        for (const r of refs) {
          const name = table.exposedName(r.server, r.tool)!;
          expect(name).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
          expect(name.startsWith(`${r.server}__`)).toBe(true);
          expect(seen.has(name)).toBe(false);
          seen.add(name);
          expect(table.resolve(name)).toEqual(r);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("property: names do not depend on listing order (or on duplicates)", () => {
    fc.assert(
      fc.property(
        setArb.chain((refs) =>
          fc.tuple(fc.constant(refs), fc.shuffledSubarray(refs, { minLength: refs.length })),
        ),
        ([refs, shuffled]) => {
          expect(names([...shuffled, ...refs.slice(0, 3)])).toEqual(names(refs));
        },
      ),
      { numRuns: 200 },
    );
  });

  it("property: a tool's name does not change when unrelated tools come and go", () => {
    fc.assert(
      fc.property(setArb, refArb, (refs, extra) => {
        const key = `${extra.server}\u0000${extra.tool}`;
        const without = refs.filter((r) => `${r.server}\u0000${r.tool}` !== key);
        const before = names(without);
        const after = names([...without, extra]);
        for (const [k, v] of before) expect(after.get(k)).toBe(v);
      }),
      { numRuns: 200 },
    );
  });
});
