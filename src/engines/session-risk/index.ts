export {
  assessSessionRisk,
  matchesPattern,
  riskHistoryLength,
  type SessionRiskAssessment,
  sessionRiskTrace,
} from "./assess-session-risk.js";
export { accumulateSessionRisk, readSessionRisk, type SessionRiskInput } from "./session-risk-service.js";
