import { beforeAll, describe, expect, it } from "vitest";
import type { ControlPlane } from "../../src/control-plane/control-plane.js";
import type { AuditBundle } from "../../src/engines/audit/audit-bundle.js";
import { parseCheckpoint, signCheckpoint } from "../../src/engines/audit/checkpoint.js";
import { generateKeyFile, parseKeyFile } from "../../src/engines/audit/keys.js";
import { verifyAuditBundle } from "../../src/engines/audit/verify-bundle.js";
import { createMemoryStorage } from "../../src/storage/memory/memory-storage.js";
import type { EventRecord } from "../../src/types/event.js";
import { makeControlPlane } from "../support/control-plane-fixture.js";

let cp: ControlPlane;
let bundle: AuditBundle;
let firstNote: string;

/** A bundle as a tamperer edits it (everything mutable). */
interface LooseBundle {
  events: (EventRecord & { payload: Record<string, unknown> })[];
  inclusion_proofs: string[][];
  earlier_checkpoints: { checkpoint: string; consistency_proof: string[] }[];
  public_keys: string[];
}
const copy = (): LooseBundle => JSON.parse(JSON.stringify(bundle)) as LooseBundle;
const kinds = (b: unknown, trusted?: string) =>
  verifyAuditBundle(b, trusted === undefined ? {} : { trustedCheckpoint: trusted }).problems.map(
    (p) => p.kind,
  );

beforeAll(async () => {
  ({ cp } = await makeControlPlane(createMemoryStorage(), {
    auditKeys: parseKeyFile(generateKeyFile("acp.test/bundle")),
  }));
  const session = await cp.openSession({ name: "bundle" });
  const act = async (i: number) => {
    const d = await cp.propose({ sessionId: session.id, action: "read_file", resourceId: `f${i}` });
    if (d.outcome === "allowed") await cp.complete(d.proposalId, { ok: true });
  };
  for (let i = 0; i < 3; i++) await act(i);
  firstNote = (await cp.sealCheckpoint())!.note;
  for (let i = 3; i < 6; i++) await act(i);
  bundle = JSON.parse(JSON.stringify(await cp.exportAudit())) as AuditBundle;
});

describe("offline verification of an audit bundle", () => {
  it("verifies an untouched bundle, also against an earlier trusted checkpoint", () => {
    expect(bundle.events.length).toBeGreaterThan(10);
    expect(bundle.inclusion_proofs).toHaveLength(bundle.events.length);
    expect(bundle.earlier_checkpoints).toHaveLength(1);
    expect(verifyAuditBundle(copy(), { trustedCheckpoint: firstNote })).toEqual({
      ok: true,
      checkedEvents: bundle.events.length,
      treeSize: bundle.events.length,
      problems: [],
    });
  });

  it("reports an edited event as an inclusion failure of exactly that event", () => {
    const b = copy();
    const target = b.events[4]!;
    b.events[4]!.payload = { ...target.payload, edited: 1 };
    const result = verifyAuditBundle(b);
    const failures = result.problems.filter((p) => p.kind === "inclusion_failed");
    expect(failures).toEqual([
      { seq: target.seq, kind: "inclusion_failed", detail: expect.stringContaining(`event id ${target.id}`) },
    ]);
    expect(result.problems.map((p) => p.kind)).toContain("root_mismatch");
    expect(result.ok).toBe(false);
  });

  it("reports a truncated tail, and events appended after the checkpoint", () => {
    const cut = copy();
    cut.events.splice(-2);
    cut.inclusion_proofs.splice(-2);
    expect(verifyAuditBundle(cut).problems).toEqual([
      expect.objectContaining({
        kind: "truncated_log",
        detail: expect.stringMatching(/2 missing at its end/),
      }),
    ]);
    const extra = copy();
    const last = extra.events.at(-1)!;
    extra.events.push({ ...last, id: last.id + 1, seq: (last.seq ?? 0) + 1 });
    expect(kinds(extra)).toEqual(["unsealed_events"]);
  });

  it("reports reordered events and a deleted middle event", () => {
    const swapped = copy();
    const events = swapped.events;
    events.splice(2, 2, events[3]!, events[2]!);
    expect(kinds(swapped)).toEqual(
      expect.arrayContaining(["feed_order", "seq_gap", "inclusion_failed", "root_mismatch"]),
    );
    const gap = copy();
    gap.events.splice(5, 1);
    gap.inclusion_proofs.splice(5, 1);
    expect(kinds(gap)).toEqual(expect.arrayContaining(["seq_gap", "truncated_log", "inclusion_failed"]));
  });

  it("reports a broken consistency proof and a replaced public key", () => {
    const b = copy();
    const proof = b.earlier_checkpoints[0]!.consistency_proof;
    proof[0] = Buffer.alloc(32, 7).toString("base64");
    expect(kinds(b)).toEqual(["inconsistent_checkpoint"]);
    const swappedKey = copy();
    const other = parseKeyFile(generateKeyFile("acp.test/bundle"));
    swappedKey.public_keys = [other.publicKeys[0]!.text];
    expect(kinds(swappedKey)).toEqual(["bad_signature", "bad_signature"]);
  });

  it("reports a trusted checkpoint signed by a stranger, or of another log", () => {
    const parsed = parseCheckpoint(firstNote);
    if (!parsed.ok) throw new Error(parsed.detail);
    const stranger = parseKeyFile(generateKeyFile("acp.test/bundle"));
    expect(kinds(copy(), signCheckpoint(parsed.checkpoint, stranger.signer))).toEqual(["bad_signature"]);
    const elsewhere = parseKeyFile(generateKeyFile("acp.test/elsewhere"));
    const foreign = signCheckpoint({ ...parsed.checkpoint, origin: elsewhere.origin }, elsewhere.signer);
    expect(kinds(copy(), foreign)).toEqual(["bad_signature", "origin_mismatch"]);
  });

  it.each([
    ["not an object", 42],
    ["a wrong format", { format: "x" }],
    ["a malformed event", "event"],
  ])("refuses %s as bundle_invalid", (_, input) => {
    const value = input === "event" ? { ...copy(), events: [{ id: "1" }] } : input;
    expect(verifyAuditBundle(value)).toMatchObject({
      ok: false,
      problems: [{ kind: "bundle_invalid", detail: expect.any(String) }],
    });
  });
});
