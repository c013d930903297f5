import { createRoute, z } from "@hono/zod-openapi";
import { ROLES } from "../../auth/roles.js";
import type { TokenService } from "../../auth/token-service.js";
import { ValidationError } from "../../errors/validation-error.js";
import { parseDuration } from "../../types/policy.js";
import { authorize } from "../authorize.js";
import type { HttpDeps, HttpRouter } from "../context.js";
import { httpError } from "../errors.js";
import { ApiTokenSchema, CreatedApiTokenSchema, toApiToken } from "../schemas/api-token.js";
import { BEARER, errorResponses, uuid } from "../schemas/common.js";

const CreateTokenBody = z
  .object({
    role: z.enum(ROLES),
    agent_id: z.string().min(1).max(256).optional().openapi({ description: "Required for role agent only" }),
    name: z.string().min(1).max(128).optional(),
    expires_in: z
      .string()
      .refine((v) => (parseDuration(v) ?? 0) > 0, {
        message: 'expected a positive duration like "30d", "12h" or "15m"',
      })
      .optional()
      .openapi({ example: "30d" }),
  })
  .strict()
  .openapi("CreateTokenRequest");

const listTokens = createRoute({
  method: "get",
  path: "/v1/tokens",
  operationId: "listTokens",
  tags: ["Tokens"],
  summary: "List API tokens (never the tokens themselves)",
  security: BEARER,
  responses: {
    200: {
      description: "Tokens, oldest first",
      content: { "application/json": { schema: z.array(ApiTokenSchema) } },
    },
    ...errorResponses(401, 403, 501),
  },
});

const createToken = createRoute({
  method: "post",
  path: "/v1/tokens",
  operationId: "createToken",
  tags: ["Tokens"],
  summary: "Create an API token; the response shows it once",
  security: BEARER,
  request: { body: { required: true, content: { "application/json": { schema: CreateTokenBody } } } },
  responses: {
    201: { description: "Token created", content: { "application/json": { schema: CreatedApiTokenSchema } } },
    ...errorResponses(400, 401, 403, 422, 501),
  },
});

const revokeToken = createRoute({
  method: "post",
  path: "/v1/tokens/{token_id}/revoke",
  operationId: "revokeToken",
  tags: ["Tokens"],
  summary: "Revoke an API token (refused from the next request on)",
  security: BEARER,
  request: { params: z.object({ token_id: uuid() }) },
  responses: {
    200: { description: "Token revoked", content: { "application/json": { schema: ApiTokenSchema } } },
    ...errorResponses(401, 403, 404, 422, 501),
  },
});

/** Service field → request field, for validation errors of the token service. */
const BODY_FIELD: Readonly<Record<string, string>> = {
  role: "body.role",
  agentId: "body.agent_id",
  name: "body.name",
  expiresInMs: "body.expires_in",
};

function service(tokens: TokenService | undefined): TokenService {
  if (tokens === undefined)
    throw httpError("not_implemented", "token management is not enabled on this server (no token service)");
  return tokens;
}

/** Token management: `GET /v1/tokens`, `POST /v1/tokens`, `POST /v1/tokens/{token_id}/revoke` (`tokens.manage`). */
export function registerTokenRoutes(app: HttpRouter, { tokens, now }: HttpDeps): void {
  app.openapi(listTokens, async (c) => {
    authorize(c, "tokens.manage");
    const records = await service(tokens).list();
    const at = now();
    return c.json(
      records.map((r) => toApiToken(r, at)),
      200,
    );
  });

  app.openapi(createToken, async (c) => {
    const principal = authorize(c, "tokens.manage");
    const body = c.req.valid("json");
    const created = await service(tokens)
      .create({
        role: body.role,
        ...(body.agent_id === undefined ? {} : { agentId: body.agent_id }),
        ...(body.name === undefined ? {} : { name: body.name }),
        ...(body.expires_in === undefined ? {} : { expiresInMs: parseDuration(body.expires_in)! }),
        createdBy: principal.name,
      })
      .catch((error: unknown) => {
        if (!(error instanceof ValidationError)) throw error;
        throw new ValidationError(
          error.issues.map((i) => ({ ...i, path: BODY_FIELD[i.path] ?? `body.${i.path}` })),
          "request body",
        );
      });
    return c.json({ token: created.token, ...toApiToken(created.record, now()) }, 201);
  });

  app.openapi(revokeToken, async (c) => {
    const principal = authorize(c, "tokens.manage");
    const record = await service(tokens).revoke(c.req.valid("param").token_id, { by: principal.name });
    return c.json(toApiToken(record, now()), 200);
  });
}
