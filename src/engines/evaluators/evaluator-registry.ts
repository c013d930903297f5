import { ControlPlaneError } from "../../errors/control-plane-error.js";
import { ValidationError } from "../../errors/validation-error.js";
import { type Evaluator, isEvaluator } from "./evaluator.js";
import { listEvaluator } from "./list-evaluator.js";
import { regexEvaluator } from "./regex-evaluator.js";

/** Evaluators by type. Registration is explicit; a duplicate type is an error (never a silent override). */
export interface EvaluatorRegistry {
  /** Adds an evaluator. @throws ControlPlaneError `conflict` when the type is already registered. */
  register(evaluator: Evaluator): this;
  get(type: string): Evaluator | undefined;
  has(type: string): boolean;
  /** Registered types, in registration order. */
  types(): readonly string[];
}

class MapEvaluatorRegistry implements EvaluatorRegistry {
  readonly #byType = new Map<string, Evaluator>();

  register(evaluator: Evaluator): this {
    if (!isEvaluator(evaluator)) {
      throw new ValidationError(
        [
          {
            path: "evaluator",
            message: "expected an object with a non-empty string `type` and an `evaluate` function",
          },
        ],
        "evaluator",
      );
    }
    if (this.#byType.has(evaluator.type)) {
      throw new ControlPlaneError("conflict", `evaluator type "${evaluator.type}" is already registered`, {
        details: { type: evaluator.type },
      });
    }
    this.#byType.set(evaluator.type, evaluator);
    return this;
  }

  get(type: string): Evaluator | undefined {
    return this.#byType.get(type);
  }

  has(type: string): boolean {
    return this.#byType.has(type);
  }

  types(): readonly string[] {
    return [...this.#byType.keys()];
  }
}

/** The built-in evaluators: `regex` and `list`. */
export const BUILTIN_EVALUATORS: readonly Evaluator[] = Object.freeze([regexEvaluator, listEvaluator]);

/**
 * Creates a registry pre-loaded with the built-in evaluators (`regex`, `list`), unless `builtins: false`.
 * @example
 * const registry = createEvaluatorRegistry().register(myEvaluator);
 * const policy = loadPolicy("policy.yaml", { evaluators: registry });
 */
export function createEvaluatorRegistry(options?: { readonly builtins?: boolean }): EvaluatorRegistry {
  const registry = new MapEvaluatorRegistry();
  if (options?.builtins !== false) for (const e of BUILTIN_EVALUATORS) registry.register(e);
  return registry;
}

let shared: EvaluatorRegistry | undefined;

/** The process-wide default registry (built-ins only unless a host registers more), used when none is passed. */
export function defaultEvaluatorRegistry(): EvaluatorRegistry {
  shared ??= createEvaluatorRegistry();
  return shared;
}
