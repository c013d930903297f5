import type { Command } from "commander";
import { type ClientOptions, clientFor, requireOptions, withClientOptions } from "../client-options.js";
import { type CliIo, usageError } from "../io.js";
import { formatRecord, formatTable, print } from "../output.js";

/** A token budget as the server returns it. */
interface BudgetJson {
  readonly id: string;
  readonly identity: { user_id: string | null; org_id: string | null; team_id: string | null };
  readonly period: string;
  readonly rolling: string | null;
  readonly max_tokens: number | null;
  readonly max_cost_usd: string | null;
  readonly allowed_models: readonly string[] | null;
  readonly [key: string]: unknown;
}

/** A budget's current window as the server returns it. */
interface StateJson {
  readonly config_id: string;
  readonly period: string;
  readonly window_start: string;
  readonly used_tokens: number;
  readonly reserved_tokens: number;
  readonly remaining_tokens: number | null;
  readonly used_cost_usd: string;
  readonly remaining_cost_usd: string | null;
  readonly [key: string]: unknown;
}

interface IdentityOptions extends ClientOptions {
  readonly user?: string;
  readonly org?: string;
  readonly team?: string;
}

interface CreateOptions extends IdentityOptions {
  readonly period: string;
  readonly rolling?: string;
  readonly maxTokens?: string;
  readonly maxCost?: string;
  readonly models?: string;
}

const withIdentity = (c: Command) =>
  c
    .option("--user <id>", "user id of the identity")
    .option("--org <id>", "organisation id of the identity")
    .option("--team <id>", "team id of the identity");

const identityQuery = (o: IdentityOptions) => ({ user_id: o.user, org_id: o.org, team_id: o.team });
const who = (b: BudgetJson) =>
  [
    b.identity.user_id && `user=${b.identity.user_id}`,
    b.identity.org_id && `org=${b.identity.org_id}`,
    b.identity.team_id && `team=${b.identity.team_id}`,
  ]
    .filter(Boolean)
    .join(" ") || "everyone";

/** Registers `acp token-budgets list|create|states` (against a running server). */
export function registerTokenBudgetsCommand(program: Command, io: CliIo): void {
  const budgets = program.command("token-budgets").description("List, create and inspect token budgets");

  withClientOptions(
    withIdentity(budgets.command("list").description("Budgets that apply to an identity (all without one)")),
  ).action(async (o: IdentityOptions) => {
    const list = await clientFor(io, o).request<BudgetJson[]>("GET", "/v1/token-budgets", {
      query: identityQuery(o),
    });
    print(io, o, list, () =>
      formatTable(list, [
        { header: "ID", value: (b) => b.id },
        { header: "IDENTITY", value: who },
        { header: "PERIOD", value: (b) => (b.rolling ? `rolling ${b.rolling}` : b.period) },
        { header: "MAX TOKENS", value: (b) => (b.max_tokens === null ? null : String(b.max_tokens)) },
        { header: "MAX COST", value: (b) => b.max_cost_usd },
        { header: "MODELS", value: (b) => (b.allowed_models === null ? "all" : b.allowed_models.join(",")) },
      ]),
    );
  });

  requireOptions(
    withClientOptions(
      withIdentity(budgets.command("create").description("Create a token budget (operator, admin)")),
    ),
    "--period",
  )
    .option("--period <period>", "required: daily, weekly, monthly, unlimited or rolling")
    .option("--rolling <length>", 'window length of a rolling budget, e.g. "1h"')
    .option("--max-tokens <n>", "token limit per window")
    .option("--max-cost <amount>", "cost limit per window, e.g. 25.50")
    .option("--models <list>", 'allowed models, comma-separated ("" allows none; absent allows all)')
    .action(async (o: CreateOptions) => {
      let maxTokens: number | undefined;
      if (o.maxTokens !== undefined) {
        maxTokens = Number(o.maxTokens);
        if (!Number.isSafeInteger(maxTokens) || maxTokens < 0)
          throw usageError("--max-tokens: expected a non-negative integer");
      }
      const identity = Object.fromEntries(
        Object.entries(identityQuery(o)).filter(([, v]) => v !== undefined),
      );
      const created = await clientFor(io, o).request<BudgetJson>("POST", "/v1/token-budgets", {
        body: {
          identity,
          period: o.period,
          ...(o.rolling === undefined ? {} : { rolling: o.rolling }),
          ...(maxTokens === undefined ? {} : { max_tokens: maxTokens }),
          ...(o.maxCost === undefined ? {} : { max_cost_usd: o.maxCost }),
          ...(o.models === undefined
            ? {}
            : { allowed_models: o.models.split(",").filter((m) => m.trim() !== "") }),
        },
      });
      print(io, o, created, () => formatRecord(created));
    });

  withClientOptions(
    withIdentity(budgets.command("states").description("Current window of each budget of an identity")),
  ).action(async (o: IdentityOptions) => {
    const list = await clientFor(io, o).request<StateJson[]>("GET", "/v1/token-budgets/states", {
      query: identityQuery(o),
    });
    print(io, o, list, () =>
      formatTable(list, [
        { header: "BUDGET", value: (s) => s.config_id },
        { header: "WINDOW", value: (s) => `${s.period} from ${s.window_start}` },
        { header: "USED", value: (s) => String(s.used_tokens) },
        { header: "RESERVED", value: (s) => String(s.reserved_tokens) },
        { header: "LEFT", value: (s) => (s.remaining_tokens === null ? "-" : String(s.remaining_tokens)) },
        { header: "COST", value: (s) => s.used_cost_usd },
        { header: "COST LEFT", value: (s) => s.remaining_cost_usd },
      ]),
    );
  });
}
