import { describe, expect, it } from "vitest";
import type { ChainedEvent, ChainHead } from "../../types/audit-chain.js";
import type { EventRecord } from "../../types/event.js";
import { CHAIN_GENESIS, chainLink, chainPayload, linkEvent } from "./chain-link.js";
import { type SessionChain, verifyChain } from "./verify-chain.js";

function event(seq: number): EventRecord {
  return {
    id: seq * 10,
    sessionId: "s1",
    seq,
    kind: "proposal_decided",
    agentId: "a1",
    proposalId: `p${seq}`,
    ticketId: null,
    payload: { outcome: "allowed", n: seq },
    at: 1_000 + seq,
  };
}

/** An intact chain of `n` events, as `append` builds it. */
function intact(n: number): SessionChain {
  const events: ChainedEvent[] = [];
  let prev: string | null = null;
  for (let seq = 1; seq <= n; seq++) {
    const e = event(seq);
    prev = linkEvent(prev, e);
    events.push({ event: e, chainHash: prev });
  }
  const head: ChainHead = { sessionId: "s1", lastSeq: n, link: prev };
  return { head, events };
}

const found = (chain: SessionChain) => verifyChain(chain).map((p) => `${p.kind}@${p.seq}`);

/** Swaps the positions (seq) of two events, keeping everything else of each row. */
function swapSeqs(chain: SessionChain, a: number, b: number): SessionChain {
  const events = chain.events.map((ce) => {
    const seq = ce.event.seq === a ? b : ce.event.seq === b ? a : ce.event.seq;
    return { ...ce, event: { ...ce.event, seq } };
  });
  return { ...chain, events: events.sort((x, y) => (x.event.seq ?? 0) - (y.event.seq ?? 0)) };
}

describe("chainLink", () => {
  it("hashes the 32 raw bytes of the previous link, then the canonical JSON's UTF-8 bytes", async () => {
    const { createHash } = await import("node:crypto");
    const e = event(1);
    const manual = createHash("sha256")
      .update(
        Buffer.concat([
          Buffer.from(CHAIN_GENESIS, "hex"),
          Buffer.from(
            JSON.stringify(
              JSON.parse(
                '{"agentId":"a1","at":1001,"kind":"proposal_decided","payload":{"n":1,"outcome":"allowed"},"proposalId":"p1","sessionId":"s1","ticketId":null}',
              ),
            ),
            "utf8",
          ),
        ]),
      )
      .digest("hex");
    expect(chainLink(CHAIN_GENESIS, chainPayload(e))).toBe(manual);
    expect(linkEvent(null, e)).toBe(manual);
    expect(CHAIN_GENESIS).toBe(
      createHash("sha256").update("agent-control-plane audit chain v1").digest("hex"),
    );
  });
});

describe("verifyChain", () => {
  it("finds nothing in an intact chain", () => {
    expect(found(intact(6))).toEqual([]);
    expect(found({ head: { sessionId: "s1", lastSeq: 0, link: null }, events: [] })).toEqual([]);
  });

  it("an edited payload is payload_changed at its seq (also the last one, vouched for by the head)", () => {
    for (const seq of [1, 3, 6]) {
      const chain = intact(6);
      const events = chain.events.map((ce) =>
        ce.event.seq === seq
          ? { ...ce, event: { ...ce.event, payload: { outcome: "allowes", n: seq } } }
          : ce,
      );
      expect(found({ ...chain, events })).toEqual([`payload_changed@${seq}`]);
    }
  });

  it("a deleted event is missing_event (middle or first), not a cascade of link errors", () => {
    const chain = intact(6);
    expect(found({ ...chain, events: chain.events.filter((e) => e.event.seq !== 3) })).toEqual([
      "missing_event@3",
    ]);
    expect(found({ ...chain, events: chain.events.filter((e) => e.event.seq !== 1) })).toEqual([
      "missing_event@1",
    ]);
    expect(found({ ...chain, events: chain.events.filter((e) => ![3, 4].includes(e.event.seq!)) })).toEqual([
      "missing_event@3",
    ]);
  });

  it("a cut tail is truncated: against the last seq, or against the head link when the counter was rewound", () => {
    const chain = intact(6);
    const cut = chain.events.slice(0, 4);
    expect(found({ ...chain, events: cut })).toEqual(["truncated@5"]);
    expect(found({ head: { ...chain.head, lastSeq: 4 }, events: cut })).toEqual(["truncated@5"]);
    expect(found({ ...chain, events: [] })).toEqual(["truncated@1"]);
  });

  it("swapped positions are reordered (seq swap with ids kept, and content moved with ids)", () => {
    expect(found(swapSeqs(intact(6), 3, 4))).toEqual(["reordered@3", "reordered@4"]);
    expect(found(swapSeqs(intact(6), 1, 2))).toEqual(["reordered@1", "reordered@2"]);
    // The rows' ids follow the positions too: only the links tell.
    const moved = swapSeqs(intact(6), 2, 5);
    const events = moved.events.map((ce) => ({
      ...ce,
      event: { ...ce.event, id: (ce.event.seq ?? 0) * 10 },
    }));
    expect(found({ ...moved, events })).toEqual(["reordered@2", "reordered@5"]);
    // A block move shifts every event in between: each stands one seq off its original position.
    const order = [1, 3, 4, 5, 2, 6];
    const shifted = intact(6);
    const block = order.map((from, k) => {
      const ce = shifted.events[from - 1]!;
      return { ...ce, event: { ...ce.event, seq: k + 1 } };
    });
    expect(found({ ...shifted, events: block })).toEqual([
      "reordered@2",
      "reordered@3",
      "reordered@4",
      "reordered@5",
    ]);
  });

  it("a rewritten link is chain_broken once (the next event is checked against the recomputed link)", () => {
    const chain = intact(6);
    const events = chain.events.map((ce) => (ce.event.seq === 3 ? { ...ce, chainHash: "0".repeat(64) } : ce));
    expect(found({ ...chain, events })).toEqual(["chain_broken@3"]);
  });

  it("an edit with every later link recomputed is caught by the head (reported as a cut tail: they look alike)", () => {
    const chain = intact(4);
    const forged: ChainedEvent[] = [];
    let prev: string | null = null;
    for (const ce of chain.events) {
      const e = ce.event.seq === 2 ? { ...ce.event, payload: { outcome: "denied", n: 2 } } : ce.event;
      prev = linkEvent(prev, e);
      forged.push({ event: e, chainHash: prev });
    }
    expect(found({ head: chain.head, events: forged })).toEqual(["truncated@5"]);
  });

  it("events from before the chain are unchained; the chain then starts from the genesis value", () => {
    const old = intact(3).events.map((ce) => ({ ...ce, chainHash: null }));
    let prev: string | null = null;
    const later: ChainedEvent[] = [4, 5].map((seq) => {
      prev = linkEvent(prev, event(seq));
      return { event: event(seq), chainHash: prev };
    });
    const head: ChainHead = { sessionId: "s1", lastSeq: 5, link: prev };
    const problems = verifyChain({ head, events: [...old, ...later] });
    expect(problems).toEqual([
      expect.objectContaining({ kind: "unchained", seq: 1, detail: expect.stringContaining("1..3") }),
    ]);
  });
});
