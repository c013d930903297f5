import type { ChainedEvent, ChainHead } from "../../types/audit-chain.js";
import type { AuditProblem } from "./audit-problem.js";
import { linkEvent } from "./chain-link.js";

/**
 * What the chain checks look at: one session's head and its stored events with `seq <= head.lastSeq`, ascending
 * by `seq` (as the store returns them, whatever was done to the rows).
 */
export interface SessionChain {
  readonly head: ChainHead;
  readonly events: readonly ChainedEvent[];
}

/** One check of a session's chain: pure, the chain in, its findings out. */
export type ChainCheck = (chain: SessionChain) => readonly AuditProblem[];

/** Most events the `reordered` search tries as predecessors of a failing link (it costs one hash each). */
const MAX_PREDECESSOR_SEARCH = 100_000;

const seqOf = (e: ChainedEvent): number => e.event.seq ?? 0;

/** `missing_event` for every gap in the sequence numbers 1, 2, 3… (an event deleted from the middle or head). */
export const checkGaps: ChainCheck = ({ head, events }) => {
  const problems: AuditProblem[] = [];
  let expected = 1;
  for (const e of events) {
    const seq = seqOf(e);
    if (seq > expected) {
      const range = seq - 1 === expected ? `seq ${expected} is` : `seqs ${expected}..${seq - 1} are`;
      problems.push({
        kind: "missing_event",
        sessionId: head.sessionId,
        seq: expected,
        detail: `${range} missing`,
      });
    }
    expected = Math.max(expected, seq + 1);
  }
  return problems;
};

/**
 * `reordered` where the feed ids disagree with the sequence numbers: within a session both grow with every
 * append (the session's row lock or the single SQLite writer orders them), so a later seq with a smaller id was
 * moved.
 */
export const checkOrder: ChainCheck = ({ head, events }) => {
  const problems: AuditProblem[] = [];
  for (let i = 1; i < events.length; i++) {
    const before = events[i - 1]!.event;
    const e = events[i]!.event;
    if (e.id < before.id) {
      problems.push({
        kind: "reordered",
        sessionId: head.sessionId,
        seq: seqOf(events[i]!),
        detail: `seq ${e.seq} (feed id ${e.id}) was appended before seq ${before.seq} (feed id ${before.id})`,
      });
    }
  }
  return problems;
};

/**
 * Recomputes every link from its predecessor's stored link and the event's canonical JSON. A mismatch is
 * - `reordered` when the link follows from another event's link (the event was appended after that one);
 * - `payload_changed` when the stored link still chains on (the next event's link, or the session's head,
 *   follows from it): the content was edited under an intact link;
 * - `chain_broken` otherwise (the link itself was rewritten).
 * After a gap the first event is taken as a new anchor (the gap is `missing_event`'s); events without a link are
 * `unchained` (one problem per run of them).
 */
export const checkLinks: ChainCheck = ({ head, events }) => {
  const problems: AuditProblem[] = [];
  let prev: string | null = null;
  let prevSeq = 0;
  let unchainedFrom: number | null = null;
  const closeUnchained = (lastSeq: number): void => {
    if (unchainedFrom === null) return;
    problems.push({
      kind: "unchained",
      sessionId: head.sessionId,
      seq: unchainedFrom,
      detail: `seqs ${unchainedFrom}..${lastSeq} have no chain link (appended before the hash chain existed)`,
    });
    unchainedFrom = null;
  };
  for (let i = 0; i < events.length; i++) {
    const ce = events[i]!;
    const seq = seqOf(ce);
    if (ce.chainHash === null) {
      unchainedFrom ??= seq;
      prev = null;
      prevSeq = seq;
      continue;
    }
    closeUnchained(prevSeq);
    const anchored = seq !== prevSeq + 1;
    if (!anchored && linkEvent(prev, ce.event) !== ce.chainHash) problems.push(classify(head, events, i));
    prev = ce.chainHash;
    prevSeq = seq;
  }
  closeUnchained(prevSeq);
  return problems;
};

function classify(head: ChainHead, events: readonly ChainedEvent[], i: number): AuditProblem {
  const ce = events[i]!;
  const seq = seqOf(ce);
  const at = { sessionId: head.sessionId, seq };
  if (events.length <= MAX_PREDECESSOR_SEARCH) {
    for (let j = -1; j < events.length; j++) {
      if (j === i || j === i - 1) continue;
      const candidate = j === -1 ? null : events[j]!.chainHash;
      if (j >= 0 && candidate === null) continue;
      if (linkEvent(candidate, ce.event) === ce.chainHash) {
        const after =
          j === -1
            ? "first, before every other event"
            : `right after the event now at seq ${seqOf(events[j]!)}`;
        return { kind: "reordered", ...at, detail: `the event at seq ${seq} was appended ${after}` };
      }
    }
  }
  const next = events[i + 1];
  const chainsOn =
    next === undefined
      ? head.lastSeq === seq && head.link === ce.chainHash
      : seqOf(next) === seq + 1 &&
        next.chainHash !== null &&
        linkEvent(ce.chainHash, next.event) === next.chainHash;
  if (chainsOn) {
    return {
      kind: "payload_changed",
      ...at,
      detail: `the content of the event at seq ${seq} does not match its link (edited after it was appended)`,
    };
  }
  return {
    kind: "chain_broken",
    ...at,
    detail: `the link stored at seq ${seq} does not follow from the link at seq ${seq - 1}`,
  };
}

/**
 * `truncated` when events were cut from the tail: the session's last seq is beyond the last stored event, or its
 * head link differs from the link of an intact last event (the tail was cut and the counter rewound).
 */
export const checkTail: ChainCheck = ({ head, events }) => {
  const last = events.at(-1);
  const maxSeq = last === undefined ? 0 : seqOf(last);
  const at = { kind: "truncated", sessionId: head.sessionId } as const;
  if (head.lastSeq > maxSeq) {
    const range =
      head.lastSeq === maxSeq + 1 ? `seq ${head.lastSeq} is` : `seqs ${maxSeq + 1}..${head.lastSeq} are`;
    return [
      {
        ...at,
        seq: maxSeq + 1,
        detail: `${range} missing at the tail (the session's last seq is ${head.lastSeq})`,
      },
    ];
  }
  if (last === undefined || head.link === null || last.chainHash === null || head.link === last.chainHash)
    return [];
  const before = events.at(-2);
  const prev = before !== undefined && seqOf(before) === maxSeq - 1 ? before.chainHash : null;
  const intact =
    (before === undefined ? maxSeq === 1 : prev !== null) && linkEvent(prev, last.event) === last.chainHash;
  if (!intact) return [];
  return [
    {
      ...at,
      seq: maxSeq + 1,
      detail: `the session's head link is not the link of its last event (seq ${maxSeq}): events after it were cut`,
    },
  ];
};

/**
 * Every per-session check, combined in this one place (add a check here and every verification runs it).
 */
export const CHAIN_CHECKS: readonly ChainCheck[] = [checkGaps, checkOrder, checkLinks, checkTail];

/**
 * Verifies one session's chain with every check of {@link CHAIN_CHECKS}. Problems come sorted by seq, each
 * (kind, seq) once.
 * @example
 * const problems = verifyChain({ head, events });
 * if (problems.length === 0) console.log("session intact");
 */
export function verifyChain(
  chain: SessionChain,
  checks: readonly ChainCheck[] = CHAIN_CHECKS,
): AuditProblem[] {
  const seen = new Set<string>();
  const problems: AuditProblem[] = [];
  for (const check of checks) {
    for (const p of check(chain)) {
      const key = `${p.kind}:${p.seq ?? ""}`;
      if (seen.has(key)) continue;
      seen.add(key);
      problems.push(p);
    }
  }
  return problems.sort((a, b) => (a.seq ?? 0) - (b.seq ?? 0));
}
