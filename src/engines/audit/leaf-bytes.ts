import type { EventRecord } from "../../types/event.js";
import { canonicalJson } from "../policy/canonical-json.js";

/**
 * The bytes of an event's Merkle leaf: the UTF-8 of the event's canonical JSON (every field of the stored record,
 * keys sorted, no whitespace). Temporary: replaced at merge by the RFC 8785 canonicalization of
 * `canonical-event.ts`, which the per-session hash chain uses too.
 * @example leafBytes(event).toString("utf8") // '{"agentId":null,"at":1767225600000,"id":1,...}'
 */
export function leafBytes(event: EventRecord): Buffer {
  return Buffer.from(
    canonicalJson({
      id: event.id,
      sessionId: event.sessionId,
      seq: event.seq,
      kind: event.kind,
      agentId: event.agentId,
      proposalId: event.proposalId,
      ticketId: event.ticketId,
      payload: event.payload,
      at: event.at,
    }),
    "utf8",
  );
}
