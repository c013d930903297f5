export { checkKnownKeys, checkStringList, fieldText } from "./config-checks.js";
export { type Evaluator, type EvaluatorContext, type EvaluatorResult, isEvaluator } from "./evaluator.js";
export {
  BUILTIN_EVALUATORS,
  createEvaluatorRegistry,
  defaultEvaluatorRegistry,
  type EvaluatorRegistry,
} from "./evaluator-registry.js";
export { listEvaluator } from "./list-evaluator.js";
export { loadEvaluatorPlugins } from "./load-evaluator-plugins.js";
export { regexEvaluator } from "./regex-evaluator.js";
export {
  DEFAULT_EVALUATOR_CONCURRENCY,
  DEFAULT_EVALUATOR_TIMEOUT_MS,
  type EvaluatorRunResult,
  type EvaluatorStatus,
  type EvaluatorTask,
  type ParallelEvaluation,
  runEvaluator,
  runEvaluators,
} from "./run-evaluators.js";
