export { type AgentInput, parseAgentInput, recordDelegation, registerAgent } from "./agent-registry.js";
