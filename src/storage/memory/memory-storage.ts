import { ControlPlaneError } from "../../errors/control-plane-error.js";
import type { ChangeNotice, Storage, StorageTx } from "../storage.js";
import { memoryAgents } from "./agents.js";
import { memoryApiTokens } from "./api-tokens.js";
import { memoryCheckpoints } from "./checkpoints.js";
import { memoryDecisionContext } from "./decision-context.js";
import { memoryEvents } from "./events.js";
import { memoryIdempotency } from "./idempotency.js";
import { memoryKillSwitches } from "./kill-switches.js";
import { memoryLeases } from "./leases.js";
import { MemoryState } from "./memory-state.js";
import { memoryOutbox } from "./outbox.js";
import { memoryPolicies } from "./policies.js";
import { memoryProposals } from "./proposals.js";
import { memorySessionRisk } from "./session-risk.js";
import { memorySessions } from "./sessions.js";
import { memoryTickets } from "./tickets.js";
import { memoryTokenBudgets } from "./token-budgets.js";
import { memoryToolPins } from "./tool-pins.js";

/**
 * Creates an in-process storage with the same semantics as the durable adapters (transactions roll back on
 * error; guarded primitives; gap-free sequences). Data lives only as long as the process. For tests and
 * ephemeral use.
 * @example
 * const cp = await createControlPlane({ storage: createMemoryStorage(), policy });
 */
export function createMemoryStorage(): Storage {
  const state = new MemoryState();
  const listeners = new Set<(change: ChangeNotice) => void>();
  let pending: ChangeNotice[] = [];
  const tx: StorageTx = {
    notify(change) {
      pending.push(change);
    },
    decisionContext: memoryDecisionContext(state),
    sessions: memorySessions(state),
    policies: memoryPolicies(state),
    agents: memoryAgents(state),
    proposals: memoryProposals(state),
    tickets: memoryTickets(state),
    leases: memoryLeases(state),
    killSwitches: memoryKillSwitches(state),
    events: memoryEvents(state),
    idempotency: memoryIdempotency(state),
    apiTokens: memoryApiTokens(state),
    outbox: memoryOutbox(state),
    toolPins: memoryToolPins(state),
    checkpoints: memoryCheckpoints(state),
    sessionRisk: memorySessionRisk(state),
    tokenBudgets: memoryTokenBudgets(state),
  };
  // Transactions run one at a time: a transaction's writes are invisible to others until it resolves.
  let tail: Promise<unknown> = Promise.resolve();
  let closed = false;

  const run = <T>(fn: (tx: StorageTx) => Promise<T>, write: boolean): Promise<T> => {
    if (closed) return Promise.reject(new ControlPlaneError("closed", "memory storage is closed"));
    const result = tail.then(async () => {
      if (!write) return fn(tx);
      const undo: (() => void)[] = [];
      state.undo = undo;
      pending = [];
      try {
        const value = await fn(tx);
        const sent = pending;
        pending = [];
        if (sent.length > 0 && listeners.size > 0) queueMicrotask(() => deliver(sent));
        return value;
      } catch (error) {
        for (let i = undo.length - 1; i >= 0; i--) undo[i]!();
        pending = [];
        throw error;
      } finally {
        state.undo = null;
      }
    });
    tail = result.catch(() => undefined);
    return result;
  };

  const deliver = (changes: readonly ChangeNotice[]) => {
    for (const change of changes) for (const listener of listeners) listener(change);
  };

  return {
    dialect: "memory",
    transaction: (fn, options) => {
      if (options?.external !== undefined) {
        return Promise.reject(
          new ControlPlaneError("validation_failed", "memory storage cannot join an external transaction"),
        );
      }
      return run(fn, true);
    },
    read: (fn) => run(fn, false),
    async subscribe(listener) {
      listeners.add(listener);
      return async () => {
        listeners.delete(listener);
      };
    },
    async close() {
      closed = true;
      listeners.clear();
    },
  };
}
