import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parseDocument } from "yaml";
import { ValidationError, type ValidationIssue } from "../../errors/validation-error.js";
import { checkJsonValue, DEFAULT_JSON_LIMITS, type JsonLimits } from "../../types/json-limits.js";
import type { PolicyDocument, PolicyInput } from "../../types/policy.js";
import { isMatchLimit } from "../conditions/safe-regex.js";
import { defaultEvaluatorRegistry, type EvaluatorRegistry } from "../evaluators/evaluator-registry.js";
import { deepFreeze } from "./canonical-json.js";
import { compilePolicy } from "./compile-policy.js";
import { type CompiledPolicy, isCompiledPolicy } from "./compiled-policy.js";
import type { RiskClassifier } from "./risk-classifier.js";
import { validatePolicy } from "./validate-policy.js";

/** Options of {@link loadPolicy}. */
export interface LoadPolicyOptions {
  /** Registry that evaluator types are checked against and bound from. Default: the shared default registry. */
  readonly evaluators?: EvaluatorRegistry | undefined;
  /** Replaces the classifier named in the policy file (`risk.classifier`). Not part of the policy id. */
  readonly riskClassifier?: RiskClassifier | undefined;
  /** Maximum condition-tree depth (root = 1). Default 8. */
  readonly maxConditionDepth?: number | undefined;
  /** Directory relative file paths are resolved against. Default: the current directory. */
  readonly baseDir?: string | undefined;
  /**
   * Limits on a policy given as an object or parsed from text (cycles, depth, serialized size). Default
   * `DEFAULT_JSON_LIMITS`; `createControlPlane` passes its `maxJsonDepth` / `maxJsonSize`.
   */
  readonly jsonLimits?: JsonLimits | undefined;
  /**
   * Longest string (UTF-16 code units) a `matches` condition leaf runs its regular expression on. Default
   * 65536. Longer text is never scanned: a risk rule reading it makes the risk `critical`, `autoApprove.when`
   * does not auto-approve. (The `regex` evaluator has its own `maxInputLength` config key.)
   */
  readonly maxMatchLength?: number | undefined;
}

/**
 * What {@link loadPolicy} accepts: a file path (a one-line string that is not a YAML/JSON mapping or list, i.e.
 * does not start with `{` or `[` and has no `key: value`); any other string is YAML/JSON text; a plain object (e.g. a persisted `policy.document`); or an already compiled policy (returned as is).
 */
export type PolicySource =
  | string
  | PolicyInput
  | PolicyDocument
  | Readonly<Record<string, unknown>>
  | CompiledPolicy;

/** A one-line string that is not a YAML/JSON mapping or list is a file path (any extension). */
const NOT_A_PATH = /^[{[]|:(\s|$)/;

function fail(issues: readonly ValidationIssue[]): never {
  throw new ValidationError(issues, "policy", "policy_invalid");
}

function parseText(text: string, origin: string): unknown {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    fail(
      doc.errors.map((e) => {
        const at = e.linePos?.[0];
        const where = at ? ` at line ${at.line}, column ${at.col}` : "";
        // The message itself may repeat the location ("... at line 3, column 1:"): print it once.
        const message = e.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "");
        return { path: "", message: `${origin}: syntax error${where}: ${message}` };
      }),
    );
  }
  try {
    return doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    if (!(error instanceof ReferenceError)) throw error;
    // The yaml package throws a ReferenceError for an alias bomb ("billion laughs") and for unresolved aliases.
    const bomb = /alias count/i.test(error.message);
    fail([
      {
        path: "",
        message: bomb
          ? `${origin}: too many YAML aliases (at most 100 expanded): ${error.message}`
          : `${origin}: ${error.message}`,
      },
    ]);
  }
}

function readPolicyFile(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") fail([{ path: "", message: `policy file not found: ${path}` }]);
    fail([{ path: "", message: `cannot read policy file ${path}: ${(error as Error).message}` }]);
  }
}

/**
 * Loads, validates and compiles a policy. The result is deep-frozen and reusable across sessions and threads of
 * control; its `id` is a content hash of the normalised document.
 * @throws ValidationError (code `policy_invalid`) listing every problem with its path, e.g.
 *   `actions.blocked[2]: expected a string, got a number`; nothing is partially loaded.
 * @example
 * const policy = loadPolicy("examples/policy.yaml");
 * const same = loadPolicy(policy.document); // same.id === policy.id
 */
export function loadPolicy(source: PolicySource, options?: LoadPolicyOptions): CompiledPolicy {
  if (isCompiledPolicy(source)) return source;
  const maxMatchLength = options?.maxMatchLength;
  if (maxMatchLength !== undefined && !isMatchLimit(maxMatchLength)) {
    throw new ValidationError(
      [{ path: "maxMatchLength", message: "expected a positive integer", received: maxMatchLength }],
      "loadPolicy options",
    );
  }
  let raw: unknown = source;
  if (typeof source === "string") {
    const trimmed = source.trim();
    if (trimmed !== "" && !trimmed.includes("\n") && !NOT_A_PATH.test(trimmed)) {
      const path = resolve(options?.baseDir ?? process.cwd(), trimmed);
      raw = parseText(readPolicyFile(path), path);
    } else {
      raw = parseText(source, "policy text");
    }
  }
  // Cycles, depth and size first (the schema would walk every path of a shared structure); value types are
  // left to the schema, which reports every problem at once.
  const shape = checkJsonValue(raw, "", options?.jsonLimits ?? DEFAULT_JSON_LIMITS, true);
  if (shape) fail([shape]);
  const registry = options?.evaluators ?? defaultEvaluatorRegistry();
  const result = validatePolicy(raw, registry, { maxConditionDepth: options?.maxConditionDepth });
  if (!result.ok) fail(result.issues);
  return compilePolicy(deepFreeze(structuredClone(result.document)), registry, options?.riskClassifier, {
    maxMatchLength,
  });
}

/**
 * Like {@link loadPolicy} for text received from outside (an HTTP body, stdin): the string is always parsed as
 * YAML/JSON text, never read as a file path, so a caller cannot make the server read its files.
 * @throws ValidationError (code `policy_invalid`) for a syntax error, a document that is not a mapping, or any
 *   problem {@link loadPolicy} reports.
 * @example
 * const policy = loadPolicyText("actions:\n  blocked: [drop_database]\n");
 */
export function loadPolicyText(text: string, options?: LoadPolicyOptions): CompiledPolicy {
  const raw = parseText(text, "policy text");
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    fail([{ path: "", message: "policy text: expected a mapping (an object) at the top level" }]);
  }
  return loadPolicy(raw as Readonly<Record<string, unknown>>, options);
}
