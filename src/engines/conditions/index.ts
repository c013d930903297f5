export {
  type CompiledCondition,
  type ConditionFn,
  type ConditionRuntime,
  compileCondition,
  type EvaluatorBinding,
  type EvaluatorResolver,
} from "./compile-condition.js";
export { compileFieldPath, FIELD_ROOTS, type FieldGetter } from "./field-path.js";
export { globsToRegExp } from "./glob.js";
export { formatPath, type PathSegment } from "./issue-path.js";
export {
  type ConditionValidation,
  type ConditionValidationOptions,
  type EvaluatorReference,
  validateCondition,
} from "./validate-condition.js";
