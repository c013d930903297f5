/**
 * `npm run demo` — the main job: a scripted multi-agent run on the embedded default (a SQLite file,
 * ./acp-demo.db, recreated on each run) that shows every outcome — allowed, denied, approval granted and
 * resumed, steered, evaluator denial, budget exhausted, kill switch — as a table, followed by the audit log.
 */
import { rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createControlPlane } from "../src/control-plane/create-control-plane.js";
import type { Decision } from "../src/control-plane/decision.js";
import { createSqliteStorage } from "../src/storage/sqlite/index.js";
import type { EventRecord } from "../src/types/event.js";

/** One line of the demo table. */
export interface DemoRow {
  readonly step: string;
  readonly agent: string;
  readonly action: string;
  readonly outcome: string;
  readonly code: string;
  readonly reason: string;
}

/** What the demo produced: the decisions table and the whole audit log (session and system events). */
export interface DemoResult {
  readonly rows: readonly DemoRow[];
  readonly events: readonly EventRecord[];
}

const POLICY = fileURLToPath(new URL("./policy.yaml", import.meta.url));

/** Runs the scripted scenario on a fresh database at `path` and returns what happened. */
export async function runDemo(path: string): Promise<DemoResult> {
  for (const suffix of ["", "-wal", "-shm", "-journal"]) rmSync(`${path}${suffix}`, { force: true });
  const storage = await createSqliteStorage({ path });
  const cp = await createControlPlane({ storage, policy: POLICY });
  const rows: DemoRow[] = [];
  const record = (step: string, agent: string, action: string, d: Decision) => {
    rows.push({ step, agent, action, outcome: d.outcome, code: d.code, reason: d.reason });
    return d;
  };
  try {
    await cp.registerAgent({
      id: "triage-bot",
      capabilities: [
        "read_ticket",
        "search_kb",
        "reply_ticket",
        "update_ticket",
        "close_account",
        "get_status",
      ],
    });
    await cp.registerAgent({
      id: "billing-bot",
      capabilities: ["read_ticket", "issue_refund", "get_status", "drop_database"],
    });

    const triage = await cp.openSession({
      name: "triage #4711",
      agentId: "triage-bot",
      budget: { maxCost: "10", maxActions: 20 },
    });
    const billing = await cp.openSession({
      name: "refund #4711",
      agentId: "billing-bot",
      budget: { maxCost: "5", maxActions: 3 },
    });
    const act = async (
      step: string,
      sessionId: string,
      agent: string,
      action: string,
      extra: object = {},
    ) => {
      const d = record(
        step,
        agent,
        action,
        await cp.propose({ sessionId, agentId: agent, action, ...extra }),
      );
      if (d.outcome === "allowed") await cp.complete(d.proposalId, { ok: true, output: { done: action } });
      return d;
    };

    await act("1 read the ticket", triage.id, "triage-bot", "read_ticket", {
      resourceId: "ticket-4711",
      cost: "0.02",
    });
    await act("2 reply, chat channel", triage.id, "triage-bot", "reply_ticket", {
      resourceId: "ticket-4711",
      cost: "0.05",
      args: { to: "ann@example.com", body: "We are on it.", customerId: "cust-1" },
      metadata: { channel: "chat" },
    });
    await act("3 reply leaking an SSN", triage.id, "triage-bot", "reply_ticket", {
      resourceId: "ticket-4711",
      args: { to: "ann@example.com", body: "Your SSN 123-45-6789 is verified.", customerId: "cust-1" },
      metadata: { channel: "chat" },
    });
    await act("4 close the account", triage.id, "triage-bot", "close_account", { resourceId: "cust-1" });
    await act("5 drop the database", billing.id, "billing-bot", "drop_database", { resourceId: "prod-db" });
    await act("6 search as an unknown agent", triage.id, "rogue-bot", "search_kb", { resourceId: "kb" });

    const refund = { resourceId: "order-99-billing", cost: "4", args: { amount: 40, customerId: "cust-1" } };
    const asked = await act("7 refund 40 (needs a human)", billing.id, "billing-bot", "issue_refund", refund);
    if (asked.outcome === "pending_approval") {
      const waiting = cp.waitForDecision(asked.ticketId, { timeoutMs: 5_000 });
      await cp.approve(asked.ticketId, { decidedBy: "ops@example.com", reason: "customer verified" });
      const waited = await waiting;
      rows.push({
        step: "8 operator approves",
        agent: "ops@example.com",
        action: "approve",
        outcome: waited.status,
        code: "approved",
        reason: waited.ticket.reason ?? "",
      });
      await act("9 retry resumes the approved refund", billing.id, "billing-bot", "issue_refund", refund);
    }
    await act("10 second refund over budget", billing.id, "billing-bot", "issue_refund", {
      ...refund,
      resourceId: "order-100-billing",
      args: { amount: 30, customerId: "cust-2" },
    });

    const kill = await cp.kill({
      scope: "agent",
      agentId: "triage-bot",
      reason: "suspicious burst of replies",
    });
    rows.push({
      step: "11 operator halts triage-bot",
      agent: "ops@example.com",
      action: "kill(agent)",
      outcome: "engaged",
      code: "kill_switch",
      reason: `${kill.sessionsPaused} session(s) paused`,
    });
    const other = await cp.openSession({ name: "triage #4712", budget: { maxActions: 5 } });
    await act("12 triage-bot tries again", other.id, "triage-bot", "read_ticket", {
      resourceId: "ticket-4712",
    });
    await cp.resume({ scope: "agent", agentId: "triage-bot" });
    await act("13 after release", other.id, "triage-bot", "read_ticket", { resourceId: "ticket-4712" });

    const events = await cp.feed({ limit: 1000 });
    return { rows, events };
  } finally {
    await cp.close();
    await storage.close();
  }
}

/**
 * The part of a session id that tells sessions apart: UUIDv7 ids created in the same millisecond share their
 * leading timestamp digits, so the demo shows the random tail instead of the head.
 */
export function shortSessionId(id: string | undefined): string {
  return id === undefined ? "system" : `…${id.slice(-8)}`;
}

/** The audit log as the demo prints it: one table row per event. */
export function auditTable(events: readonly EventRecord[]): string {
  return table(
    ["id", "session", "seq", "kind", "agent", "details"],
    events.map((e) => [
      String(e.id),
      shortSessionId(e.sessionId ?? undefined),
      String(e.seq ?? ""),
      e.kind,
      e.agentId ?? "",
      summary(e),
    ]),
  );
}

function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.min(60, Math.max(h.length, ...rows.map((r) => r[i]!.length))));
  const cut = (s: string, w: number) => (s.length > w ? `${s.slice(0, w - 1)}…` : s.padEnd(w));
  const line = (cells: readonly string[]) => cells.map((c, i) => cut(c, widths[i]!)).join("  ");
  return [line(headers), widths.map((w) => "─".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

function summary(e: EventRecord): string {
  const p = e.payload as Record<string, unknown>;
  if (e.kind === "proposal_decided") return `${p.action} → ${p.outcome} (${p.code})`;
  return Object.entries(p)
    .filter(([, v]) => v !== null && typeof v !== "object")
    .map(([k, v]) => `${k}=${v}`)
    .join(" ");
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const path = process.env.ACP_DEMO_DB ?? "./acp-demo.db";
  const { rows, events } = await runDemo(path);
  console.log(`agent-control-plane demo — embedded SQLite at ${path}\n`);
  console.log(
    table(
      ["step", "agent", "action", "outcome", "code", "reason"],
      rows.map((r) => [r.step, r.agent, r.action, r.outcome, r.code, r.reason]),
    ),
  );
  console.log(`\nAudit log (${events.length} events)\n`);
  console.log(auditTable(events));
}
