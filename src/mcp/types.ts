/**
 * The shared vocabulary of the governed MCP proxy (issue 11): the resolved config, the routing of an exposed tool
 * name to an upstream tool and its governance mapping, and the tool-pin store that holds a tool whose upstream
 * definition changed ("rug pull") until an operator accepts it. No MCP SDK type appears here; `src/mcp/` is the
 * only place importing the SDK.
 */

/** How an upstream MCP server is reached: a child process over stdio, or Streamable HTTP. */
export type UpstreamConfig =
  | {
      readonly transport: "stdio";
      readonly command: string;
      readonly args: readonly string[];
      readonly env: Readonly<Record<string, string>>;
      readonly cwd?: string;
    }
  | {
      readonly transport: "http";
      readonly url: string;
      readonly headers: Readonly<Record<string, string>>;
    };

/** Where a number or string is read from: a fixed value, or a path into the call's arguments (`args.amount`). */
export type ValueSource = { readonly value: string | number } | { readonly argument: string };

/** The governance mapping of one tool (from the config's tool map; the first matching glob wins). */
export interface ToolMapping {
  /** The control-plane action of a call (policy tiers apply to it). */
  readonly action: string;
  /** Cost of a call: fixed or read from an argument (decimal, at most 6 fraction digits). Absent: 0. */
  readonly cost?: ValueSource;
  /**
   * Resource id of a call, read from an argument (or fixed). The control plane locks a proposal's resource while
   * it runs. Absent: the gateway proposes no resource (no lock), so parallel calls of the tool all run.
   */
  readonly resource?: ValueSource;
  /** Resource type of a call (default `"mcp_tool"`). */
  readonly resourceType?: string;
  /** Hidden tools are not listed and a call to one is `-32602`. */
  readonly hide: boolean;
  /** The client's user may approve this tool through MCP elicitation (default false: only operators). */
  readonly userMayApprove: boolean;
  /**
   * The config gave no action: the upstream tool's annotations choose it (`resolveToolMapping` in tool-map.ts
   * returns the mapping with `action` settled). Until then `action` holds the fail-safe `mcp.destructive`.
   */
  readonly actionFromHints?: boolean;
}

/** The config of the proxy after parsing, defaults and checks (see `loadMcpConfig`). */
export interface McpConfig {
  /** The control plane's storage: the same database an `acp serve` uses, so operators approve from there. */
  readonly storage: { readonly sqlite: string } | { readonly postgres: string; readonly schema?: string };
  /** Default policy of the proxy's sessions (path; relative paths resolved against the config file). */
  readonly policy?: string;
  /** Upstream servers by name, in the `mcpServers` shape users already have. */
  readonly mcpServers: Readonly<Record<string, UpstreamConfig>>;
  /**
   * Tool map keyed by EXPOSED name (`server__tool`) glob; the first matching entry applies. A tool no entry
   * matches uses `defaultMapping`, and without one it is denied (fail closed).
   */
  readonly tools: readonly { readonly pattern: string; readonly mapping: ToolMapping }[];
  /** Mapping of tools the map does not name; absent ⇒ unmapped tools are denied. */
  readonly defaultMapping?: ToolMapping;
  /** Longest wait for a pending approval inside one `tools/call` before answering "retry" (ms). */
  readonly approvalWaitMs: number;
  /** Lease heartbeat interval while a forwarded call runs (ms). */
  readonly heartbeatMs: number;
  /** The agent id a stdio client acts as (over HTTP the bearer token's agent is used instead). */
  readonly agentId: string;
}

/** One exposed tool: its collision-free exposed name, where it goes upstream, and how it is governed. */
export interface ToolRoute {
  /** `server__tool`, sanitized to `[A-Za-z0-9_-]`, at most 64 characters (truncated + short hash). */
  readonly exposedName: string;
  readonly server: string;
  /** The tool's name at its upstream server (mapped back through the table, never by splitting). */
  readonly upstreamName: string;
  /** The mapping, or `undefined` when the tool is unmapped and there is no default (every call denied). */
  readonly mapping: ToolMapping | undefined;
}

/** What the pin store says about a tool definition it is shown. */
export type PinStatus =
  /** First sight: now pinned and usable. */
  | "new"
  /** Same definition as pinned (or as last accepted): usable. */
  | "same"
  /** The definition differs from the pinned one: held until an operator accepts it. */
  | "changed";

/** A pinned tool definition as stored. */
export interface ToolPin {
  readonly server: string;
  readonly tool: string;
  /** SHA-256 (hex) of the canonical JSON of the accepted definition (description, input schema, annotations…). */
  readonly fingerprint: string;
  /**
   * The accepted definition itself, so an operator can compare it with a pending one (added by the shells;
   * optional: a store that keeps only fingerprints leaves it out and the review shows the new definition only).
   */
  readonly definition?: unknown;
  /** Fingerprint of a changed definition waiting for an operator; `null` when none. */
  readonly pendingFingerprint: string | null;
  /** The changed definition itself (for the operator to review); `null` when none. */
  readonly pendingDefinition: unknown;
  readonly firstSeenAt: number;
  readonly updatedAt: number;
  /** Who accepted the current definition last (`null`: pinned on first sight). */
  readonly acceptedBy: string | null;
}

/**
 * The operator's review of held tools, as the HTTP routes `/v1/mcp/tools` and `acp mcp tools` use it
 * (structural: the tool-pin store satisfies it). No governance here: accepting only re-pins a definition.
 */
export interface HeldToolReview {
  /** Every pin with a pending (changed) definition, oldest change first. */
  listHeld(): Promise<readonly ToolPin[]>;
  /**
   * Accepts the pending definition of `server`/`tool` if its fingerprint is `fingerprint`: it becomes the
   * pinned one and the tool is usable again. Resolves with the updated pin; `"not_found"` when no such tool is
   * pinned; `"stale"` when nothing is pending or another definition is (the operator reviewed an old one).
   */
  accept(input: {
    readonly server: string;
    readonly tool: string;
    readonly fingerprint: string;
    readonly acceptedBy: string;
  }): Promise<ToolPin | "not_found" | "stale">;
}
