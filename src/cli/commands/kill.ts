import { randomUUID } from "node:crypto";
import type { Command } from "commander";
import type { ApiClient } from "../api-client.js";
import { seg } from "../api-client.js";
import { type ClientOptions, clientFor, requireOptions, withClientOptions } from "../client-options.js";
import type { CliIo } from "../io.js";
import { formatRecord, print } from "../output.js";

/** A kill or resume target: the whole system, one agent, or one session. */
type Scope = "system" | "agent" | "session";

const SCOPES: readonly { scope: Scope; what: string }[] = [
  { scope: "system", what: "every agent and session" },
  { scope: "agent", what: "one agent (all its sessions)" },
  { scope: "session", what: "one session" },
];

function path(prefix: "kill" | "resume", scope: Scope, id: string | undefined): string {
  return scope === "system" ? `/v1/${prefix}/system` : `/v1/${prefix}/${scope}/${seg(id!)}`;
}

function post(client: ApiClient, url: string, body: unknown) {
  return client.request<Record<string, unknown>>("POST", url, {
    body,
    headers: { "x-idempotency-key": randomUUID() },
  });
}

/**
 * Registers `acp kill system|agent ID|session ID --reason R` (engages a kill switch: later proposals are
 * denied, pending tickets denied) and `acp resume system|agent ID|session ID` (releases it).
 */
export function registerKillCommand(program: Command, io: CliIo): void {
  const kill = program
    .command("kill")
    .description("Engage a kill switch: deny every later proposal in its scope");
  const resume = program.command("resume").description("Release a kill switch engaged with acp kill");
  for (const { scope, what } of SCOPES) {
    const k = withClientOptions(kill.command(scope).description(`Halt ${what}`));
    if (scope !== "system") k.argument("<id>", `${scope} id`);
    requireOptions(
      k.option("--reason <text>", "why, required (recorded, and told to the agents denied)"),
      "--reason",
    ).action(async (...args: unknown[]) => {
      const id = scope === "system" ? undefined : (args[0] as string);
      const o = args[scope === "system" ? 0 : 1] as ClientOptions & { reason: string };
      const result = await post(clientFor(io, o), path("kill", scope, id), { reason: o.reason });
      print(
        io,
        o,
        result,
        () => `kill switch engaged (${scope}${id ? ` ${id}` : ""})\n${formatRecord(result)}`,
      );
    });

    const r = withClientOptions(resume.command(scope).description(`Resume ${what}`));
    if (scope !== "system") r.argument("<id>", `${scope} id`);
    r.action(async (...args: unknown[]) => {
      const id = scope === "system" ? undefined : (args[0] as string);
      const o = args[scope === "system" ? 0 : 1] as ClientOptions;
      const result = await post(clientFor(io, o), path("resume", scope, id), {});
      const released = result.released === true;
      print(io, o, result, () =>
        released
          ? `kill switch released (${scope}${id ? ` ${id}` : ""})`
          : "no kill switch was engaged there",
      );
    });
  }
}
