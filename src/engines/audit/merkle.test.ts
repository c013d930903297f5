import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  appendToFrontier,
  EMPTY_TREE_HASH,
  frontierRoot,
  leafHash,
  MerkleTree,
  verifyConsistency,
  verifyInclusion,
} from "./merkle.js";

// Reference definitions written straight from RFC 9162 section 2.1, over the raw leaf data, independent of the
// implementation under test (own hashing, recursion on sub-lists).
const sha = (...parts: Uint8Array[]) => {
  const h = createHash("sha256");
  for (const p of parts) h.update(p);
  return h.digest();
};
const k = (n: number) => {
  let p = 1;
  while (p * 2 < n) p *= 2;
  return p;
};
function mth(d: readonly Buffer[]): Buffer {
  if (d.length === 0) return sha();
  if (d.length === 1) return sha(Buffer.from([0]), d[0]!);
  const s = k(d.length);
  return sha(Buffer.from([1]), mth(d.slice(0, s)), mth(d.slice(s)));
}
function path(m: number, d: readonly Buffer[]): Buffer[] {
  if (d.length === 1) return [];
  const s = k(d.length);
  return m < s
    ? [...path(m, d.slice(0, s)), mth(d.slice(s))]
    : [...path(m - s, d.slice(s)), mth(d.slice(0, s))];
}
function subproof(m: number, d: readonly Buffer[], b: boolean): Buffer[] {
  const n = d.length;
  if (m === n) return b ? [] : [mth(d)];
  const s = k(n);
  return m <= s
    ? [...subproof(m, d.slice(0, s), b), mth(d.slice(s))]
    : [...subproof(m - s, d.slice(s), false), mth(d.slice(0, s))];
}
const proof = (m: number, d: readonly Buffer[]) => (m === 0 || m === d.length ? [] : subproof(m, d, true));

/** Distinct leaves (so that "the wrong leaf" is really another leaf). */
const leaves = (min = 0) =>
  fc.uniqueArray(
    fc.uint8Array({ maxLength: 12 }).map((a) => Buffer.from(a)),
    { minLength: min, maxLength: 70, selector: (b) => b.toString("hex") },
  );
const treeOf = (d: readonly Buffer[]) => new MerkleTree(d.map(leafHash));
const hex = (bs: readonly Buffer[]) => bs.map((b) => b.toString("hex"));

describe("Merkle tree (RFC 9162)", () => {
  it("matches the known roots of the Certificate Transparency test leaves", () => {
    const data = [
      "",
      "00",
      "10",
      "2021",
      "3031",
      "40414243",
      "5051525354555657",
      "606162636465666768696a6b6c6d6e6f",
    ];
    const roots = [
      "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
      "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
      "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
      "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
      "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
      "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
      "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ];
    const tree = treeOf(data.map((h) => Buffer.from(h, "hex")));
    for (let n = 1; n <= 8; n++) expect(tree.rootOf(n).toString("hex")).toBe(roots[n - 1]);
    expect(tree.rootOf(0).toString("hex")).toBe(
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    );
  });

  it("computes MTH of every prefix as the RFC defines it", () => {
    fc.assert(
      fc.property(leaves(), (d) => {
        const tree = treeOf(d);
        for (let n = 0; n <= d.length; n++) expect(tree.rootOf(n).equals(mth(d.slice(0, n)))).toBe(true);
      }),
      { numRuns: 60 },
    );
  });

  it("builds PATH inclusion proofs that the RFC verifier accepts, and only for the right leaf", () => {
    fc.assert(
      fc.property(leaves(1), fc.nat(), fc.nat(), (d, a, b) => {
        const n = (a % d.length) + 1;
        const m = b % n;
        const tree = treeOf(d);
        const p = tree.inclusionProof(m, n);
        expect(hex(p)).toEqual(hex(path(m, d.slice(0, n))));
        const root = mth(d.slice(0, n));
        expect(verifyInclusion(tree.leaf(m), m, n, p, root)).toBe(true);
        const other = leafHash(Buffer.concat([d[m]!, Buffer.from([1])]));
        expect(verifyInclusion(other, m, n, p, root)).toBe(false);
        if (n > 1) expect(verifyInclusion(tree.leaf(m), (m + 1) % n, n, p, root)).toBe(false);
        if (p.length > 0) expect(verifyInclusion(tree.leaf(m), m, n, p.slice(0, -1), root)).toBe(false);
      }),
      { numRuns: 200 },
    );
  });

  it("builds PROOF consistency proofs that the RFC verifier accepts, and rejects other roots", () => {
    fc.assert(
      fc.property(leaves(1), fc.nat(), fc.nat(), (d, a, b) => {
        const n = (a % d.length) + 1;
        const m = b % (n + 1);
        const tree = treeOf(d);
        const p = tree.consistencyProof(m, n);
        expect(hex(p)).toEqual(hex(proof(m, d.slice(0, n))));
        const oldRoot = mth(d.slice(0, m));
        const newRoot = mth(d.slice(0, n));
        expect(verifyConsistency(m, n, p, oldRoot, newRoot)).toBe(true);
        const wrong = sha(Buffer.from("not a root"));
        if (m > 0) expect(verifyConsistency(m, n, p, wrong, newRoot)).toBe(false);
        if (m > 0) expect(verifyConsistency(m, n, p, oldRoot, wrong)).toBe(false);
        if (m > 0 && m < n) expect(verifyConsistency(m, n, [], oldRoot, newRoot)).toBe(false);
      }),
      { numRuns: 200 },
    );
  });

  it("rejects a consistency proof when the old tree's history was rewritten", () => {
    fc.assert(
      fc.property(leaves(2), fc.nat(), fc.nat(), (d, a, b) => {
        const m = (a % (d.length - 1)) + 1;
        const i = b % m;
        const rewritten = d.map((x, j) => (j === i ? Buffer.concat([x, Buffer.from([7])]) : x));
        const p = treeOf(rewritten).consistencyProof(m, d.length);
        expect(verifyConsistency(m, d.length, p, mth(d.slice(0, m)), mth(rewritten))).toBe(false);
      }),
      { numRuns: 100 },
    );
  });

  it("keeps the root with the frontier alone, leaf by leaf", () => {
    fc.assert(
      fc.property(leaves(), (d) => {
        let frontier: Buffer[] = [];
        expect(frontierRoot(frontier).equals(EMPTY_TREE_HASH)).toBe(true);
        d.forEach((leaf, i) => {
          frontier = appendToFrontier(frontier, i, leafHash(leaf));
          expect(frontierRoot(frontier).equals(mth(d.slice(0, i + 1)))).toBe(true);
        });
      }),
      { numRuns: 60 },
    );
  });

  it("refuses out-of-range sizes and indexes, and malformed proofs without throwing", () => {
    const tree = treeOf([Buffer.from("a"), Buffer.from("b")]);
    expect(() => tree.inclusionProof(2, 2)).toThrow(RangeError);
    expect(() => tree.rootOf(3)).toThrow(RangeError);
    expect(() => tree.consistencyProof(2, 1)).toThrow(RangeError);
    expect(verifyInclusion(tree.leaf(0), -1, 2, [], tree.root())).toBe(false);
    expect(verifyInclusion(tree.leaf(0), 0, 0, [], tree.root())).toBe(false);
    expect(verifyConsistency(3, 2, [], tree.root(), tree.root())).toBe(false);
    expect(verifyConsistency(2, 2, [], tree.root(), tree.root())).toBe(true);
  });
});
