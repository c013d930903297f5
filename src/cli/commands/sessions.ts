import type { Command } from "commander";
import { SESSION_STATUSES } from "../../types/session.js";
import { seg } from "../api-client.js";
import { type ClientOptions, clientFor, enumListArg, intArg, withClientOptions } from "../client-options.js";
import type { CliIo } from "../io.js";
import { formatRecord, formatTable, print } from "../output.js";
import { EVENT_COLUMNS, type EventJson, SESSION_COLUMNS, type SessionJson } from "./records.js";

interface ListOptions extends ClientOptions {
  readonly status?: string[];
  readonly agent?: string;
  readonly limit?: number;
  readonly offset?: number;
}

/** Registers `acp sessions list|show` (against a running server). */
export function registerSessionsCommand(program: Command, io: CliIo): void {
  const sessions = program.command("sessions").description("List and inspect sessions");

  withClientOptions(sessions.command("list").description("List sessions, newest first"))
    .option(
      "--status <status>",
      `only these statuses (${SESSION_STATUSES.join(", ")}; comma-separated)`,
      enumListArg("--status", "session status", SESSION_STATUSES),
    )
    .option("--agent <id>", "only the sessions of this agent")
    .option("--limit <n>", "at most n sessions (1-1000, server default 50)", intArg(1, 1000))
    .option("--offset <n>", "skip the first n sessions", intArg(0))
    .action(async (o: ListOptions) => {
      const list = await clientFor(io, o).request<SessionJson[]>("GET", "/v1/sessions", {
        query: { statuses: o.status?.join(","), agent_id: o.agent, limit: o.limit, offset: o.offset },
      });
      print(io, o, list, () => formatTable(list, SESSION_COLUMNS));
    });

  withClientOptions(sessions.command("show").description("Show a session and its most recent audit events"))
    .argument("<id>", "session id")
    .option(
      "--events <n>",
      "how many recent events to show (0-1000, default 20; 0 for none)",
      intArg(0, 1000),
      20,
    )
    .action(async (id: string, o: ClientOptions & { events: number }) => {
      const client = clientFor(io, o);
      const session = await client.request<SessionJson>("GET", `/v1/sessions/${seg(id)}`);
      let events: EventJson[] = [];
      if (o.events > 0) {
        const lastSeq = typeof session.last_seq === "number" ? session.last_seq : 0;
        const page = await client.request<{ items: EventJson[] }>("GET", `/v1/sessions/${seg(id)}/events`, {
          query: { after_seq: Math.max(0, lastSeq - o.events), limit: o.events },
        });
        events = page.items;
      }
      print(io, o, { session, events }, () =>
        o.events > 0
          ? `${formatRecord(session)}\n\nrecent events:\n${formatTable(events, EVENT_COLUMNS)}`
          : formatRecord(session),
      );
    });
}
