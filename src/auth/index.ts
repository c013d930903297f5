// Auth for the served surfaces: roles, permissions, principals and authenticators.
export type { Authenticator } from "./authenticator.js";
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
