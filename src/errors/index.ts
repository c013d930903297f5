export {
  ControlPlaneError,
  ERROR_CODES,
  type ErrorCode,
  HTTP_STATUS_BY_CODE,
  InvalidTransitionError,
  NotFoundError,
  StorageError,
} from "./control-plane-error.js";
export { ValidationError, type ValidationIssue } from "./validation-error.js";
