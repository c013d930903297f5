import { ControlPlaneError } from "../../errors/control-plane-error.js";
import type { TokenHoldRecord, TokenIdentity, TokenWindowRecord } from "../../types/token-budget.js";
import type { TokenBudgetStore } from "../token-budget-store.js";
import { type MemoryState, readCopy } from "./memory-state.js";

const wkey = (configId: string, start: number) => `${configId}\u0000${start}`;
const hkey = (reservationId: string, configId: string) => `${reservationId}\u0000${configId}`;

/** Whether a config's identity (subset rule) applies to `caller`. */
function applies(config: TokenIdentity, caller: TokenIdentity): boolean {
  return (
    (config.userId === null || config.userId === caller.userId) &&
    (config.orgId === null || config.orgId === caller.orgId) &&
    (config.teamId === null || config.teamId === caller.teamId)
  );
}

/** Whether a ledger row's identity equals every field `query` sets. */
function exact(query: TokenIdentity, row: TokenIdentity): boolean {
  return (
    (query.userId === null || query.userId === row.userId) &&
    (query.orgId === null || query.orgId === row.orgId) &&
    (query.teamId === null || query.teamId === row.teamId)
  );
}

/** Memory implementation of {@link TokenBudgetStore} (transactions are serialised, so every guard holds). */
export function memoryTokenBudgets(s: MemoryState): TokenBudgetStore {
  const rolling = (configId: string, since: number) => {
    let tokens = 0;
    let costMicros = 0;
    let reservedTokens = 0;
    let reservedCostMicros = 0;
    for (const h of s.tokenHolds.values()) {
      if (h.configId !== configId || !h.rolling || h.createdAt <= since || h.state === "released") continue;
      tokens += h.tokens;
      costMicros += h.costMicros;
      if (h.state === "held") {
        reservedTokens += h.tokens;
        reservedCostMicros += h.costMicros;
      }
    }
    return { tokens, costMicros, reservedTokens, reservedCostMicros };
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
  return {
    async insertConfig(config) {
      s.assertWritable();
      if (s.tokenConfigs.has(config.id))
        throw new ControlPlaneError("conflict", `token budget ${config.id} already exists`);
      s.put(s.tokenConfigs, config.id, config);
    },
    async getConfig(id) {
      return readCopy(s.tokenConfigs.get(id));
    },
    async matching(identity) {
      return [...s.tokenConfigs.values()].filter((c) => applies(c.identity, identity)).map(readCopy);
    },
    async listConfigs({ limit, offset = 0 }) {
      return [...s.tokenConfigs.values()].slice(offset, offset + limit).map(readCopy);
    },
    async hold({ hold, maxTokens, maxCostMicros, rollingSince }) {
      s.assertWritable();
      let usedTokens: number;
      let usedCost: number;
      let row: TokenWindowRecord | undefined;
      if (hold.rolling) {
        const r = rolling(hold.configId, rollingSince ?? Number.NEGATIVE_INFINITY);
        usedTokens = r.tokens;
        usedCost = r.costMicros;
      } else {
        row = s.tokenWindows.get(wkey(hold.configId, hold.windowStart)) ?? emptyWindow(hold);
        usedTokens = row.usedTokens + row.reservedTokens;
        usedCost = row.usedCostMicros + row.reservedCostMicros;
      }
      if (maxTokens !== null && usedTokens + hold.tokens > maxTokens) return false;
      if (maxCostMicros !== null && usedCost + hold.costMicros > maxCostMicros) return false;
      if (row) {
        s.put(s.tokenWindows, wkey(hold.configId, hold.windowStart), {
          ...row,
          reservedTokens: row.reservedTokens + hold.tokens,
          reservedCostMicros: row.reservedCostMicros + hold.costMicros,
        });
      }
      s.put(s.tokenHolds, hkey(hold.reservationId, hold.configId), hold);
      return true;
    },
    async insertReservation(reservation) {
      s.assertWritable();
      if (s.tokenReservations.has(reservation.id))
        throw new ControlPlaneError("conflict", `reservation ${reservation.id} already exists`);
      s.put(s.tokenReservations, reservation.id, reservation);
    },
    async getReservation(id) {
      return readCopy(s.tokenReservations.get(id));
    },
    async finishReservation(id, from, to) {
      s.assertWritable();
      const r = s.tokenReservations.get(id);
      if (!r || !from.includes(r.status)) return undefined;
      s.put(s.tokenReservations, id, { ...r, status: to });
      const holds = [...s.tokenHolds.values()].filter((h) => h.reservationId === id).map(readCopy);
      return { reservation: readCopy(s.tokenReservations.get(id)!), holds };
    },
    async charge(hold, tokens, costMicros) {
      s.assertWritable();
      const k = hkey(hold.reservationId, hold.configId);
      const current = s.tokenHolds.get(k) ?? hold;
      if (hold.rolling) {
        const before = current.state === "settled" ? current.tokens : 0;
        const beforeCost = current.state === "settled" ? current.costMicros : 0;
        s.put(s.tokenHolds, k, { ...current, tokens, costMicros, state: "settled" });
        return {
          beforeTokens: before,
          beforeCostMicros: beforeCost,
          afterTokens: tokens,
          afterCostMicros: costMicros,
        };
      }
      const wk = wkey(hold.configId, hold.windowStart);
      const row = s.tokenWindows.get(wk) ?? emptyWindow(hold);
      const wasHeld = current.state === "held";
      const next: TokenWindowRecord = {
        ...row,
        usedTokens: row.usedTokens + tokens,
        usedCostMicros: row.usedCostMicros + costMicros,
        reservedTokens: row.reservedTokens - (wasHeld ? current.tokens : 0),
        reservedCostMicros: row.reservedCostMicros - (wasHeld ? current.costMicros : 0),
      };
      s.put(s.tokenWindows, wk, next);
      s.put(s.tokenHolds, k, { ...current, tokens, costMicros, state: "settled" });
      return {
        beforeTokens: row.usedTokens,
        beforeCostMicros: row.usedCostMicros,
        afterTokens: next.usedTokens,
        afterCostMicros: next.usedCostMicros,
      };
    },
    async release(hold) {
      s.assertWritable();
      const k = hkey(hold.reservationId, hold.configId);
      const current = s.tokenHolds.get(k);
      if (current?.state !== "held") return;
      s.put(s.tokenHolds, k, { ...current, state: "released" });
      if (current.rolling) return;
      const wk = wkey(hold.configId, hold.windowStart);
      const row = s.tokenWindows.get(wk);
      if (!row) return;
      s.put(s.tokenWindows, wk, {
        ...row,
        reservedTokens: row.reservedTokens - current.tokens,
        reservedCostMicros: row.reservedCostMicros - current.costMicros,
      });
    },
    async listExpired(now, limit) {
      return [...s.tokenReservations.values()]
        .filter((r) => r.status === "held" && r.expiresAt <= now)
        .sort((a, b) => a.expiresAt - b.expiresAt)
        .slice(0, limit)
        .map((r) => r.id);
    },
    async window(configId, windowStart) {
      return readCopy(s.tokenWindows.get(wkey(configId, windowStart)));
    },
    async rollingUsage(configId, since) {
      return rolling(configId, since);
    },
    async insertLedger(entry) {
      s.assertWritable();
      s.push(s.tokenLedger, entry);
    },
    async summarize(identity, since, until) {
      let inputTokens = 0;
      let outputTokens = 0;
      let totalTokens = 0;
      let costMicros = 0;
      let calls = 0;
      const byModel: Record<string, number> = {};
      for (const e of s.tokenLedger) {
        if (e.createdAt < since || e.createdAt >= until || !exact(identity, e.identity)) continue;
        inputTokens += e.inputTokens;
        outputTokens += e.outputTokens;
        totalTokens += e.totalTokens;
        costMicros += e.costMicros;
        calls += 1;
        byModel[e.model] = (byModel[e.model] ?? 0) + e.totalTokens;
      }
      return { inputTokens, outputTokens, totalTokens, costMicros, calls, byModel };
    },
  };
}
