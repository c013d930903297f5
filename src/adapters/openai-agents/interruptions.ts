import type { RunContext, RunToolApprovalItem } from "@openai/agents";
import { ControlPlaneError } from "../../errors/control-plane-error.js";
import { ValidationError } from "../../errors/validation-error.js";
import { normalizeAction } from "../../types/proposal.js";
import type { TicketStatus } from "../../types/ticket.js";
import { CALL_ID_METADATA_KEY } from "../govern-mapping.js";
import { governanceOf, type ToolGovernance } from "./tool-governance.js";

/** The part of a `RunState` the helpers use: its interruptions, their approval, and the run's context. */
export interface ResumableState {
  getInterruptions(): RunToolApprovalItem[];
  approve(item: RunToolApprovalItem): void;
  reject(item: RunToolApprovalItem, options?: { message?: string }): void;
  readonly _context: RunContext<unknown>;
}

/** What a run that stopped at an interruption hands over: its state and results (a `RunResult` fits). */
export interface InterruptedRun {
  readonly interruptions: readonly RunToolApprovalItem[];
  readonly state: ResumableState;
}

/**
 * One governed call waiting for an operator: the interruption item and the control plane's ticket. Persist
 * `{ callId, ticketId }` next to `state.toString()`: {@link resolveInterruptions} needs them, in any process.
 */
export interface ApprovalRequest {
  readonly item: RunToolApprovalItem;
  readonly toolName: string;
  readonly callId: string;
  readonly ticketId: string;
  /** The ticket's status when read (an operator may have decided already: resolve it the same way). */
  readonly ticketStatus: TicketStatus;
  /** What waits for whom. */
  readonly message: string;
}

/** How one interruption was resolved by {@link resolveInterruptions}. */
export interface InterruptionResolution {
  readonly item: RunToolApprovalItem;
  readonly toolName: string;
  readonly callId: string;
  /**
   * `approved` / `rejected`: the item was approved or rejected in the `RunState` as the ticket says; `pending`:
   * nobody decided yet (the item is left alone); `ungoverned`: not a governed tool, left to the host.
   */
  readonly status: "approved" | "rejected" | "pending" | "ungoverned";
  readonly ticketId?: string;
}

/** A ticket id per call id: a record, or the requests returned by {@link approvalRequests}. */
export type TicketsByCall =
  | Readonly<Record<string, string>>
  | readonly { readonly callId: string; readonly ticketId: string }[];

interface GovernedItem {
  readonly item: RunToolApprovalItem;
  readonly governance: ToolGovernance | undefined;
  readonly toolName: string;
  readonly callId: string;
}

function governedItems(items: readonly RunToolApprovalItem[]): GovernedItem[] {
  return items.map((item) => {
    const raw = item.rawItem as { callId?: unknown; id?: unknown };
    const callId = typeof raw.callId === "string" ? raw.callId : String(raw.id ?? "");
    const toolName = item.name ?? "";
    const tool = raw.callId === undefined ? undefined : item.agent.tools.find((t) => t.name === toolName);
    return { item, governance: governanceOf(tool), toolName, callId };
  });
}

function contextOf(state: ResumableState): RunContext<unknown> {
  return state._context;
}

/**
 * The governed approval requests of an interrupted run, each with its control-plane ticket (remembered from
 * `needsApproval`, else read from the control plane's record of the call: nothing is proposed). Interruptions
 * of tools that `governedTool` did not make are left out (the host decides those).
 * @throws ControlPlaneError `conflict` when the control plane holds no ticket for a governed call.
 * @example
 * const result = await run(agent, "refund order 42", { context: { sessionId } });
 * const requests = await approvalRequests(result);
 * save({ state: result.state.toString(), tickets: requests.map(({ callId, ticketId }) => ({ callId, ticketId })) });
 */
export async function approvalRequests(run: InterruptedRun): Promise<ApprovalRequest[]> {
  const requests: ApprovalRequest[] = [];
  for (const { item, governance, toolName, callId } of governedItems(run.interruptions)) {
    if (governance === undefined) continue;
    const known =
      governance.tickets.get(callId) ?? (await recordedTicket(governance, run.state, item, callId));
    if (known === undefined) {
      throw new ControlPlaneError("conflict", `call ${callId} of ${toolName} has no approval ticket`);
    }
    const ticket = await governance.cp.getTicket(known);
    const message = `${toolName} needs an operator's approval (${ticket.request.reason}); ticket ${ticket.id} is ${ticket.status}.`;
    requests.push({ item, toolName, callId, ticketId: ticket.id, ticketStatus: ticket.status, message });
  }
  return requests;
}

/** Proposals read per page while looking for a call's proposal. */
const PAGE = 200;

/**
 * The ticket of a governed call as the control plane recorded it: the newest proposal of the call's session
 * whose metadata carries the call id (governTool puts it there), read page by page (no limit on the session's
 * size). Reading only: nothing is proposed or claimed.
 */
async function recordedTicket(
  governance: ToolGovernance,
  state: ResumableState,
  item: RunToolApprovalItem,
  callId: string,
): Promise<string | undefined> {
  const call = governance.call(contextOf(state), callId);
  const sessionId = await governance.session(governance.parseArgs(item.arguments ?? ""), call);
  if (sessionId === undefined) return undefined;
  for (let offset = 0; ; offset += PAGE) {
    const page = await governance.cp.listProposals({ sessionId, limit: PAGE, offset });
    const found = page.find((p) => p.metadata[CALL_ID_METADATA_KEY] === callId && p.ticketId !== null);
    if (found) return found.ticketId ?? undefined;
    if (page.length < PAGE) return undefined;
  }
}

function ticketMap(tickets: TicketsByCall): ReadonlyMap<string, string> {
  if (Array.isArray(tickets)) return new Map(tickets.map((t) => [t.callId, t.ticketId]));
  return new Map(Object.entries(tickets as Readonly<Record<string, string>>));
}

/**
 * Resolves a run state's interruptions from the control plane, never from the model or the message history:
 * each governed call is approved in the `RunState` when its ticket is approved, rejected (with the decision's
 * reason as the text the model reads) when it is denied or expired, and left pending otherwise. Works on a
 * state deserialized in another process (`RunState.fromString(agent, saved)`): resume with
 * `run(agent, state)`. The tool then runs once, after its guardrail claimed the approved proposal (kill switch
 * and budget checked at that moment).
 * `tickets` (from {@link approvalRequests}) name each call's ticket; a call missing there is looked up in the
 * control plane's record of the call (its proposal carries the call id).
 * @throws ValidationError naming `tickets.<callId>` when a governed call has no ticket, or a ticket of another
 * session or action; NotFoundError for an unknown ticket.
 * @example
 * const state = await RunState.fromString(agent, saved.state);
 * const resolved = await resolveInterruptions(state, saved.tickets);
 * if (resolved.every((r) => r.status !== "pending")) await run(agent, state);
 */
export async function resolveInterruptions(
  state: ResumableState,
  tickets: TicketsByCall = {},
): Promise<InterruptionResolution[]> {
  const byCall = ticketMap(tickets);
  const resolutions: InterruptionResolution[] = [];
  const rejections = new Map<RunToolApprovalItem, string>();
  for (const { item, governance, toolName, callId } of governedItems(state.getInterruptions())) {
    if (governance === undefined) {
      resolutions.push({ item, toolName, callId, status: "ungoverned" });
      continue;
    }
    const path = `tickets.${callId}`;
    const ticketId = byCall.get(callId) ?? (await recordedTicket(governance, state, item, callId));
    if (ticketId === undefined) {
      throw new ValidationError(
        [{ path, message: `no ticket for the governed call of ${toolName}` }],
        "tickets",
      );
    }
    const ticket = await governance.cp.getTicket(ticketId);
    const call = governance.call(contextOf(state), callId);
    const sessionId = await governance.session(governance.parseArgs(item.arguments ?? ""), call);
    const action = normalizeAction(governance.action(governance.parseArgs(item.arguments ?? ""), call));
    if ((sessionId !== undefined && ticket.sessionId !== sessionId) || ticket.request.action !== action) {
      throw new ValidationError(
        [
          {
            path,
            message: `ticket ${ticketId} is for ${ticket.request.action} in another call, not ${action}`,
          },
        ],
        "tickets",
      );
    }
    if (ticket.status === "pending" || ticket.status === "approved") {
      resolutions.push({ item, toolName, callId, status: ticket.status, ticketId });
    } else {
      const why = ticket.reason ? `: ${ticket.reason}` : "";
      const message = `Refused by the control plane: ticket ${ticketId} was ${ticket.status}${why}. Do not retry this call.`;
      resolutions.push({ item, toolName, callId, status: "rejected", ticketId });
      rejections.set(item, message);
    }
  }
  // Every ticket was checked before the state changes: a bad ticket leaves the whole state as it was.
  for (const r of resolutions) {
    if (r.status === "approved") state.approve(r.item);
    const message = rejections.get(r.item);
    if (message !== undefined) state.reject(r.item, { message });
  }
  return resolutions;
}
