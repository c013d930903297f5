import {
  approveTicket,
  denyTicket,
  expireTicket,
  type TicketOutcome,
} from "../engines/approvals/approval-gate.js";
import { type ApprovalScopeInput, resolveApprovalScope } from "../engines/approvals/approval-scope.js";
import { ControlPlaneError, NotFoundError } from "../errors/control-plane-error.js";
import { ValidationError } from "../errors/validation-error.js";
import type { TicketStatus } from "../types/ticket.js";
import type { Runtime } from "./runtime.js";
import { requireId } from "./session-api.js";
import { type TicketView, ticketView } from "./views.js";

/** Input of `approve`. `decidedBy` should come from the authenticated principal, not from the agent. */
export interface ApproveInput {
  readonly decidedBy: string;
  readonly reason?: string;
  readonly scope?: ApprovalScopeInput;
  readonly idempotencyKey?: string;
}

/** Input of `deny`. */
export interface DenyInput {
  readonly decidedBy: string;
  readonly reason?: string;
  readonly idempotencyKey?: string;
}

/** What `waitForDecision` resolves with. `timedOut` is true when the ticket is still pending. */
export interface WaitResult {
  readonly status: TicketStatus;
  readonly ticket: TicketView;
  readonly timedOut: boolean;
}

/**
 * Decides a pending ticket (at most once). A ticket past its deadline is expired instead, and the call throws
 * `already_decided` with status `expired` after recording the expiry.
 */
export async function decide(
  rt: Runtime,
  ticketId: string,
  verdict: "approve" | "deny",
  input: ApproveInput | DenyInput,
): Promise<TicketView> {
  requireId(ticketId, "ticketId");
  if (input === null || typeof input !== "object")
    throw new ValidationError([{ path: "(root)", message: "expected an object" }]);
  requireId(input.decidedBy, "decidedBy");
  if (input.reason !== undefined && typeof input.reason !== "string") {
    throw new ValidationError([{ path: "reason", message: "expected a string" }]);
  }
  const scopeInput = verdict === "approve" ? (input as ApproveInput).scope : undefined;
  const outcome: TicketOutcome = await rt.mutate(verdict, input.idempotencyKey, async (tx, now) => {
    if (verdict === "deny")
      return denyTicket(tx, ticketId, { decidedBy: input.decidedBy, reason: input.reason ?? null }, now);
    const ticket = await tx.tickets.get(ticketId);
    const proposal = ticket && (await tx.proposals.get(ticket.proposalId));
    if (!ticket || !proposal) throw new NotFoundError("ticket", ticketId);
    const scope = resolveApprovalScope(scopeInput, proposal, now);
    return approveTicket(
      tx,
      ticketId,
      { decidedBy: input.decidedBy, reason: input.reason ?? null, scope },
      now,
      now + rt.lockTtlMs,
    );
  });
  if (outcome.ticket.status === "expired") {
    throw new ControlPlaneError("already_decided", `ticket ${JSON.stringify(ticketId)} is already expired`, {
      details: { ticketId, status: "expired" },
    });
  }
  return ticketView(outcome.ticket);
}

/** Reads a ticket. @throws NotFoundError */
export async function getTicket(rt: Runtime, ticketId: string): Promise<TicketView> {
  requireId(ticketId, "ticketId");
  const ticket = await rt.storage.read((tx) => tx.tickets.get(ticketId));
  if (!ticket) throw new NotFoundError("ticket", ticketId);
  return ticketView(ticket);
}

/**
 * Expires every pending ticket whose deadline has passed (each exactly once, even with several callers).
 * Returns how many this call expired.
 */
export async function expireDueTickets(rt: Runtime, batch = 100): Promise<number> {
  let total = 0;
  for (;;) {
    const n = await rt.storage.transaction(async (tx) => {
      const now = rt.clock.now();
      let expired = 0;
      for (const due of await tx.tickets.listDue(now, batch)) {
        const { ticket } = await expireTicket(tx, due.id, now);
        if (ticket.status === "expired" && ticket.decidedAt === now) expired++;
      }
      return expired;
    });
    total += n;
    if (n < batch) return total;
  }
}

/**
 * Waits until a ticket is decided, expired, or `timeoutMs` passes. Wakes on change notices from any process
 * sharing the storage, and polls as a fallback. A ticket past its deadline is expired on the spot.
 */
export async function waitForDecision(
  rt: Runtime,
  ticketId: string,
  options: { readonly timeoutMs: number; readonly signal?: AbortSignal },
): Promise<WaitResult> {
  requireId(ticketId, "ticketId");
  if (typeof options?.timeoutMs !== "number" || !(options.timeoutMs >= 0)) {
    throw new ValidationError([
      { path: "timeoutMs", message: "expected a non-negative number", received: options?.timeoutMs },
    ]);
  }
  const check = async (): Promise<WaitResult | undefined> => {
    const ticket = await rt.storage.read((tx) => tx.tickets.get(ticketId));
    if (!ticket) throw new NotFoundError("ticket", ticketId);
    if (ticket.status !== "pending")
      return { status: ticket.status, ticket: ticketView(ticket), timedOut: false };
    if (ticket.deadlineAt <= rt.clock.now()) {
      const { ticket: t } = await rt.storage.transaction((tx) => expireTicket(tx, ticketId, rt.clock.now()));
      return { status: t.status, ticket: ticketView(t), timedOut: false };
    }
    return undefined;
  };
  const first = await check();
  if (first) return first;
  return new Promise<WaitResult>((resolve, reject) => {
    let done = false;
    let checking = false;
    let again = false;
    const finish = (fn: () => void) => {
      if (done) return;
      done = true;
      clearInterval(poll);
      clearTimeout(timer);
      options.signal?.removeEventListener("abort", onAbort);
      void unsubscribe.then((stop) => stop());
      fn();
    };
    const recheck = () => {
      if (done) return;
      if (checking) {
        again = true;
        return;
      }
      checking = true;
      check().then(
        (r) => {
          checking = false;
          if (r) finish(() => resolve(r));
          else if (again) {
            again = false;
            recheck();
          }
        },
        (error) => finish(() => reject(error)),
      );
    };
    const onAbort = () =>
      finish(() =>
        reject(
          new ControlPlaneError("aborted", "waitForDecision was aborted", { cause: options.signal?.reason }),
        ),
      );
    const unsubscribe = rt.storage.subscribe((change) => {
      if (change.topic === "ticket" && change.id === ticketId) recheck();
    });
    const poll = setInterval(recheck, rt.pollIntervalMs);
    const timer = setTimeout(() => {
      check()
        .then(async (r) => {
          if (r) return finish(() => resolve(r));
          const ticket = await rt.storage.read((tx) => tx.tickets.get(ticketId));
          if (!ticket) throw new NotFoundError("ticket", ticketId);
          finish(() => resolve({ status: ticket.status, ticket: ticketView(ticket), timedOut: true }));
        })
        .catch((error: unknown) => finish(() => reject(error)));
    }, options.timeoutMs);
    if (options.signal?.aborted) onAbort();
    else options.signal?.addEventListener("abort", onAbort, { once: true });
  });
}
