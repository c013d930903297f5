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

/** How the link walk saw one event. */
type Step =
  | { readonly status: "ok" | "anchor" | "unchained" }
  /** A link that does not follow from its predecessor's; `pred` is the index it follows from (-1: genesis). */
  | {
      readonly status: "fail";
      readonly pred: number | undefined;
      readonly problem: AuditProblem | undefined;
    };

/**
 * Recomputes every link from its predecessor's stored link and the event's canonical JSON. A mismatch is
 * - `reordered` when the link follows from another event's link and so the event's original position (one after
 *   that event's original position) is not where it stands now; events around a move that follow from the right
 *   event are not reported, events shifted by it are;
 * - `payload_changed` when the stored link still chains on (the next event's link, or the session's head,
 *   follows from it): the content was edited under an intact link;
 * - `chain_broken` otherwise (the link itself was rewritten; the next event is checked against the recomputed
 *   link, so one rewritten link is one problem).
 * After a gap the first event is taken as a new anchor (the gap is `missing_event`'s); events without a link are
 * `unchained` (one problem per run of them).
 */
export const checkLinks: ChainCheck = ({ head, events }) => {
  const steps: Step[] = [];
  let prev: string | null = null;
  let prevSeq = 0;
  let rewritten: string | undefined;
  for (let i = 0; i < events.length; i++) {
    const ce = events[i]!;
    const seq = seqOf(ce);
    const previousRewritten = rewritten;
    rewritten = undefined;
    if (ce.chainHash === null) {
      steps.push({ status: "unchained" });
      prev = null;
      prevSeq = seq;
      continue;
    }
    if (seq !== prevSeq + 1) {
      steps.push({ status: "anchor" });
    } else {
      const expected = linkEvent(prev, ce.event);
      if (
        expected === ce.chainHash ||
        (previousRewritten !== undefined && linkEvent(previousRewritten, ce.event) === ce.chainHash)
      ) {
        steps.push({ status: "ok" });
      } else {
        const pred = findPredecessor(events, i);
        const problem = pred === undefined ? classify(head, events, i) : undefined;
        if (problem?.kind === "chain_broken") rewritten = expected;
        steps.push({ status: "fail", pred, problem });
      }
    }
    prev = ce.chainHash;
    prevSeq = seq;
  }
  const original = originalSeqs(events, steps);
  const problems: AuditProblem[] = [];
  let unchainedFrom: number | undefined;
  for (let i = 0; i < events.length; i++) {
    const step = steps[i]!;
    const seq = seqOf(events[i]!);
    if (step.status === "unchained") {
      unchainedFrom ??= seq;
      const next = steps[i + 1];
      if (next === undefined || next.status !== "unchained") {
        problems.push({
          kind: "unchained",
          sessionId: head.sessionId,
          seq: unchainedFrom,
          detail: `seqs ${unchainedFrom}..${seq} have no chain link (appended before the hash chain existed)`,
        });
        unchainedFrom = undefined;
      }
      continue;
    }
    if (step.status === "fail" && step.problem !== undefined) {
      problems.push(step.problem);
    } else if (original[i] !== seq) {
      problems.push({
        kind: "reordered",
        sessionId: head.sessionId,
        seq,
        detail: `the event at seq ${seq} was appended as seq ${original[i]} (its link follows from that position)`,
      });
    }
  }
  return problems;
};

/** The index of the event whose stored link this event's link follows from (-1: genesis), other than i - 1. */
function findPredecessor(events: readonly ChainedEvent[], i: number): number | undefined {
  if (events.length > MAX_PREDECESSOR_SEARCH) return undefined;
  const ce = events[i]!;
  for (let j = -1; j < events.length; j++) {
    if (j === i || j === i - 1) continue;
    const candidate = j === -1 ? null : events[j]!.chainHash;
    if (j >= 0 && candidate === null) continue;
    if (linkEvent(candidate, ce.event) === ce.chainHash) return j;
  }
  return undefined;
}

/**
 * Each event's original position as its link tells it: one after its predecessor's (the event before it, or the
 * one {@link findPredecessor} found); its own seq where the chain cannot tell (anchors, unchained, unexplained).
 */
function originalSeqs(events: readonly ChainedEvent[], steps: readonly Step[]): number[] {
  const original: (number | undefined)[] = events.map((ce, i) => {
    const step = steps[i]!;
    if (step.status === "ok") return i === 0 || steps[i - 1]!.status === "unchained" ? seqOf(ce) : undefined;
    if (step.status === "fail") return step.pred === -1 ? 1 : step.pred === undefined ? seqOf(ce) : undefined;
    return seqOf(ce);
  });
  const dependsOn = (i: number): number => {
    const step = steps[i]!;
    return step.status === "fail" ? step.pred! : i - 1;
  };
  // Resolve along the dependencies (each pass settles at least one more event unless what is left is cyclic).
  for (let changed = true; changed; ) {
    changed = false;
    for (let i = 0; i < events.length; i++) {
      if (original[i] !== undefined) continue;
      const before = original[dependsOn(i)];
      if (before !== undefined) {
        original[i] = before + 1;
        changed = true;
      }
    }
  }
  return original.map((o, i) => o ?? seqOf(events[i]!));
}

function classify(head: ChainHead, events: readonly ChainedEvent[], i: number): AuditProblem {
  const ce = events[i]!;
  const seq = seqOf(ce);
  const at = { sessionId: head.sessionId, seq };
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
      detail: `the session's head link is not the link of its last event (seq ${maxSeq}): events after it were cut (or the links were rewritten up to it)`,
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
