import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { ValidationError } from "../../errors/validation-error.js";
import { parseProposal } from "../router/parse-proposal.js";
import type { EvaluatorContext } from "./evaluator.js";
import { createEvaluatorRegistry } from "./evaluator-registry.js";
import { listEvaluator } from "./list-evaluator.js";
import { loadEvaluatorPlugins } from "./load-evaluator-plugins.js";
import { regexEvaluator } from "./regex-evaluator.js";

const ctx = (config: Record<string, unknown>): EvaluatorContext => ({
  config: Object.freeze(config) as EvaluatorContext["config"],
  signal: new AbortController().signal,
  name: "t",
});
const p = (extra: Record<string, unknown> = {}) =>
  parseProposal({ sessionId: "s", action: "Send_Email", resourceId: "prod-db-1", ...extra });

describe("regex evaluator", () => {
  it("denies on a match by default and allows otherwise", () => {
    expect(regexEvaluator.evaluate(p(), ctx({ patterns: ["^prod-"] }))).toEqual({
      allow: false,
      reason: "Regex match on resourceId: patterns[0]",
    });
    expect(regexEvaluator.evaluate(p(), ctx({ patterns: ["^dev-"] }))).toEqual({
      allow: true,
      reason: "Regex check passed",
    });
  });

  it("with denyOnMatch false denies when nothing matches", () => {
    expect(regexEvaluator.evaluate(p(), ctx({ patterns: ["^dev-"], denyOnMatch: false }))).toEqual({
      allow: false,
      reason: "No regex match on resourceId",
    });
    expect(regexEvaluator.evaluate(p(), ctx({ patterns: ["db"], denyOnMatch: false })).allow).toBe(true);
  });

  it("reads another field; a missing field is the empty string", () => {
    expect(
      regexEvaluator.evaluate(
        p({ args: { sql: "DROP TABLE x" } }),
        ctx({ patterns: ["DROP"], field: "args.sql" }),
      ).allow,
    ).toBe(false);
    expect(regexEvaluator.evaluate(p(), ctx({ patterns: ["^$"], field: "args.none" })).allow).toBe(false);
  });

  it("names the field and the pattern in its reason, never the matched text", () => {
    const key = "AKIAIOSFODNN7EXAMPLE";
    const aws = ctx({ patterns: ["ghp_[A-Za-z0-9]{36}", "AKIA[0-9A-Z]{16}"], field: "args.body" });
    const r = regexEvaluator.evaluate(p({ args: { body: `use ${key} please` } }), aws);
    expect(r).toEqual({ allow: false, reason: "Regex match on args.body: patterns[1]" });
    const strict = ctx({ patterns: ["^[a-z]+$"], field: "args.token", denyOnMatch: false });
    const r2 = regexEvaluator.evaluate(p({ args: { token: key } }), strict);
    expect(r2).toEqual({ allow: false, reason: "No regex match on args.token" });
  });

  it("validates its configuration", () => {
    expect(
      regexEvaluator.validateConfig?.({ patterns: ["(", 3], field: "nope", denyOnMatch: "yes", x: 1 }),
    ).toEqual([
      { path: "x", message: "unknown key" },
      { path: "patterns[1]", message: "expected a string" },
      { path: "patterns[0]", message: expect.stringMatching(/^invalid regular expression/) },
      { path: "field", message: expect.stringMatching(/^unknown field "nope"/) },
      { path: "denyOnMatch", message: "expected a boolean" },
    ]);
    expect(regexEvaluator.validateConfig?.({})).toEqual([
      { path: "patterns", message: "required: expected a list of strings" },
    ]);
  });
});

describe("list evaluator", () => {
  it("compares the action trimmed and case-insensitively; the blocklist wins", () => {
    expect(
      listEvaluator.evaluate(p(), ctx({ blocklist: [" SEND_email "], allowlist: ["send_email"] })),
    ).toEqual({
      allow: false,
      reason: "Value of action is in the blocklist (blocklist[0])",
    });
  });

  it("a non-empty allowlist excludes everything else; an empty one allows", () => {
    expect(listEvaluator.evaluate(p(), ctx({ allowlist: ["read"] }))).toEqual({
      allow: false,
      reason: "Value of action is not in the allowlist",
    });
    expect(listEvaluator.evaluate(p(), ctx({ allowlist: ["READ", "send_email"] })).allow).toBe(true);
    expect(listEvaluator.evaluate(p(), ctx({ allowlist: [] }))).toEqual({
      allow: true,
      reason: "List check passed",
    });
  });

  it("checks another field", () => {
    expect(listEvaluator.evaluate(p(), ctx({ blocklist: ["PROD-DB-1"], field: "resourceId" })).allow).toBe(
      false,
    );
  });

  it("names the field and the list entry in its reason, never the value", () => {
    const secret = "sk-live-0123456789";
    const c = ctx({ blocklist: ["x", secret], field: "args.apiKey" });
    expect(listEvaluator.evaluate(p({ args: { apiKey: ` ${secret.toUpperCase()} ` } }), c)).toEqual({
      allow: false,
      reason: "Value of args.apiKey is in the blocklist (blocklist[1])",
    });
    const allow = ctx({ allowlist: ["public"], field: "args.apiKey" });
    const r = listEvaluator.evaluate(p({ args: { apiKey: secret } }), allow);
    expect(r).toEqual({ allow: false, reason: "Value of args.apiKey is not in the allowlist" });
  });

  it("validates its configuration", () => {
    expect(listEvaluator.validateConfig?.({ allowlist: "a", blocklist: [1], field: 2 })).toEqual([
      { path: "allowlist", message: "expected a list of strings" },
      { path: "blocklist[0]", message: "expected a string" },
      { path: "field", message: "expected a string" },
    ]);
  });
});

describe("evaluator registry", () => {
  it("is pre-loaded with the built-ins unless asked not to", () => {
    expect(createEvaluatorRegistry().types()).toEqual(["regex", "list"]);
    expect(createEvaluatorRegistry({ builtins: false }).types()).toEqual([]);
  });

  it("rejects a duplicate type and a malformed evaluator", () => {
    const registry = createEvaluatorRegistry();
    expect(() => registry.register({ type: "list", evaluate: () => ({ allow: true, reason: "" }) })).toThrow(
      /evaluator type "list" is already registered/,
    );
    expect(() => registry.register({ type: "", evaluate: () => ({ allow: true, reason: "" }) })).toThrow(
      ValidationError,
    );
    expect(registry.get("list")).toBe(listEvaluator);
  });
});

describe("loadEvaluatorPlugins", () => {
  const fixtures = fileURLToPath(new URL("../../../test/fixtures/evaluator-plugins/", import.meta.url));

  it("imports a module file and registers its named and default evaluators", async () => {
    const registry = createEvaluatorRegistry();
    const types = await loadEvaluatorPlugins(registry, ["./good-plugin.mjs"], { baseDir: fixtures });
    expect(types).toEqual(["fixture-no-email", "fixture-always-allow"]);
    const noEmail = registry.get("fixture-no-email");
    const r = await noEmail?.evaluate(
      parseProposal({ sessionId: "s", action: "x", args: { text: "mail a@b.c" } }),
      ctx({}),
    );
    expect(r).toEqual({ allow: false, reason: "text contains an e-mail address" });
  });

  it("reports every bad module at once and registers nothing", async () => {
    const registry = createEvaluatorRegistry();
    const attempt = loadEvaluatorPlugins(
      registry,
      ["./good-plugin.mjs", "./empty-plugin.mjs", "./duplicate-plugin.mjs", "./missing.mjs"],
      { baseDir: fixtures },
    );
    await expect(attempt).rejects.toThrow(ValidationError);
    const error = (await attempt.catch((e: unknown) => e)) as ValidationError;
    expect(error.issues.map((i) => i.path)).toEqual(["plugins[1]", "plugins[2]", "plugins[3]"]);
    expect(error.issues[1]?.message).toMatch(/"regex" is already registered/);
    expect(registry.types()).toEqual(["regex", "list"]);
  });

  it("refuses data:, network and other URL schemes, naming the entry, and imports nothing", async () => {
    const registry = createEvaluatorRegistry();
    const code = 'export default { type: "evil", evaluate: () => ({ allow: true, reason: "pwned" }) }';
    const entries = [
      "./good-plugin.mjs",
      `data:text/javascript,${encodeURIComponent(code)}`,
      "https://127.0.0.1:1/plugin.mjs",
      "HTTP://127.0.0.1:1/plugin.mjs",
      "file:///tmp/plugin.mjs",
      "node:fs",
      42 as unknown as string,
    ];
    const error = (await loadEvaluatorPlugins(registry, entries, { baseDir: fixtures }).catch(
      (e: unknown) => e,
    )) as ValidationError;
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.issues.map((i) => [i.path, i.message])).toEqual([
      [
        "plugins[1]",
        expect.stringMatching(/^"data:text\/javascript,.*": URL schemes \(data:\) are not accepted/),
      ],
      ["plugins[2]", expect.stringMatching(/^"https:\/\/127.0.0.1:1\/plugin.mjs": URL schemes \(https:\)/)],
      ["plugins[3]", expect.stringMatching(/URL schemes \(http:\) are not accepted/)],
      ["plugins[4]", expect.stringMatching(/URL schemes \(file:\) are not accepted/)],
      ["plugins[5]", expect.stringMatching(/URL schemes \(node:\) are not accepted/)],
      ["plugins[6]", "expected a file path or a package name (a non-empty string), got a number"],
    ]);
    expect(registry.types()).toEqual(["regex", "list"]);
  });
});
