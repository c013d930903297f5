import type { ConditionNode, ConditionScalar, FieldCondition, RiskOperator } from "../../types/condition.js";
import type { JsonObject } from "../../types/json.js";
import type { Proposal } from "../../types/proposal.js";
import { RISK_RANK, type RiskLevel } from "../../types/risk.js";
import type { Evaluator } from "../evaluators/evaluator.js";
import type { EvaluatorRegistry } from "../evaluators/evaluator-registry.js";
import { runEvaluator } from "../evaluators/run-evaluators.js";
import { compileFieldPath, type FieldGetter } from "./field-path.js";
import { compileGlobs } from "./glob.js";
import { compileSafeRegex, DEFAULT_MAX_MATCH_LENGTH, MatchInputTooLongError } from "./safe-regex.js";

/** What a compiled condition reads besides the proposal. */
export interface ConditionRuntime {
  /** The proposal's risk level (read by `risk` leaves). */
  readonly risk: RiskLevel;
  /** Passed to evaluator leaves; aborting it makes them evaluate to false. */
  readonly signal?: AbortSignal | undefined;
  /** When set, evaluator leaves look their type up here instead of using the evaluator bound at load. */
  readonly evaluators?: EvaluatorRegistry | undefined;
}

/** A compiled condition: synchronous unless the tree contains evaluator leaves. */
export type ConditionFn = (proposal: Proposal, runtime: ConditionRuntime) => boolean | Promise<boolean>;

/** A compiled tree plus whether it can return a Promise. */
export interface CompiledCondition {
  readonly evaluate: ConditionFn;
  readonly async: boolean;
}

/** An evaluator leaf resolved at load: which evaluator, under which name, with which (frozen) config. */
export interface EvaluatorBinding {
  readonly name: string;
  readonly type: string;
  readonly config: JsonObject;
  readonly timeoutMs: number;
  readonly evaluator: Evaluator;
}

/** Resolves an `evaluator` leaf (by its `evaluator` and `config`) to a binding; validation made sure it exists. */
export type EvaluatorResolver = (name: string, config: JsonObject | undefined) => EvaluatorBinding;

type Fn = ConditionFn;
type SyncFn = (proposal: Proposal, runtime: ConditionRuntime) => boolean;

const RISK_COMPARE: Readonly<Record<RiskOperator, (a: number, b: number) => boolean>> = {
  eq: (a, b) => a === b,
  ne: (a, b) => a !== b,
  lt: (a, b) => a < b,
  le: (a, b) => a <= b,
  gt: (a, b) => a > b,
  ge: (a, b) => a >= b,
};

function ordered(get: FieldGetter, op: "lt" | "le" | "gt" | "ge", value: number | string): SyncFn {
  const t = typeof value;
  switch (op) {
    case "lt":
      return (p) => {
        const v = get(p);
        return typeof v === t && (v as number) < (value as number);
      };
    case "le":
      return (p) => {
        const v = get(p);
        return typeof v === t && (v as number) <= (value as number);
      };
    case "gt":
      return (p) => {
        const v = get(p);
        return typeof v === t && (v as number) > (value as number);
      };
    case "ge":
      return (p) => {
        const v = get(p);
        return typeof v === t && (v as number) >= (value as number);
      };
  }
}

/** Options of {@link compileCondition}. */
export interface CompileConditionOptions {
  /**
   * Longest string a `matches` leaf runs its regular expression on (default {@link DEFAULT_MAX_MATCH_LENGTH});
   * a longer one makes the leaf throw {@link MatchInputTooLongError} (never a scan, never a silent false).
   */
  readonly maxMatchLength?: number | undefined;
}

function compileField(node: FieldCondition, options: CompileConditionOptions | undefined): SyncFn {
  const get = compileFieldPath(node.field);
  if (typeof get === "string") throw new Error(get);
  const value = node.value as ConditionScalar;
  switch (node.op) {
    case "eq":
      return (p) => get(p) === value;
    case "ne":
      return (p) => get(p) !== value;
    case "lt":
    case "le":
    case "gt":
    case "ge":
      return ordered(get, node.op, value as number | string);
    case "in":
    case "not_in": {
      const set = new Set<unknown>(node.value as readonly ConditionScalar[]);
      return node.op === "in" ? (p) => set.has(get(p)) : (p) => !set.has(get(p));
    }
    case "contains":
      return (p) => {
        const v = get(p);
        if (typeof v === "string") return typeof value === "string" && v.includes(value);
        return Array.isArray(v) && v.includes(value);
      };
    case "matches": {
      const re = compileSafeRegex(value as string);
      if (typeof re === "string") throw new Error(re);
      const limit = options?.maxMatchLength ?? DEFAULT_MAX_MATCH_LENGTH;
      const field = node.field;
      return (p) => {
        const v = get(p);
        if (typeof v !== "string") return false;
        if (v.length > limit) throw new MatchInputTooLongError(field, limit);
        return re.test(v);
      };
    }
    case "exists": {
      const want = value !== false;
      return (p) => {
        const v = get(p);
        return (v !== undefined && v !== null) === want;
      };
    }
  }
}

/** Evaluates children in order, stopping at the first result equal to `stopOn`; async-aware. */
function sequence(fns: readonly Fn[], stopOn: boolean): Fn {
  const from = (i: number, p: Proposal, rt: ConditionRuntime): boolean | Promise<boolean> => {
    for (let j = i; j < fns.length; j++) {
      const r = fns[j]!(p, rt);
      if (typeof r !== "boolean") return r.then((v) => (v === stopOn ? stopOn : from(j + 1, p, rt)));
      if (r === stopOn) return stopOn;
    }
    return !stopOn;
  };
  return (p, rt) => from(0, p, rt);
}

function syncSequence(fns: readonly SyncFn[], stopOn: boolean): SyncFn {
  if (fns.length === 0) return () => !stopOn;
  if (fns.length === 1) return fns[0]!;
  if (fns.length === 2) {
    const [a, b] = fns as [SyncFn, SyncFn];
    return stopOn ? (p, rt) => a(p, rt) || b(p, rt) : (p, rt) => a(p, rt) && b(p, rt);
  }
  return (p, rt) => {
    for (let i = 0; i < fns.length; i++) if (fns[i]!(p, rt) === stopOn) return stopOn;
    return !stopOn;
  };
}

function evaluatorLeaf(binding: EvaluatorBinding): Fn {
  return (p, rt) => {
    const evaluator = rt.evaluators ? rt.evaluators.get(binding.type) : binding.evaluator;
    if (!evaluator) return false;
    const task = {
      name: binding.name,
      type: binding.type,
      timeoutMs: binding.timeoutMs,
      run: (signal: AbortSignal) =>
        evaluator.evaluate(p, { config: binding.config, signal, name: binding.name }),
    };
    return runEvaluator(task, rt.signal).then((r) => r.allow);
  };
}

/**
 * Compiles a validated condition tree (see `validateCondition`) into a closure, once. `all` / `any` short-circuit
 * (empty `all` is true, empty `any` is false). The closure returns a boolean synchronously unless the tree contains
 * evaluator leaves; an evaluator leaf is true when the evaluator allows (error, timeout or abort → false). A
 * `matches` leaf on a string longer than `options.maxMatchLength` throws {@link MatchInputTooLongError} (the
 * caller fails closed).
 * @example
 * const c = compileCondition({ field: "args.amount", op: "le", value: 100 }, resolve);
 * c.evaluate(proposal, { risk: "low" }) // true or false
 */
export function compileCondition(
  node: ConditionNode,
  resolve: EvaluatorResolver,
  options?: CompileConditionOptions,
): CompiledCondition {
  if ("all" in node || "any" in node) {
    const children = ("all" in node ? node.all : node.any).map((c) => compileCondition(c, resolve, options));
    const stopOn = "any" in node;
    if (children.some((c) => c.async))
      return {
        evaluate: sequence(
          children.map((c) => c.evaluate),
          stopOn,
        ),
        async: true,
      };
    return {
      evaluate: syncSequence(
        children.map((c) => c.evaluate as SyncFn),
        stopOn,
      ),
      async: false,
    };
  }
  if ("not" in node) {
    const inner = compileCondition(node.not, resolve, options);
    const f = inner.evaluate;
    if (!inner.async) return { evaluate: (p, rt) => !(f as SyncFn)(p, rt), async: false };
    return {
      evaluate: (p, rt) => {
        const r = f(p, rt);
        return typeof r === "boolean" ? !r : r.then((v) => !v);
      },
      async: true,
    };
  }
  if ("risk" in node) {
    const rank = RISK_RANK[node.risk];
    const cmp = RISK_COMPARE[node.op];
    return { evaluate: (_p, rt) => cmp(RISK_RANK[rt.risk], rank), async: false };
  }
  if ("actions" in node) {
    const set: ReadonlySet<string> = new Set(node.actions);
    return {
      evaluate: node.mode === "in" ? (p) => set.has(p.action) : (p) => !set.has(p.action),
      async: false,
    };
  }
  if ("resource" in node) {
    const glob = compileGlobs(typeof node.resource === "string" ? [node.resource] : node.resource);
    return { evaluate: (p) => p.resourceId !== null && glob(p.resourceId), async: false };
  }
  if ("field" in node) return { evaluate: compileField(node, options), async: false };
  return { evaluate: evaluatorLeaf(resolve(node.evaluator, node.config)), async: true };
}
