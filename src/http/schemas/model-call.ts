import { z } from "@hono/zod-openapi";
import { ValidationError } from "../../errors/validation-error.js";
import type { ModelCallInput } from "../../types/model-call.js";
import { MoneyInput } from "./money.js";

const identityId = z.string().min(1).max(200);
const tokenCount = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);

/**
 * An LLM call carried by a proposal (`model` of `POST /v1/proposals` and of the dry run's proposal), mapped to
 * `ProposalInput.model`: which model, for whom (token budgets match on the identity), and the estimate reserved.
 * @example { "model": "gpt-4o", "identity": { "org_id": "acme" }, "input_tokens": 1200, "output_tokens": 400 }
 */
export const ModelCallBody = z
  .object({
    model: z.string().min(1).max(200).openapi({ description: "Model id, matched exactly (e.g. gpt-4o)" }),
    identity: z
      .object({
        user_id: identityId.optional(),
        org_id: identityId.optional(),
        team_id: identityId.optional(),
      })
      .strict()
      .optional()
      .openapi({ description: "Who the call is billed to; token budgets match on each field" }),
    input_tokens: tokenCount.openapi({ description: "Estimated input (prompt) tokens" }),
    output_tokens: tokenCount.openapi({ description: "Estimated output (completion) tokens" }),
    cost: MoneyInput.optional().openapi({
      description: "Estimated cost; absent: the server's price table prices the tokens",
    }),
  })
  .strict()
  .openapi("ModelCall");

/** Maps a {@link ModelCallBody} to the facade's `ModelCallInput`. */
export function toModelCallInput(body: z.infer<typeof ModelCallBody>): ModelCallInput {
  const id = body.identity;
  return {
    model: body.model,
    ...(id === undefined
      ? {}
      : {
          identity: {
            ...(id.user_id === undefined ? {} : { userId: id.user_id }),
            ...(id.org_id === undefined ? {} : { orgId: id.org_id }),
            ...(id.team_id === undefined ? {} : { teamId: id.team_id }),
          },
        }),
    inputTokens: body.input_tokens,
    outputTokens: body.output_tokens,
    ...(body.cost === undefined ? {} : { cost: body.cost }),
  };
}

const isModelPath = (path: string) => path === "model" || path.startsWith("model.");

const SNAKE: Readonly<Record<string, string>> = {
  inputTokens: "input_tokens",
  outputTokens: "output_tokens",
  userId: "user_id",
  orgId: "org_id",
  teamId: "team_id",
};

/**
 * A facade issue path in the request's words: `model.inputTokens` → `model.input_tokens`,
 * `model.identity.orgId` → `model.identity.org_id`; other paths are returned unchanged.
 */
export function snakeModelPath(path: string): string {
  if (!isModelPath(path)) return path;
  return path
    .split(".")
    .map((part) => SNAKE[part] ?? part)
    .join(".");
}

/**
 * Re-throws a facade ValidationError with its `model.*` paths in snake case and placed under `prefix`
 * (`body.model.input_tokens`); any other error is re-thrown as is.
 */
export function remapModelIssues(error: unknown, prefix: string): never {
  if (!(error instanceof ValidationError) || !error.issues.some((i) => isModelPath(i.path))) {
    throw error;
  }
  throw new ValidationError(
    error.issues.map((i) =>
      isModelPath(i.path) ? { ...i, path: `${prefix}.${snakeModelPath(i.path)}` } : i,
    ),
    "model call",
  );
}
