export { type AgentInput, parseAgentInput, recordDelegation, registerAgent } from "./agent-registry.js";
export { intersectCapabilities, type SessionAuthority, sessionAuthority } from "./session-authority.js";
