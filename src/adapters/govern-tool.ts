import type { ControlPlane } from "../control-plane/control-plane.js";
import type { GovernedExecution, GovernedTool, ToolMapping } from "./govern-types.js";

/**
 * Governs a tool: every call is proposed to the control plane, waits for an approval up to
 * `mapping.approvalWaitMs` (or returns `pending_approval` with the ticket), executes only when allowed with a
 * lease heartbeat and an `AbortSignal` that fires when a kill switch covers it, and completes with the outcome,
 * the actual cost and the error. (Skeleton: implementation lands next.)
 */
export function governTool<A, R>(
  cp: ControlPlane,
  tool: (args: A, execution: GovernedExecution) => R | Promise<R>,
  mapping: ToolMapping<A>,
): GovernedTool<A, R> {
  void cp;
  void tool;
  void mapping;
  throw new Error("governTool: not implemented yet");
}
