import type { EventRecord } from "./event.js";

/** A session event as the audit chain sees it: the record and the link stored with it. */
export interface ChainedEvent {
  readonly event: EventRecord;
  /**
   * The event's stored chain link (64 lowercase hex digits), or `null` for an event appended before the
   * chain existed (a database migrated from an older version).
   */
  readonly chainHash: string | null;
}

/** A session's chain head: its last allocated sequence number and the link of that event. */
export interface ChainHead {
  readonly sessionId: string;
  /** The session's `lastSeq`: every seq from 1 to it was appended. */
  readonly lastSeq: number;
  /** The link of the event at `lastSeq`; `null` while the session has no chained event. */
  readonly link: string | null;
}
