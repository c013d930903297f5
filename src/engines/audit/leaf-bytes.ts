import type { EventRecord } from "../../types/event.js";
import { canonicalize } from "./canonical-event.js";

/**
 * The bytes of an event's Merkle leaf: the UTF-8 of the event's RFC 8785 canonical JSON (every field of the stored
 * record, feed id and sequence number included; the same canonicalization as the per-session hash chain).
 * @example leafBytes(event).toString("utf8") // '{"agentId":null,"at":1767225600000,"id":1,...}'
 */
export function leafBytes(event: EventRecord): Buffer {
  return Buffer.from(
    canonicalize({
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
