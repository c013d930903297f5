import { ControlPlaneError, NotFoundError } from "../errors/control-plane-error.js";
import { assertKnownKeys } from "../errors/unknown-keys.js";
import { ValidationError } from "../errors/validation-error.js";
import type { TicketStatus } from "../types/ticket.js";
import { settleIfDue } from "./approval-api.js";
import type { Runtime } from "./runtime.js";
import { requireId } from "./session-api.js";
import { type TicketView, ticketView } from "./views.js";

/** What `waitForDecision` resolves with. `timedOut` is true when the ticket is still pending. */
export interface WaitResult {
  readonly status: TicketStatus;
  readonly ticket: TicketView;
  readonly timedOut: boolean;
}

/**
 * Waits until a ticket is decided or expired, or `timeoutMs` passes. Wakes on change notices from any process
 * sharing the storage, and polls as a fallback. A ticket past its deadline is settled on the spot (escalated
 * tickets keep waiting).
 * @throws NotFoundError for an unknown ticket; ControlPlaneError `aborted` when `signal` aborts.
 */
export async function waitForDecision(
  rt: Runtime,
  ticketId: string,
  options: { readonly timeoutMs: number; readonly signal?: AbortSignal },
): Promise<WaitResult> {
  requireId(ticketId, "ticketId");
  assertKnownKeys(options, ["timeoutMs", "signal"], "", "wait options");
  if (typeof options?.timeoutMs !== "number" || !(options.timeoutMs >= 0)) {
    throw new ValidationError([
      { path: "timeoutMs", message: "expected a non-negative number", received: options?.timeoutMs },
    ]);
  }
  const check = async (timedOut: boolean): Promise<WaitResult | undefined> => {
    let ticket = await rt.storage.read((tx) => tx.tickets.get(ticketId));
    if (!ticket) throw new NotFoundError("ticket", ticketId);
    if (ticket.status === "pending" && ticket.deadlineAt <= rt.clock.now()) {
      const due = ticket;
      ticket = (await rt.storage.transaction((tx) => settleIfDue(rt, tx, due, rt.clock.now()))).ticket;
    }
    if (ticket.status !== "pending" || timedOut) {
      return { status: ticket.status, ticket: ticketView(ticket), timedOut: ticket.status === "pending" };
    }
    return undefined;
  };
  const first = await check(options.timeoutMs === 0);
  if (first) return first;
  return new Promise<WaitResult>((resolve, reject) => {
    let done = false;
    let running: Promise<void> | undefined;
    let again = false;
    const finish = (settle: () => void) => {
      if (done) return;
      done = true;
      clearInterval(poll);
      clearTimeout(timer);
      options.signal?.removeEventListener("abort", onAbort);
      void unsubscribe.then((stop) => stop());
      settle();
    };
    const recheck = (timedOut = false) => {
      if (done) return;
      if (running && !timedOut) {
        again = true;
        return;
      }
      running = check(timedOut).then(
        (result) => {
          running = undefined;
          if (result) finish(() => resolve(result));
          else if (again) {
            again = false;
            recheck();
          }
        },
        (error: unknown) => finish(() => reject(error)),
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
    const poll = setInterval(() => recheck(), rt.pollIntervalMs);
    const timer = setTimeout(() => recheck(true), options.timeoutMs);
    if (options.signal?.aborted) onAbort();
    else options.signal?.addEventListener("abort", onAbort, { once: true });
  });
}
