// Auth for the served surfaces: roles, permissions, principals and authenticators.
export type { Authenticator } from "./authenticator.js";
export { createJwtVerifier, type JwtAuthOptions, type JwtVerifier, looksLikeJwt } from "./jwt-auth.js";
export {
  can,
  isRole,
  PERMISSIONS,
  type Permission,
  type Principal,
  ROLE_PERMISSIONS,
  ROLES,
  type Role,
} from "./roles.js";
export { createStaticAuth, type StaticToken } from "./static-auth.js";
export { createTokenAuth, type TokenAuthOptions } from "./token-auth.js";
export { API_TOKEN_PATTERN, API_TOKEN_PREFIX, hashApiToken, newApiToken } from "./token-hash.js";
export {
  type ApiTokenRecord,
  type CreatedToken,
  type CreateTokenInput,
  createTokenService,
  MAX_TOKEN_LIFETIME_MS,
  MAX_TOKEN_NAME_LENGTH,
  type TokenService,
  type TokenServiceOptions,
  type TokenStatus,
  tokenStatus,
  validateTokenInput,
} from "./token-service.js";
