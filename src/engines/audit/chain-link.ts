import { createHash, hash } from "node:crypto";
import type { NewEvent } from "../../types/event.js";
import { type ChainedContent, canonicalEvent } from "./canonical-event.js";

/**
 * The label whose SHA-256 is the genesis value of every session's chain (the "previous link" of its first event).
 */
export const CHAIN_GENESIS_LABEL = "agent-control-plane audit chain v1";

/**
 * The genesis value as 64 lowercase hex digits: SHA-256 of the ASCII bytes of {@link CHAIN_GENESIS_LABEL}.
 * A session's first event links from it; a session with no chained event yet has it as its head.
 */
export const CHAIN_GENESIS: string = createHash("sha256").update(CHAIN_GENESIS_LABEL, "utf8").digest("hex");

/**
 * Benchmark switch, internal (not exported from the package): with `enabled` false the stores append events the
 * way they did before the chain existed (no link, no head). Only `npm run bench` turns it off, to measure what the
 * chain costs in the same run.
 * @internal
 */
export const auditChainSwitch: { enabled: boolean } = { enabled: true };

/**
 * The UTF-8 bytes of an event's canonical JSON ({@link canonicalEvent}): the second part of its link's input.
 * @example
 * chainPayload({ sessionId: "s1", kind: "session_opened", payload: {}, at: 1 }).length; // 102
 */
export function chainPayload(event: NewEvent | ChainedContent): Buffer {
  return Buffer.from(canonicalEvent(event), "utf8");
}

/**
 * One link of a session's hash chain, as 64 lowercase hex digits.
 *
 * Byte layout of the hashed input (no separator, no length prefix: the first part has a fixed length):
 * ```
 * link(n) = SHA-256( prev (32 bytes) || UTF-8( canonicalEvent(event n) ) )
 * prev    = the raw 32 bytes of link(n - 1), or of CHAIN_GENESIS for n = 1
 * ```
 * The stored form of a link is its lowercase hex text (in `acp_events.chain_hash`, and the session's head in
 * `acp_sessions.chain_head`).
 * @param prev the previous link (or {@link CHAIN_GENESIS}) as 64 hex digits.
 * @param payload the event's canonical bytes ({@link chainPayload}).
 * @example
 * const first = chainLink(CHAIN_GENESIS, chainPayload(event1));
 * const second = chainLink(first, chainPayload(event2));
 */
export function chainLink(prev: string, payload: Uint8Array): string {
  const input = inputBuffer(32 + payload.byteLength);
  writePrev(input, prev);
  input.set(payload, 32);
  return hash("sha256", input.subarray(0, 32 + payload.byteLength), "hex");
}

/**
 * The link of `event` after `prev` (`null` = the genesis value): `chainLink(prev ?? CHAIN_GENESIS,
 * chainPayload(event))`.
 * @example
 * const link = linkEvent(null, { sessionId: "s1", kind: "session_opened", payload: {}, at: 1 });
 */
export function linkEvent(prev: string | null, event: NewEvent | ChainedContent): string {
  const canonical = canonicalEvent(event);
  // Both parts go into one reused buffer: the previous link's 32 bytes, then the canonical JSON's UTF-8 bytes
  // (at most 3 bytes per UTF-16 code unit, so the whole string always fits).
  const input = inputBuffer(32 + 3 * canonical.length);
  writePrev(input, prev ?? CHAIN_GENESIS);
  const length = 32 + input.write(canonical, 32, "utf8");
  // Hex output straight from the hash: cheaper than a 32-byte Buffer result (one allocation less).
  return hash("sha256", input.subarray(0, length), "hex");
}

/**
 * The input buffer reused by every link computation (they are synchronous, so one per thread suffices), grown
 * when an input needs more room.
 */
let scratch: Buffer = Buffer.allocUnsafeSlow(4096);

function inputBuffer(size: number): Buffer {
  if (scratch.length < size) scratch = Buffer.allocUnsafeSlow(Math.max(size, 2 * scratch.length));
  return scratch;
}

/** Writes the 32 bytes of a hex link at the start of `input` (zeros after the valid hex of a malformed link). */
function writePrev(input: Buffer, prev: string): void {
  const written = input.write(prev, 0, 32, "hex");
  if (written < 32) input.fill(0, written, 32);
}
