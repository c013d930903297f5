/**
 * The tool-pin store (`StorageTx.toolPins`) as the two ports of the proxy: the gateway's observer (is a listed
 * tool new, the same, or changed and held?) and the operator's review of held tools (list, accept).
 */
import type { Storage } from "../storage/storage.js";
import type { JsonValue } from "../types/json.js";
import { definitionFingerprint } from "./tool-fingerprint.js";
import type { HeldToolReview, PinStatus } from "./types.js";

/** What the gateway asks of the pin store (structurally the gateway's `McpPinObserver`). */
export interface ToolPinObserver {
  /** `definition` is the tool's pinned part (`pinnedDefinition` of tool-fingerprint.ts); it is fingerprinted here. */
  observe(server: string, tool: string, definition: unknown): Promise<PinStatus>;
}

/** The operator's review of held tools: the shells' {@link HeldToolReview}. */
export type ToolPinReview = HeldToolReview;

/**
 * The pin store of `storage` as the gateway's observer: one write transaction per observation (the store's
 * guarded `observe`, so proxies in several processes pin a new tool once).
 * @throws ValidationError (rejects) when the definition is not JSON.
 * @example createMcpGateway({ controlPlane, config, pins: toolPinObserver(storage) })
 */
export function toolPinObserver(storage: Storage, now: () => number = Date.now): ToolPinObserver {
  return {
    async observe(server, tool, definition) {
      const fingerprint = definitionFingerprint(definition);
      return storage.transaction((tx) =>
        tx.toolPins.observe(server, tool, fingerprint, definition as JsonValue, now()),
      );
    },
  };
}

/** The pin store of `storage` as the operator's review of held tools (for `/v1/mcp/tools` and the CLI). */
export function toolPinReview(storage: Storage, now: () => number = Date.now): ToolPinReview {
  return {
    async listHeld() {
      const pins = await storage.read((tx) => tx.toolPins.list());
      return pins.filter((p) => p.pendingFingerprint !== null).sort((a, b) => a.updatedAt - b.updatedAt);
    },
    async accept({ server, tool, fingerprint, acceptedBy }) {
      return storage.transaction(async (tx) => {
        const accepted = await tx.toolPins.accept(server, tool, fingerprint, acceptedBy, now());
        if (accepted !== undefined) return accepted;
        return (await tx.toolPins.get(server, tool)) === undefined ? "not_found" : "stale";
      });
    },
  };
}
