export {
  type CompileConditionOptions,
  type CompiledCondition,
  type ConditionFn,
  type ConditionRuntime,
  compileCondition,
  type EvaluatorBinding,
  type EvaluatorResolver,
} from "./compile-condition.js";
export { compileFieldPath, FIELD_ROOTS, type FieldGetter } from "./field-path.js";
export { compileGlobs } from "./glob.js";
export { formatPath, type PathSegment } from "./issue-path.js";
export {
  compileSafeRegex,
  DEFAULT_MAX_MATCH_LENGTH,
  MatchInputTooLongError,
  type SafeRegex,
} from "./safe-regex.js";
export {
  type ConditionValidation,
  type ConditionValidationOptions,
  type EvaluatorReference,
  validateCondition,
} from "./validate-condition.js";
