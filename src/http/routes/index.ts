import type { HttpDeps, HttpRouter } from "../context.js";
import { registerAgentRoutes } from "./agents.js";
import { registerAuditCheckpointRoutes } from "./audit-checkpoint.js";
import { registerAuditVerifyRoutes } from "./audit-verify.js";
import { registerEventContractRoutes } from "./events-contract.js";
import { registerEventStreamRoutes } from "./events-stream.js";
import { registerHealthContractRoutes } from "./health-contract.js";
import { registerKillContractRoutes } from "./kill-contract.js";
import { registerKillResumeRoutes } from "./kill-resume.js";
import { registerPolicyRoutes } from "./policies.js";
import { registerProbeRoutes } from "./probes.js";
import { registerProposalRoutes } from "./proposals.js";
import { registerSessionContractRoutes } from "./sessions-contract.js";
import { registerSessionWriteRoutes } from "./sessions-write.js";
import { registerTicketWaitRoutes } from "./ticket-wait.js";
import { registerTicketContractRoutes } from "./tickets-contract.js";
import { registerTokenBudgetRoutes } from "./token-budgets.js";
import { registerTokenSettleRoutes } from "./token-settle.js";
import { registerTokenRoutes } from "./tokens.js";

/** Registers every `/v1` route (each group in its own file). */
export function registerRoutes(app: HttpRouter, deps: HttpDeps): void {
  registerSessionContractRoutes(app, deps);
  registerSessionWriteRoutes(app, deps);
  registerProposalRoutes(app, deps);
  registerTicketWaitRoutes(app, deps);
  registerKillResumeRoutes(app, deps);
  registerAgentRoutes(app, deps);
  registerEventStreamRoutes(app, deps);
  registerPolicyRoutes(app, deps);
  registerProbeRoutes(app, deps);
  registerTokenRoutes(app, deps);
  registerTicketContractRoutes(app, deps);
  registerEventContractRoutes(app, deps);
  registerHealthContractRoutes(app, deps);
  registerKillContractRoutes(app, deps);
  registerTokenBudgetRoutes(app, deps);
  registerAuditCheckpointRoutes(app, deps);
  registerTokenSettleRoutes(app, deps);
  registerAuditVerifyRoutes(app, deps);
}
