import type { Command } from "commander";
import { isRole, ROLES } from "../../auth/roles.js";
import { seg } from "../api-client.js";
import {
  type ClientOptions,
  clientFor,
  durationArg,
  requireOptions,
  withClientOptions,
} from "../client-options.js";
import { type CliIo, usageError } from "../io.js";
import { formatRecord, formatTable, print } from "../output.js";

/** An API token's record as the server returns it (never the secret, except once on creation). */
interface TokenJson {
  readonly id: string;
  readonly name: string;
  readonly role: string;
  readonly agent_id?: string | null;
  readonly created_at?: string | null;
  readonly expires_at?: string | null;
  readonly revoked_at?: string | null;
  readonly created_by?: string | null;
  readonly token?: string;
  readonly [key: string]: unknown;
}

interface CreateOptions extends ClientOptions {
  readonly role: string;
  readonly agent?: string;
  readonly name?: string;
  readonly expires?: string;
}

/** Registers `acp tokens create|list|revoke` (admin tokens only, against a running server). */
export function registerTokensCommand(program: Command, io: CliIo): void {
  const tokens = program.command("tokens").description("Create, list and revoke API tokens (admin)");

  requireOptions(
    withClientOptions(tokens.command("create").description("Create a token; its secret is printed once")),
    "--role",
  )
    .option("--role <role>", `required: the token's role (${ROLES.join(", ")})`)
    .option("--agent <id>", "the agent an agent token is bound to (required with --role agent)")
    .option("--name <name>", "a name to recognise it by (recorded as decided_by for its decisions)")
    .option("--expires <duration>", "lifetime, e.g. 30d, 12h (default: no expiry)", (v: string) => {
      durationArg(v);
      return v;
    })
    .action(async (o: CreateOptions) => {
      if (!isRole(o.role)) throw usageError(`--role: unknown role "${o.role}" (${ROLES.join(", ")})`);
      if ((o.role === "agent") !== (o.agent !== undefined)) {
        throw usageError(
          o.agent === undefined ? "--role agent needs --agent <id>" : "--agent is only for --role agent",
        );
      }
      const created = await clientFor(io, o).request<TokenJson>("POST", "/v1/tokens", {
        body: {
          role: o.role,
          ...(o.agent === undefined ? {} : { agent_id: o.agent }),
          ...(o.name === undefined ? {} : { name: o.name }),
          ...(o.expires === undefined ? {} : { expires_in: o.expires }),
        },
      });
      print(io, o, created, () => {
        const { token, ...record } = created;
        return `${formatRecord(record)}\n\ntoken (shown only now, store it safely):\n${token ?? "-"}`;
      });
    });

  withClientOptions(tokens.command("list").description("List tokens (never their secrets)")).action(
    async (o: ClientOptions) => {
      const list = await clientFor(io, o).request<TokenJson[]>("GET", "/v1/tokens");
      print(io, o, list, () =>
        formatTable(list, [
          { header: "ID", value: (t) => t.id },
          { header: "NAME", value: (t) => t.name },
          { header: "ROLE", value: (t) => t.role },
          { header: "AGENT", value: (t) => t.agent_id },
          { header: "CREATED", value: (t) => t.created_at },
          { header: "EXPIRES", value: (t) => t.expires_at },
          { header: "REVOKED", value: (t) => t.revoked_at },
        ]),
      );
    },
  );

  withClientOptions(tokens.command("revoke").description("Revoke a token: it stops working at once"))
    .argument("<id>", "token id")
    .action(async (id: string, o: ClientOptions) => {
      const record = await clientFor(io, o).request<TokenJson>("POST", `/v1/tokens/${seg(id)}/revoke`, {});
      print(io, o, record, () => `revoked token ${record.id} (${record.name})`);
    });
}
