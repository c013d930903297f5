export { parseProposal } from "./parse-proposal.js";
export { AGENT_POLICIES, type AgentPolicy, type RouteContext, routeProposal } from "./route-proposal.js";
