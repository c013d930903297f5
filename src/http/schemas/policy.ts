import { z } from "@hono/zod-openapi";
import type { CompiledPolicy } from "../../engines/policy/compiled-policy.js";
import { DryRunDecisionSchema } from "./decision.js";
import { ModelCallBody } from "./model-call.js";
import { MoneyInput } from "./money.js";

/** A policy as served: its content-hash id and its normalised document. */
export const PolicyResponseSchema = z
  .object({
    policy_id: z.string(),
    policy: z.record(z.string(), z.unknown()).openapi({ description: "The normalised policy document" }),
  })
  .openapi("PolicyResponse");

/** Maps a compiled policy to {@link PolicyResponseSchema}. */
export function toPolicyJson(p: CompiledPolicy): z.infer<typeof PolicyResponseSchema> {
  return { policy_id: p.id, policy: p.document as unknown as Record<string, unknown> };
}

/** A policy in a request: a JSON object, or YAML/JSON text (never a file path). */
export const PolicyInput = z
  .union([z.string().max(1_000_000), z.record(z.string(), z.unknown())])
  .openapi({ description: "The policy document as an object, or as YAML/JSON text" });

/** Body of `POST /v1/policies/validate`. */
export const ValidatePolicyBody = z.object({ policy: PolicyInput }).strict().openapi("ValidatePolicyRequest");

/** One problem of an invalid policy. */
export const PolicyIssueSchema = z.object({ path: z.string(), message: z.string() }).openapi("PolicyIssue");

/** Answer of `POST /v1/policies/validate`: an invalid policy is a 200 with `valid: false`. */
export const ValidatePolicyResult = z
  .object({ valid: z.boolean(), policy_id: z.string().nullable(), issues: z.array(PolicyIssueSchema) })
  .openapi("ValidatePolicyResult");

/** The proposal of a dry run (as `POST /v1/proposals`, without `session_id`). */
export const DryRunProposal = z
  .object({
    agent_id: z.string().min(1).max(200).optional(),
    action: z.string().min(1).max(200),
    resource_id: z.string().min(1).max(1000).optional(),
    resource_type: z.string().min(1).max(200).optional(),
    args: z.record(z.string(), z.unknown()).optional(),
    cost: MoneyInput.optional(),
    metadata: z.record(z.string(), z.unknown()).optional(),
    model: ModelCallBody.optional().openapi({
      description: "An LLM call: the model governor (policy `models`) decides on it; no token is reserved",
    }),
  })
  .strict()
  .openapi("DryRunProposal");

/** The imagined session of a dry run: state and budget (omitted: a fresh session with no limits). */
export const DryRunSessionBody = z
  .object({
    status: z.enum(["created", "active", "paused", "completed", "aborted"]).optional(),
    max_cost: MoneyInput.nullable().optional(),
    used_cost: MoneyInput.optional(),
    max_actions: z.number().int().min(0).nullable().optional(),
    used_actions: z.number().int().min(0).optional(),
    risk_score: z.number().min(0).optional(),
    recent_actions: z.array(z.string().min(1).max(200)).max(1000).optional(),
  })
  .strict()
  .openapi("DryRunSession");

/** Body of `POST /v1/policies/test`: `policy` defaults to the server's current policy. */
export const TestPolicyBody = z
  .object({ policy: PolicyInput.optional(), proposal: DryRunProposal, session: DryRunSessionBody.optional() })
  .strict()
  .openapi("TestPolicyRequest");

/** Answer of `POST /v1/policies/test`: the decision the proposal would get, and the policy it was tested on. */
export const TestPolicyResult = DryRunDecisionSchema.extend({
  policy_id: z.string(),
  stored: z.literal(false),
}).openapi("TestPolicyResult");
