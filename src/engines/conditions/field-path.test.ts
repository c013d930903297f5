import { describe, expect, it } from "vitest";
import { parseProposal } from "../router/parse-proposal.js";
import { compileFieldPath, type FieldGetter } from "./field-path.js";
import { compileGlobs } from "./glob.js";

const p = parseProposal({
  sessionId: "s1",
  agentId: "a1",
  action: "Deploy",
  resourceId: "prod-eu",
  args: { amount: 250, items: [{ id: "x" }], nested: { deep: { v: true } } },
  metadata: { env: "prod" },
  cost: "1.5",
});
const get = (path: string) => (compileFieldPath(path) as FieldGetter)(p);

describe("compileFieldPath", () => {
  it("reads top-level fields, cost in units and nested JSON paths", () => {
    expect(get("action")).toBe("deploy");
    expect(get("agentId")).toBe("a1");
    expect(get("cost")).toBe(1.5);
    expect(get("args.amount")).toBe(250);
    expect(get("args.items.0.id")).toBe("x");
    expect(get("args.nested.deep.v")).toBe(true);
    expect(get("metadata.env")).toBe("prod");
  });

  it("returns undefined for missing paths and never reads the prototype chain", () => {
    expect(get("args.missing.x")).toBeUndefined();
    expect(get("args.items.x")).toBeUndefined();
    expect(get("args.toString")).toBeUndefined();
    expect(get("args.__proto__")).toBeUndefined();
  });

  it("rejects unknown roots and empty segments with a message", () => {
    expect(compileFieldPath("weight")).toMatch(/unknown field "weight"/);
    expect(compileFieldPath("args..x")).toMatch(/invalid field path/);
  });
});

describe("compileGlobs", () => {
  it("matches * and ? case-insensitively and treats other characters literally", () => {
    const glob = compileGlobs(["prod-*", "db-??", "a.b"]);
    const re = { test: glob };
    expect(re.test("PROD-eu-1")).toBe(true);
    expect(re.test("db-01")).toBe(true);
    expect(re.test("db-1")).toBe(false);
    expect(re.test("db-001")).toBe(false);
    expect(re.test("a.b")).toBe(true);
    expect(re.test("axb")).toBe(false);
    expect(re.test("my-prod-x")).toBe(false);
  });

  it("handles stars anywhere, line breaks, empty text and non-ASCII case like the RegExp it replaced", () => {
    const cases: [string[], string][] = [
      [["*"], ""],
      [["*"], "a\nb"],
      [["a*"], "a\nb"],
      [["*b"], "aab"],
      [["a**b"], "ab"],
      [["?"], ""],
      [["?"], "é"],
      [["*x*y*"], "aaxbbycc"],
      [["*x*y*"], "aayxx"],
      [["ÉTÉ-*"], "été-1"],
      [["straße"], "STRASSE"],
      [["k"], "\u212a"],
      [["a?c", "*z"], "abc"],
      [["[a]"], "[A]"],
    ];
    for (const [patterns, text] of cases) {
      const parts = patterns.map((p) =>
        p.replace(/[.+^${}()|[\]\\*?]/g, (c) => (c === "*" ? ".*" : c === "?" ? "." : `\\${c}`)),
      );
      const reference = new RegExp(`^(?:${parts.join("|")})$`, "is");
      expect(compileGlobs(patterns)(text), `${patterns} on ${JSON.stringify(text)}`).toBe(
        reference.test(text),
      );
    }
  });
});
