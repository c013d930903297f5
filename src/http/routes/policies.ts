import { createRoute } from "@hono/zod-openapi";
import { dryRunDecide } from "../../control-plane/dry-run-decide.js";
import type { CompiledPolicy } from "../../engines/policy/compiled-policy.js";
import { loadPolicy, loadPolicyText } from "../../engines/policy/load-policy.js";
import { ValidationError } from "../../errors/validation-error.js";
import type { JsonObject } from "../../types/json.js";
import { authorize } from "../authorize.js";
import type { HttpDeps, HttpRouter } from "../context.js";
import { BEARER, errorResponses } from "../schemas/common.js";
import { toDryRunJson } from "../schemas/decision.js";
import { snakeModelPath, toModelCallInput } from "../schemas/model-call.js";
import {
  PolicyResponseSchema,
  TestPolicyBody,
  TestPolicyResult,
  toPolicyJson,
  ValidatePolicyBody,
  ValidatePolicyResult,
} from "../schemas/policy.js";

const json = <T>(schema: T) => ({ "application/json": { schema } });

const currentPolicy = createRoute({
  method: "get",
  path: "/v1/policies/current",
  operationId: "getCurrentPolicy",
  tags: ["Policies"],
  summary: "The default policy of new sessions",
  security: BEARER,
  responses: {
    200: { description: "Policy returned", content: json(PolicyResponseSchema) },
    ...errorResponses(401, 403),
  },
});

const validatePolicy = createRoute({
  method: "post",
  path: "/v1/policies/validate",
  operationId: "validatePolicy",
  tags: ["Policies"],
  summary: "Validate a policy (an invalid policy is a 200 with valid: false and its issues)",
  security: BEARER,
  request: { body: { required: true, content: json(ValidatePolicyBody) } },
  responses: {
    200: { description: "Validation result", content: json(ValidatePolicyResult) },
    ...errorResponses(401, 403, 422),
  },
});

const testPolicy = createRoute({
  method: "post",
  path: "/v1/policies/test",
  operationId: "testPolicy",
  tags: ["Policies"],
  summary:
    "Dry-run a proposal against a policy (default: the current one): decision and trace, nothing stored",
  security: BEARER,
  request: { body: { required: true, content: json(TestPolicyBody) } },
  responses: {
    200: { description: "The decision the proposal would get", content: json(TestPolicyResult) },
    ...errorResponses(401, 403, 422),
  },
});

/** Compiles a policy from a request body: an object, or YAML/JSON text (never read as a file path). */
function compile(policy: string | Record<string, unknown>): CompiledPolicy {
  return typeof policy === "string" ? loadPolicyText(policy) : loadPolicy(policy);
}

function compilePrefixed(policy: string | Record<string, unknown>): CompiledPolicy {
  try {
    return compile(policy);
  } catch (error) {
    remap("body.policy", error);
  }
}

/**
 * Re-throws a validation error with its issue paths placed in the request body (so a 422 names the body
 * field): `prefix` for plain paths, `body.` before the dry run's `session.*` paths.
 */
function remap(prefix: string, error: unknown): never {
  if (!(error instanceof ValidationError)) throw error;
  const place = (path: string) =>
    path.startsWith("session.") ? `body.${path}` : path ? `${prefix}.${snakeModelPath(path)}` : prefix;
  const issues = error.issues.map((i) => ({ ...i, path: place(i.path) }));
  throw new ValidationError(
    issues,
    prefix,
    error.code === "policy_invalid" ? "policy_invalid" : "validation_failed",
  );
}

/**
 * Policies: the current default policy, validation (an invalid policy is a value: `valid: false`) and the dry
 * run (`dryRunDecide`: pure, nothing stored, no audit event).
 */
export function registerPolicyRoutes(app: HttpRouter, { controlPlane: cp }: HttpDeps): void {
  app.openapi(currentPolicy, (c) => {
    authorize(c, "read");
    return c.json(toPolicyJson(cp.policy), 200);
  });

  app.openapi(validatePolicy, (c) => {
    authorize(c, "read", "policies.test");
    try {
      const policy = compile(c.req.valid("json").policy);
      return c.json({ valid: true, policy_id: policy.id, issues: [] }, 200);
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      const issues = error.issues.map((i) => ({ path: i.path, message: i.message }));
      return c.json({ valid: false, policy_id: null, issues }, 200);
    }
  });

  app.openapi(testPolicy, async (c) => {
    authorize(c, "policies.test");
    const body = c.req.valid("json");
    const policy = body.policy === undefined ? cp.policy : compilePrefixed(body.policy);
    const p = body.proposal;
    const s = body.session;
    const run = () =>
      dryRunDecide(
        policy,
        {
          action: p.action,
          ...(p.agent_id === undefined ? {} : { agentId: p.agent_id }),
          ...(p.resource_id === undefined ? {} : { resourceId: p.resource_id }),
          ...(p.resource_type === undefined ? {} : { resourceType: p.resource_type }),
          ...(p.args === undefined ? {} : { args: p.args as JsonObject }),
          ...(p.cost === undefined ? {} : { cost: p.cost }),
          ...(p.metadata === undefined ? {} : { metadata: p.metadata as JsonObject }),
          ...(p.model === undefined ? {} : { model: toModelCallInput(p.model) }),
        },
        s === undefined
          ? {}
          : {
              session: {
                ...(s.status === undefined ? {} : { status: s.status }),
                ...(s.max_cost === undefined ? {} : { maxCost: s.max_cost }),
                ...(s.used_cost === undefined ? {} : { usedCost: s.used_cost }),
                ...(s.max_actions === undefined ? {} : { maxActions: s.max_actions }),
                ...(s.used_actions === undefined ? {} : { usedActions: s.used_actions }),
                ...(s.risk_score === undefined ? {} : { riskScore: s.risk_score }),
                ...(s.recent_actions === undefined ? {} : { recentActions: s.recent_actions }),
              },
            },
      );
    const decision = await run().catch((error: unknown) => remap("body.proposal", error));
    return c.json({ ...toDryRunJson(decision), policy_id: policy.id, stored: false as const }, 200);
  });
}
