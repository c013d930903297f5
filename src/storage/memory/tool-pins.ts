import type { ToolPin, ToolPinStore } from "../tool-pin-store.js";
import { frozenJson, type MemoryState, readCopy } from "./memory-state.js";

const key = (server: string, tool: string) => `${server}\u0000${tool}`;
/** Code-point order (as SQLite's BINARY and PostgreSQL's "C" collation order UTF-8 text). */
const byServerTool = (a: ToolPin, b: ToolPin) =>
  Buffer.compare(Buffer.from(a.server), Buffer.from(b.server)) ||
  Buffer.compare(Buffer.from(a.tool), Buffer.from(b.tool));

/** Memory implementation of {@link ToolPinStore} (transactions are serialised, so every guard holds). */
export function memoryToolPins(s: MemoryState): ToolPinStore {
  return {
    async observe(server, tool, fingerprint, definition, now) {
      const k = key(server, tool);
      const pin = s.toolPins.get(k);
      if (pin === undefined) {
        s.assertWritable();
        s.put(s.toolPins, k, {
          server,
          tool,
          fingerprint,
          definition: frozenJson(definition),
          pendingFingerprint: null,
          pendingDefinition: null,
          firstSeenAt: now,
          updatedAt: now,
          acceptedBy: null,
        });
        return "new";
      }
      if (pin.fingerprint === fingerprint) return "same";
      if (pin.pendingFingerprint !== fingerprint) {
        s.assertWritable();
        s.put(s.toolPins, k, {
          ...pin,
          pendingFingerprint: fingerprint,
          pendingDefinition: frozenJson(definition),
          updatedAt: now,
        });
      }
      return "changed";
    },
    async accept(server, tool, fingerprint, by, now) {
      s.assertWritable();
      const k = key(server, tool);
      const pin = s.toolPins.get(k);
      if (pin === undefined || pin.pendingFingerprint === null || pin.pendingFingerprint !== fingerprint) {
        return undefined;
      }
      const updated: ToolPin = {
        ...pin,
        fingerprint,
        definition: pin.pendingDefinition,
        pendingFingerprint: null,
        pendingDefinition: null,
        updatedAt: now,
        acceptedBy: by,
      };
      s.put(s.toolPins, k, updated);
      return readCopy(s.toolPins.get(k));
    },
    async get(server, tool) {
      return readCopy(s.toolPins.get(key(server, tool)));
    },
    async list() {
      return [...s.toolPins.values()].sort(byServerTool).map((p) => readCopy(p) as ToolPin);
    },
  };
}
