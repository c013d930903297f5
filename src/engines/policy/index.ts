export { canonicalJson, deepFreeze, policyId } from "./canonical-json.js";
export {
  type ActionListKind,
  type CompiledPolicy,
  isCompiledPolicy,
  type PolicyInternals,
} from "./compiled-policy.js";
export { classifyRisk, type EvaluatePolicyOptions, evaluatePolicy } from "./evaluate-policy.js";
export { type LoadPolicyOptions, loadPolicy, loadPolicyText, type PolicySource } from "./load-policy.js";
export { policyJsonSchema } from "./policy-json-schema.js";
export type { RiskClassifier } from "./risk-classifier.js";
export { type PolicyValidation, validatePolicy } from "./validate-policy.js";
