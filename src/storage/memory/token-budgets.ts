import { ControlPlaneError } from "../../errors/control-plane-error.js";
import type {
  TokenBudgetConfigRecord,
  TokenHoldRecord,
  TokenIdentity,
  TokenWindowRecord,
} from "../../types/token-budget.js";
import type { TokenBudgetStore } from "../token-budget-store.js";
import { type MemoryState, readCopy, storedCopy } from "./memory-state.js";

/** Whether every field `filter` sets equals `identity`'s (the subset rule, and the ledger's exact match). */
function covers(filter: TokenIdentity, identity: TokenIdentity): boolean {
  return (
    (filter.userId === null || filter.userId === identity.userId) &&
    (filter.orgId === null || filter.orgId === identity.orgId) &&
    (filter.teamId === null || filter.teamId === identity.teamId)
  );
}

/** Memory implementation of {@link TokenBudgetStore} (transactions are serialised, so every guard holds). */
export function memoryTokenBudgets(s: MemoryState): TokenBudgetStore {
  const NO_STARTS: readonly number[] = [];
  /** Sums the rows of `configId` starting after `since`: every bucket row is at a multiple of its size. */
  const rolling = (configId: string, since: number) => {
    const out = { tokens: 0, costMicros: 0, reservedTokens: 0, reservedCostMicros: 0 };
    const windows = s.tokenWindows.get(configId);
    const starts = windows?.starts ?? NO_STARTS;
    for (let i = starts.length - 1; i >= 0 && starts[i]! > since; i--) {
      const row = windows!.rows.get(starts[i]!)!;
      out.tokens += row.usedTokens + row.reservedTokens;
      out.costMicros += row.usedCostMicros + row.reservedCostMicros;
      out.reservedTokens += row.reservedTokens;
      out.reservedCostMicros += row.reservedCostMicros;
    }
    return out;
  };
  const windowRow = (configId: string, start: number) => s.tokenWindows.get(configId)?.rows.get(start);
  const putWindow = (row: TokenWindowRecord) => {
    let windows = s.tokenWindows.get(row.configId);
    if (windows === undefined) {
      windows = { rows: new Map(), starts: [] };
      s.set(s.tokenWindows, row.configId, windows);
    }
    const { rows, starts } = windows;
    if (!rows.has(row.windowStart)) {
      // Rows are created at the current window, so starts stay ascending (a late row is inserted in order).
      const at = starts.findLastIndex((x) => x < row.windowStart) + 1;
      starts.splice(at, 0, row.windowStart);
      if (s.undo) s.undo.push(() => void starts.splice(at, 1));
    }
    // Every caller passes a fresh object without nested parts: stored as is (no copy).
    s.set(rows, row.windowStart, row);
  };
  const emptyWindow = (h: TokenHoldRecord): TokenWindowRecord => ({
    configId: h.configId,
    windowStart: h.windowStart,
    windowEnd: h.windowEnd,
    usedTokens: 0,
    usedCostMicros: 0,
    reservedTokens: 0,
    reservedCostMicros: 0,
  });
  // Stored holds are flat copies that are replaced, never mutated, and leave only as copies (no freezing: it is
  // what made a hold cost more than the rest of the decision).
  const setHold = (h: TokenHoldRecord) => {
    const holds = s.tokenHolds.get(h.reservationId);
    if (holds === undefined) {
      s.add(s.tokenHolds, h.reservationId, [{ ...h }]);
      return;
    }
    const next: TokenHoldRecord[] = [];
    for (const x of holds) if (x.configId !== h.configId) next.push(x);
    next.push({ ...h });
    s.set(s.tokenHolds, h.reservationId, next);
  };
  const currentHold = (h: TokenHoldRecord) =>
    s.tokenHolds.get(h.reservationId)?.find((x) => x.configId === h.configId);
  /**
   * The stored configs covering an identity, cached by identity (user, org, team) until a config is inserted:
   * every reservation looks them up, and a scan of all configs was most of its cost.
   */
  const matches = new Map<string | null, Map<string | null, Map<string | null, TokenBudgetConfigRecord[]>>>();
  const matchingConfigs = (identity: TokenIdentity): readonly TokenBudgetConfigRecord[] => {
    let byOrg = matches.get(identity.userId);
    if (byOrg === undefined) {
      byOrg = new Map();
      matches.set(identity.userId, byOrg);
    }
    let byTeam = byOrg.get(identity.orgId);
    if (byTeam === undefined) {
      byTeam = new Map();
      byOrg.set(identity.orgId, byTeam);
    }
    let found = byTeam.get(identity.teamId);
    if (found === undefined) {
      found = [...s.tokenConfigs.values()].filter((c) => covers(c.identity, identity));
      byTeam.set(identity.teamId, found);
    }
    return found;
  };
  return {
    async insertConfig(config) {
      s.assertWritable();
      if (s.tokenConfigs.has(config.id)) {
        throw new ControlPlaneError("conflict", `token budget ${config.id} already exists`);
      }
      s.put(s.tokenConfigs, config.id, config);
      // The matching configs change: forget them now, and again if this transaction rolls back.
      matches.clear();
      s.undo!.push(() => matches.clear());
    },
    async getConfig(id) {
      return readCopy(s.tokenConfigs.get(id));
    },
    async matching(identity) {
      return matchingConfigs(identity).map(readCopy);
    },
    async listConfigs({ limit, offset = 0 }) {
      return [...s.tokenConfigs.values()].slice(offset, offset + limit).map(readCopy);
    },
    async hold({ hold, maxTokens, maxCostMicros, rollingSince }) {
      s.assertWritable();
      const row = windowRow(hold.configId, hold.windowStart) ?? emptyWindow(hold);
      let tokens = row.usedTokens + row.reservedTokens;
      let cost = row.usedCostMicros + row.reservedCostMicros;
      if (rollingSince !== null) {
        const r = rolling(hold.configId, rollingSince);
        tokens = r.tokens;
        cost = r.costMicros;
      }
      if (maxTokens !== null && tokens + hold.tokens > maxTokens) return false;
      if (maxCostMicros !== null && cost + hold.costMicros > maxCostMicros) return false;
      putWindow({
        ...row,
        reservedTokens: row.reservedTokens + hold.tokens,
        reservedCostMicros: row.reservedCostMicros + hold.costMicros,
      });
      setHold(hold);
      return true;
    },
    async insertReservation(reservation) {
      s.assertWritable();
      if (s.tokenReservations.has(reservation.id)) {
        throw new ControlPlaneError("conflict", `reservation ${reservation.id} already exists`);
      }
      s.add(s.tokenReservations, reservation.id, storedCopy(reservation));
      s.set(s.tokenDue, reservation.id, reservation.expiresAt);
    },
    async getReservation(id) {
      return readCopy(s.tokenReservations.get(id));
    },
    async finishReservation(id, from, to) {
      s.assertWritable();
      const r = s.tokenReservations.get(id);
      if (!r || !from.includes(r.status)) return undefined;
      s.put(s.tokenReservations, id, { ...r, status: to });
      if (to !== "held") s.delete(s.tokenDue, id);
      const holds = (s.tokenHolds.get(id) ?? []).map((h) => readCopy(h));
      return { reservation: readCopy(s.tokenReservations.get(id)!), holds };
    },
    async charge(hold, tokens, costMicros) {
      s.assertWritable();
      const current = currentHold(hold) ?? hold;
      const row = windowRow(hold.configId, hold.windowStart) ?? emptyWindow(hold);
      const wasHeld = current.state === "held";
      const next: TokenWindowRecord = {
        ...row,
        usedTokens: row.usedTokens + tokens,
        usedCostMicros: row.usedCostMicros + costMicros,
        reservedTokens: row.reservedTokens - (wasHeld ? current.tokens : 0),
        reservedCostMicros: row.reservedCostMicros - (wasHeld ? current.costMicros : 0),
      };
      putWindow(next);
      setHold({ ...current, tokens, costMicros, state: "settled" });
      return {
        beforeTokens: row.usedTokens,
        beforeCostMicros: row.usedCostMicros,
        afterTokens: next.usedTokens,
        afterCostMicros: next.usedCostMicros,
      };
    },
    async release(hold) {
      s.assertWritable();
      const current = currentHold(hold);
      if (current?.state !== "held") return;
      setHold({ ...current, state: "released" });
      const row = windowRow(hold.configId, current.windowStart);
      if (!row) return;
      putWindow({
        ...row,
        reservedTokens: row.reservedTokens - current.tokens,
        reservedCostMicros: row.reservedCostMicros - current.costMicros,
      });
    },
    async listExpired(now, limit) {
      const due: [string, number][] = [];
      for (const [id, at] of s.tokenDue) if (at <= now) due.push([id, at]);
      return due
        .sort((a, b) => a[1] - b[1])
        .slice(0, limit)
        .map(([id]) => id);
    },
    async window(configId, windowStart) {
      return readCopy(windowRow(configId, windowStart));
    },
    async rollingUsage(configId, since) {
      return rolling(configId, since);
    },
    async insertLedger(entry) {
      s.assertWritable();
      s.push(s.tokenLedger, entry);
    },
    async summarize(identity, since, until) {
      const t = { inputTokens: 0, outputTokens: 0, totalTokens: 0, costMicros: 0, calls: 0 };
      const byModel: Record<string, number> = {};
      for (const e of s.tokenLedger) {
        if (e.createdAt < since || e.createdAt >= until || !covers(identity, e.identity)) continue;
        t.inputTokens += e.inputTokens;
        t.outputTokens += e.outputTokens;
        t.totalTokens += e.totalTokens;
        t.costMicros += e.costMicros;
        t.calls += 1;
        byModel[e.model] = (byModel[e.model] ?? 0) + e.totalTokens;
      }
      return { ...t, byModel };
    },
  };
}
