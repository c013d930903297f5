import type { PinStatus, ToolPin } from "../mcp/types.js";
import type { JsonValue } from "../types/json.js";

export type { PinStatus, ToolPin } from "../mcp/types.js";

/**
 * Pinned upstream tool definitions of the MCP proxy, keyed by `(server, tool)`: the config's server name and the
 * tool's upstream name. A definition that changes after first sight (a tool "rug pull") is held until an
 * operator accepts it. Every method is one guarded primitive: proxies in several processes sharing the
 * database observe and accept safely (two proxies seeing a tool at once pin it once).
 */
export interface ToolPinStore {
  /**
   * Shows the store the definition an upstream lists now, and answers whether the tool may be used:
   * - no pin yet ⇒ pins `fingerprint` and `definition`, answers `"new"` (exactly one of racing callers does);
   * - `fingerprint` is the pinned one ⇒ `"same"` (a pending change, if any, stays recorded for the operator);
   * - otherwise ⇒ keeps the pin, records `fingerprint`/`definition` as the pending change (the latest different
   *   definition replaces an older pending one) and answers `"changed"` — for every later observation of it,
   *   until an operator accepts it.
   * `definition` must be JSON (it is stored for the operator to review).
   */
  observe(
    server: string,
    tool: string,
    fingerprint: string,
    definition: JsonValue,
    now: number,
  ): Promise<PinStatus>;
  /**
   * Accept-the-reviewed-change: pins the pending definition only if its fingerprint is `fingerprint` (so an
   * operator never accepts a definition they did not see: a newer pending change makes this fail). Clears the
   * pending change and records `by`. Returns the updated pin, or `undefined` when there is no such pending change.
   */
  accept(
    server: string,
    tool: string,
    fingerprint: string,
    by: string,
    now: number,
  ): Promise<ToolPin | undefined>;
  /** The pin of one tool, if it has been seen. */
  get(server: string, tool: string): Promise<ToolPin | undefined>;
  /** Every pin, ordered by server then tool (code-point order). */
  list(): Promise<readonly ToolPin[]>;
}
