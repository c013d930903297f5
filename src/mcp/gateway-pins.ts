import type { Storage } from "../storage/storage.js";
import type { JsonValue } from "../types/json.js";
import type { McpPinObserver } from "./gateway-routes.js";
import { type ToolDefinition, toolFingerprint } from "./tool-fingerprint.js";

/**
 * The gateway's view of the tool-pin store of `storage` (the same database the control plane and `acp serve`
 * use, so an operator accepts a held tool from the dashboard or `acp mcp tools accept`). Each observation is
 * one transaction of the store's guarded `observe`: proxies in several processes pin a new tool once.
 * @example
 * const gateway = await createMcpGateway({ controlPlane: cp, config, pins: storagePins(storage) });
 */
export function storagePins(storage: Storage, now: () => number = Date.now): McpPinObserver {
  return {
    observe(server, tool, definition) {
      const fingerprint = toolFingerprint(definition as ToolDefinition);
      return storage.transaction((tx) =>
        tx.toolPins.observe(server, tool, fingerprint, definition as JsonValue, now()),
      );
    },
  };
}
