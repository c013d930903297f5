import { randomUUID } from "node:crypto";
import type { Command } from "commander";
/** The ticket statuses `--status` accepts. */
import { TICKET_STATUSES } from "../../types/ticket.js";
import { seg } from "../api-client.js";
import {
  type ClientOptions,
  clientFor,
  decimalArg,
  durationArg,
  enumListArg,
  intArg,
  listArg,
  requireOptions,
  withClientOptions,
} from "../client-options.js";
import { type CliIo, usageError } from "../io.js";
import { formatRecord, formatTable, print } from "../output.js";
import { flattenTicket, TICKET_COLUMNS, type TicketJson } from "./records.js";

interface ListOptions extends ClientOptions {
  readonly status?: string[];
  readonly session?: string;
  readonly limit?: number;
  readonly offset?: number;
}

interface ApproveOptions extends ClientOptions {
  readonly reason?: string;
  readonly sessionScope?: boolean;
  readonly actions?: string[];
  readonly resources?: string[];
  readonly maxCost?: string;
  readonly maxUses?: number;
  readonly expires?: number;
}

/**
 * The body of `POST /v1/tickets/{id}/approve` for the command's options. The scope limits only make sense
 * for a session-wide approval (`--session-scope`): given without it they are a usage error.
 */
export function approveBody(o: ApproveOptions, now: number): Record<string, unknown> {
  const limits = { "--actions": o.actions, "--resources": o.resources, "--max-cost": o.maxCost };
  const extra = { "--max-uses": o.maxUses, "--expires": o.expires };
  const given = Object.entries({ ...limits, ...extra }).filter(([, v]) => v !== undefined);
  if (!o.sessionScope && given.length > 0) {
    throw usageError(`${given[0]![0]} limits a session-wide approval: add --session-scope`);
  }
  return {
    ...(o.reason === undefined ? {} : { reason: o.reason }),
    decision_type: o.sessionScope ? "allow_for_session" : "allow_once",
    ...(o.actions ? { scope_actions: o.actions } : {}),
    ...(o.resources ? { scope_resource_ids: o.resources } : {}),
    ...(o.maxCost === undefined ? {} : { scope_max_cost: o.maxCost }),
    ...(o.maxUses === undefined ? {} : { scope_max_action_count: o.maxUses }),
    ...(o.expires === undefined ? {} : { scope_expiry: new Date(now + o.expires).toISOString() }),
  };
}

/** Registers `acp tickets list|show|approve|deny` (against a running server). */
export function registerTicketsCommand(program: Command, io: CliIo): void {
  const tickets = program.command("tickets").description("List, inspect and decide approval tickets");

  withClientOptions(tickets.command("list").description("List approval tickets, newest first"))
    .option(
      "--status <status>",
      `only these statuses (${TICKET_STATUSES.join(", ")}; comma-separated)`,
      enumListArg("--status", "ticket status", TICKET_STATUSES),
    )
    .option("--session <id>", "only the tickets of this session")
    .option("--limit <n>", "at most n tickets (1-1000, server default 50)", intArg(1, 1000))
    .option("--offset <n>", "skip the first n tickets", intArg(0))
    .action(async (o: ListOptions) => {
      const page = await clientFor(io, o).request<{ items: TicketJson[]; next_offset?: number | null }>(
        "GET",
        "/v1/tickets",
        {
          query: {
            statuses: o.status?.join(","),
            session_id: o.session,
            limit: o.limit,
            offset: o.offset,
          },
        },
      );
      print(io, o, page, () => {
        const more = page.next_offset == null ? "" : `\n(more: --offset ${page.next_offset})`;
        return formatTable(page.items, TICKET_COLUMNS) + more;
      });
    });

  withClientOptions(tickets.command("show").description("Show one ticket and what it asks to decide"))
    .argument("<id>", "ticket id")
    .action(async (id: string, o: ClientOptions) => {
      const ticket = await clientFor(io, o).request<TicketJson>("GET", `/v1/tickets/${seg(id)}`);
      print(io, o, ticket, () => formatRecord(flattenTicket(ticket)));
    });

  withClientOptions(
    tickets
      .command("approve")
      .description(
        "Approve a pending ticket (once, or with --session-scope for later matching proposals too)",
      ),
  )
    .argument("<id>", "ticket id")
    .option("--reason <text>", "why (recorded in the audit log)")
    .option("--session-scope", "also allow later matching proposals of the session without a human")
    .option(
      "--actions <list>",
      "session scope: the actions it covers (comma-separated; default the ticket's)",
      listArg,
    )
    .option("--resources <list>", "session scope: the resource ids it covers (comma-separated)", listArg)
    .option("--max-cost <amount>", "session scope: maximum cost per action, e.g. 2.50", decimalArg)
    .option("--max-uses <n>", "session scope: how many later proposals it may allow", intArg(1))
    .option("--expires <duration>", "session scope: how long it lasts, e.g. 1h", durationArg)
    .action(async (id: string, o: ApproveOptions) => {
      const body = approveBody(o, Date.now());
      const ticket = await clientFor(io, o).request<TicketJson>("POST", `/v1/tickets/${seg(id)}/approve`, {
        body,
        headers: { "x-idempotency-key": randomUUID() },
      });
      print(io, o, ticket, () => `approved ticket ${ticket.id} (${ticket.decision_type ?? "allow_once"})`);
    });

  requireOptions(withClientOptions(tickets.command("deny").description("Deny a pending ticket")), "--reason")
    .argument("<id>", "ticket id")
    .option("--reason <text>", "why, required (recorded in the audit log)")
    .action(async (id: string, o: ClientOptions & { reason: string }) => {
      const ticket = await clientFor(io, o).request<TicketJson>("POST", `/v1/tickets/${seg(id)}/deny`, {
        body: { reason: o.reason },
        headers: { "x-idempotency-key": randomUUID() },
      });
      print(io, o, ticket, () => `denied ticket ${ticket.id}`);
    });
}
