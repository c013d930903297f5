/**
 * Who may do what over the served surfaces (HTTP API, dashboard, MCP over HTTP): the roles, the permissions
 * and the one table that joins them. Pure: no storage, no framework.
 */

/** The roles a bearer token or a verified JWT can carry, from least to most powerful (agent aside). */
export const ROLES = ["agent", "viewer", "approver", "operator", "admin"] as const;
/** One of {@link ROLES}. */
export type Role = (typeof ROLES)[number];

/**
 * What a caller may do. `*.own` permissions are limited to the caller's own agent id (an `agent` principal:
 * its sessions, their proposals, tickets and events); the others cover everything.
 */
export const PERMISSIONS = [
  /** Read sessions, proposals, tickets, events, agents, kill switches, policies and health. */
  "read",
  /** Read what belongs to the principal's agent (its sessions and what hangs off them). */
  "read.own",
  /** Open sessions for the principal's agent; pause, resume, close and abort them. */
  "sessions.own",
  /** Pause, resume, close and abort any session. */
  "sessions.control",
  /** Propose, complete, heartbeat and wait for decisions as the principal's agent. */
  "act.own",
  /** Approve or deny tickets. */
  "tickets.decide",
  /** Engage and release kill switches at any scope. */
  "kill",
  /** Register agents and record delegations. */
  "agents.manage",
  /** Validate and dry-run policies (stores nothing). */
  "policies.test",
  /** Accept a held MCP tool whose upstream definition changed (the proxy's "rug pull" hold). */
  "mcp.tools.accept",
  /** Create, list and revoke API tokens. */
  "tokens.manage",
  /** Create token budgets (reading them needs `read`). */
  "token_budgets.manage",
] as const;
/** One of {@link PERMISSIONS}. */
export type Permission = (typeof PERMISSIONS)[number];

const VIEWER: readonly Permission[] = ["read", "policies.test"];
const APPROVER: readonly Permission[] = [...VIEWER, "tickets.decide"];
const OPERATOR: readonly Permission[] = [
  ...APPROVER,
  "sessions.control",
  "kill",
  "agents.manage",
  "mcp.tools.accept",
  "token_budgets.manage",
];

/** The permissions of each role. An `agent` never decides tickets, kills, or acts for another agent. */
export const ROLE_PERMISSIONS: Readonly<Record<Role, readonly Permission[]>> = {
  agent: ["read.own", "sessions.own", "act.own"],
  viewer: VIEWER,
  approver: APPROVER,
  operator: OPERATOR,
  admin: [...OPERATOR, "tokens.manage"],
};

/** An authenticated caller: who it is, its role and, for an `agent`, the one agent id it is bound to. */
export interface Principal {
  /** Stable identifier of the credential: the token id, or `jwt:<issuer>#<subject>`. */
  readonly id: string;
  /** Who acts, as recorded in `decided_by` and audit events: the token's name, or the JWT subject. */
  readonly name: string;
  readonly role: Role;
  /** The agent an `agent` principal acts as; `null` for every other role. */
  readonly agentId: string | null;
  /** How the caller authenticated. */
  readonly via: "token" | "jwt" | "static";
}

/** Whether `principal` holds `permission`. */
export function can(principal: Principal, permission: Permission): boolean {
  return ROLE_PERMISSIONS[principal.role].includes(permission);
}

/** Whether `value` is one of {@link ROLES}. */
export function isRole(value: unknown): value is Role {
  return typeof value === "string" && (ROLES as readonly string[]).includes(value);
}
