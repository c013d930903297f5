import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { Command } from "commander";
import { dryRunDecision } from "../../control-plane/dry-run-decision.js";
import type { CompiledPolicy } from "../../engines/policy/compiled-policy.js";
import { loadPolicy } from "../../engines/policy/load-policy.js";
import { ValidationError, type ValidationIssue } from "../../errors/validation-error.js";
import { requireOptions } from "../client-options.js";
import { CliError, type CliIo, EXIT, usageError } from "../io.js";
import { formatTable } from "../output.js";

/** The proposal fields `--proposal` accepts (snake_case, as `POST /v1/proposals`) and their library names. */
const PROPOSAL_FIELDS: Readonly<Record<string, string>> = {
  session_id: "sessionId",
  agent_id: "agentId",
  action: "action",
  resource_id: "resourceId",
  resource_type: "resourceType",
  args: "args",
  cost: "cost",
  metadata: "metadata",
};
const SNAKE_BY_CAMEL = Object.fromEntries(Object.entries(PROPOSAL_FIELDS).map(([s, c]) => [c, s]));

type Loaded = { ok: true; policy: CompiledPolicy } | { ok: false; issues: readonly ValidationIssue[] };

/** Loads and validates a policy file; every problem is returned with its path. */
function load(file: string): Loaded {
  try {
    return { ok: true, policy: loadPolicy(resolve(file)) };
  } catch (error) {
    if (error instanceof ValidationError) return { ok: false, issues: error.issues };
    throw error;
  }
}

const issueLines = (issues: readonly ValidationIssue[]) =>
  issues.map((i) => `  ${i.path || "(root)"}: ${i.message}`);

/** Parses `--proposal`: a JSON object (or `@file` holding one) in snake_case, returned in library names. */
export function parseProposalArg(value: string): Record<string, unknown> {
  let text = value;
  if (value.startsWith("@")) {
    try {
      text = readFileSync(value.slice(1), "utf8");
    } catch (error) {
      throw usageError(`--proposal: cannot read ${value.slice(1)}: ${(error as Error).message}`);
    }
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw usageError(`--proposal: not valid JSON: ${(error as Error).message}`);
  }
  if (raw === null || typeof raw !== "object" || Array.isArray(raw))
    throw usageError("--proposal: expected a JSON object");
  const unknown = Object.keys(raw).filter((k) => !(k in PROPOSAL_FIELDS));
  if (unknown.length > 0) {
    throw usageError(
      `--proposal: unknown field "${unknown[0]}" (known: ${Object.keys(PROPOSAL_FIELDS).join(", ")})`,
    );
  }
  return Object.fromEntries(Object.entries(raw).map(([k, v]) => [PROPOSAL_FIELDS[k]!, v]));
}

/** Registers the offline `acp policy validate FILE` and `acp policy test FILE --proposal JSON`. */
export function registerPolicyCommand(program: Command, io: CliIo): void {
  const policy = program
    .command("policy")
    .description("Validate a policy file and dry-run proposals against it (offline)");

  policy
    .command("validate")
    .description(
      "Validate a policy file (YAML or JSON): exit 0 when valid, 1 with every problem and its path",
    )
    .argument("<file>", "the policy file")
    .option("--json", "print {valid, policy_id, issues} as JSON")
    .action((file: string, o: { json?: boolean }) => {
      const r = load(file);
      if (o.json) {
        io.out(
          JSON.stringify(
            r.ok
              ? { valid: true, policy_id: r.policy.id, issues: [] }
              : { valid: false, policy_id: null, issues: r.issues },
            null,
            2,
          ),
        );
      } else if (r.ok) io.out(`${file}: valid (policy id ${r.policy.id})`);
      else
        io.out(
          [
            `${file}: invalid (${r.issues.length} problem${r.issues.length === 1 ? "" : "s"})`,
            ...issueLines(r.issues),
          ].join("\n"),
        );
      if (!r.ok) throw new CliError(EXIT.failure, `${file} is not a valid policy`);
    });

  const test = policy.command("test");
  requireOptions(test, "--proposal");
  test
    .description("Dry-run a proposal against a policy file: the decision and its trace (nothing is stored)")
    .argument("<file>", "the policy file")
    .option(
      "--proposal <json>",
      'required: the proposal as JSON, e.g. \'{"action":"deploy","resource_id":"svc","cost":"2"}\' (or @file.json)',
    )
    .option("--json", "print the decision as JSON")
    .action(async (file: string, o: { proposal: string; json?: boolean }) => {
      const proposal = parseProposalArg(o.proposal);
      const r = load(file);
      if (!r.ok) throw new CliError(EXIT.failure, `${file} is not a valid policy`, issueLines(r.issues));
      let d: Awaited<ReturnType<typeof dryRunDecision>>;
      try {
        d = await dryRunDecision(r.policy, proposal);
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        const issues = error.issues.map((i) => {
          const [head, ...rest] = i.path.split(".");
          return { ...i, path: [SNAKE_BY_CAMEL[head!] ?? head, ...rest].join(".") };
        });
        throw new CliError(EXIT.usage, "--proposal: invalid proposal", issueLines(issues));
      }
      const json = {
        policy_id: r.policy.id,
        outcome: d.outcome,
        code: d.code,
        reason: d.reason,
        risk_level: d.riskLevel,
        tier: d.tier,
        trace: d.trace,
        warnings: d.warnings,
        ...(d.steering ? { steering: d.steering } : {}),
      };
      if (o.json) {
        io.out(JSON.stringify(json, null, 2));
        return;
      }
      const lines = [
        `outcome  ${d.outcome} (${d.code})`,
        `reason   ${d.reason}`,
        `risk     ${d.riskLevel}`,
        `tier     ${d.tier}`,
        ...d.warnings.map((w) => `warning  ${w}`),
        "",
        formatTable(d.trace, [
          { header: "STEP", value: (t) => t.step },
          { header: "RESULT", value: (t) => t.result },
          { header: "DETAIL", value: (t) => t.detail },
        ]),
      ];
      io.out(lines.join("\n"));
    });
}
