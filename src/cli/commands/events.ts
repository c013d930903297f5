import { open } from "node:fs/promises";
import { type Command, Option } from "commander";
import type { ApiClient } from "../api-client.js";
import { seg } from "../api-client.js";
import { type ClientOptions, clientFor, intArg, withClientOptions } from "../client-options.js";
import { CliError, type CliIo, EXIT } from "../io.js";
import { formatTable } from "../output.js";
import { readSse } from "../sse.js";
import { EVENT_COLUMNS, type EventJson, eventLine, type SessionJson } from "./records.js";

interface TailOptions extends ClientOptions {
  readonly session?: string;
  readonly follow?: boolean;
  readonly limit: number;
  readonly max?: number;
}

interface StateChange {
  readonly cursor: number;
  readonly event: EventJson;
  readonly projected_at: string;
}

interface StateChangePage {
  readonly items: StateChange[];
  readonly next_cursor?: number | null;
}

/**
 * Pages through `GET /v1/events/state-changes` from `cursor` (an offset: the first item has cursor + 1),
 * yielding each page's state changes in order.
 */
async function* stateChangePages(client: ApiClient, session: string | undefined, cursor = 0) {
  let next: number | null | undefined = cursor;
  while (next !== null && next !== undefined) {
    const page: StateChangePage = await client.request<StateChangePage>("GET", "/v1/events/state-changes", {
      query: { session_id: session, cursor: next, limit: 1000 },
    });
    yield page.items;
    // An empty page, or a cursor that does not move, ends the export (never loops on a server bug).
    next = page.items.length === 0 || page.next_cursor === next ? null : page.next_cursor;
  }
}

/** The last `n` events: of one session (its audit log, by sequence) or of every session (the state changes). */
async function recentEvents(client: ApiClient, session: string | undefined, n: number): Promise<EventJson[]> {
  if (session !== undefined) {
    const s = await client.request<SessionJson>("GET", `/v1/sessions/${seg(session)}`);
    const lastSeq = typeof s.last_seq === "number" ? s.last_seq : 0;
    const page = await client.request<{ items: EventJson[] }>("GET", `/v1/sessions/${seg(session)}/events`, {
      query: { after_seq: Math.max(0, lastSeq - n), limit: n },
    });
    return page.items;
  }
  const ring: EventJson[] = [];
  for await (const page of stateChangePages(client, undefined)) {
    ring.push(...page.map((change) => change.event));
    ring.splice(0, Math.max(0, ring.length - n));
  }
  return ring;
}

/** A stop signal that fires on SIGINT/SIGTERM, and its cleanup. */
function interruptible(): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
  return {
    signal: controller.signal,
    dispose: () => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
    },
  };
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });

/**
 * Follows the live feed (`GET /v1/events/stream`) until stopped or `max` events were printed. Once connected,
 * a dropped connection or a 5xx is retried with backoff (0.2 s doubling to 5 s), resuming with `Last-Event-ID`
 * so that nothing is missed or repeated; 4xx answers (auth, not found) end it with their exit code, and so does
 * a first connection that fails (a wrong `--url` is reported, not retried forever).
 */
async function follow(io: CliIo, client: ApiClient, o: TailOptions, signal: AbortSignal): Promise<void> {
  let lastId: string | undefined;
  let printed = 0;
  let delay = 200;
  let connected = false;
  while (!signal.aborted) {
    try {
      const res = await client.open("GET", "/v1/events/stream", {
        query: { session_id: o.session },
        headers: {
          accept: "text/event-stream",
          ...(lastId === undefined ? {} : { "last-event-id": lastId }),
        },
        signal,
      });
      if (!res.body) throw new CliError(EXIT.failure, "the event stream has no body");
      connected = true;
      for await (const message of readSse(res.body)) {
        delay = 200;
        if (message.id !== undefined) lastId = message.id;
        let frame: EventJson;
        try {
          frame = JSON.parse(message.data) as EventJson;
        } catch {
          continue;
        }
        io.out(o.json ? JSON.stringify(frame) : eventLine(frame));
        printed++;
        if (o.max !== undefined && printed >= o.max) return;
      }
    } catch (error) {
      if (signal.aborted) return;
      if (!connected || (error instanceof CliError && error.exitCode !== EXIT.failure)) throw error;
      io.err(`acp events tail: ${error instanceof Error ? error.message : String(error)}; reconnecting`);
    }
    await sleep(delay, signal);
    delay = Math.min(delay * 2, 5000);
  }
}

/** Registers `acp events tail [--follow]` and `acp events export --format jsonl` (against a running server). */
export function registerEventsCommand(program: Command, io: CliIo): void {
  const events = program
    .command("events")
    .description("Read the audit log: recent events, live feed, export");

  withClientOptions(
    events.command("tail").description("Print the most recent events; with --follow, the live feed"),
  )
    .option("--session <id>", "only this session's events")
    .option("-f, --follow", "keep printing new events as they happen (resumes after a dropped connection)")
    .option(
      "--limit <n>",
      "how many recent events to print first without --follow (1-1000)",
      intArg(1, 1000),
      20,
    )
    .option("--max <n>", "with --follow: exit after printing n events", intArg(1))
    .action(async (o: TailOptions) => {
      const client = clientFor(io, o);
      if (o.follow) {
        const stop = interruptible();
        try {
          await follow(io, client, o, stop.signal);
        } finally {
          stop.dispose();
        }
        return;
      }
      const list = await recentEvents(client, o.session, o.limit);
      if (o.json) for (const e of list) io.out(JSON.stringify(e));
      else io.out(formatTable(list, EVENT_COLUMNS));
    });

  withClientOptions(
    events.command("export").description("Export the state changes of the audit log, in order"),
  )
    .addOption(new Option("--format <format>", "output format").choices(["jsonl"]).default("jsonl"))
    .option("--session <id>", "only this session's events")
    .option("--cursor <n>", "start after this cursor (resume an earlier export)", intArg(0), 0)
    .option("--output <file>", "write to this file instead of standard output")
    .action(async (o: ClientOptions & { session?: string; cursor: number; output?: string }) => {
      const client = clientFor(io, o);
      // The file is opened (and truncated) before the first request: a bad path fails at once.
      const file = o.output === undefined ? undefined : await open(o.output, "w");
      let count = 0;
      let last: number | undefined;
      try {
        for await (const page of stateChangePages(client, o.session, o.cursor)) {
          const lines = page.map((change) => JSON.stringify(change));
          if (file) {
            if (lines.length > 0) await file.write(`${lines.join("\n")}\n`);
          } else for (const line of lines) io.out(line);
          count += page.length;
          last = page.at(-1)?.cursor ?? last;
        }
      } finally {
        await file?.close();
      }
      if (o.output !== undefined) {
        const tail = last === undefined ? "" : ` (last cursor ${last}; continue with --cursor ${last})`;
        io.err(`exported ${count} state changes to ${o.output}${tail}`);
      }
    });
}
