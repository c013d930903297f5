export {
  allowedModels,
  checkModelAccess,
  classifyModelTier,
  type ModelAccessResult,
  type ModelCaller,
} from "./model-governor.js";
