import { createHash } from "node:crypto";

/**
 * Merkle tree hashing of RFC 9162 (Certificate Transparency 2.0), section 2.1, over SHA-256:
 * a leaf hashes as `SHA-256(0x00 || leaf)`, an inner node as `SHA-256(0x01 || left || right)`, and a tree of `n`
 * leaves that is not a power of two splits at `k`, the largest power of two smaller than `n` (MTH).
 * Hashes are 32-byte `Uint8Array`s (Node `Buffer`s).
 */

const LEAF_PREFIX = Buffer.from([0x00]);
const NODE_PREFIX = Buffer.from([0x01]);

/** The hash of the empty tree: `SHA-256()` with no input. */
export const EMPTY_TREE_HASH: Buffer = createHash("sha256").digest();

/**
 * The leaf hash `SHA-256(0x00 || leaf)`.
 * @example leafHash(Buffer.from("event")).length // 32
 */
export function leafHash(leaf: Uint8Array): Buffer {
  return createHash("sha256").update(LEAF_PREFIX).update(leaf).digest();
}

/** The inner node hash `SHA-256(0x01 || left || right)`. */
export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  return createHash("sha256").update(NODE_PREFIX).update(left).update(right).digest();
}

/** Whether `n >= 1` is a power of two (exact for every safe integer, unlike 32-bit bit tricks). */
function isPowerOfTwo(n: number): boolean {
  return n >= 1 && 2 ** Math.round(Math.log2(n)) === n;
}

/** The largest power of two strictly smaller than `n` (`n >= 2`). */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/**
 * A Merkle tree over leaf hashes, kept level by level so that roots of prefixes and proofs cost O(log n) hashes
 * each. Level 0 holds the leaf hashes; an odd last node of a level is carried up unchanged, which gives exactly
 * the RFC 9162 tree (its left subtrees are always perfect).
 */
export class MerkleTree {
  readonly #levels: Buffer[][];

  /** Builds the tree over `leafHashes` (already hashed with {@link leafHash}). */
  constructor(leafHashes: readonly Buffer[]) {
    const levels: Buffer[][] = [[...leafHashes]];
    for (let level = levels[0]!; level.length > 1; ) {
      const next: Buffer[] = [];
      for (let i = 0; i < level.length; i += 2) {
        next.push(i + 1 < level.length ? nodeHash(level[i]!, level[i + 1]!) : level[i]!);
      }
      levels.push(next);
      level = next;
    }
    this.#levels = levels;
  }

  /** Number of leaves. */
  get size(): number {
    return this.#levels[0]!.length;
  }

  /** The leaf hash at `index`. */
  leaf(index: number): Buffer {
    this.#checkIndex(index, this.size, "index");
    return this.#levels[0]![index]!;
  }

  /** The root of the whole tree (MTH of every leaf). */
  root(): Buffer {
    return this.rootOf(this.size);
  }

  /**
   * MTH of the first `size` leaves (`0 <= size <= this.size`).
   * @example new MerkleTree(hashes).rootOf(3) // root of the tree of hashes[0..3)
   */
  rootOf(size: number): Buffer {
    this.#checkIndex(size, this.size + 1, "size");
    return size === 0 ? EMPTY_TREE_HASH : this.#range(0, size);
  }

  /**
   * The inclusion proof (RFC 9162 PATH) of leaf `index` in the tree of the first `size` leaves: sibling hashes
   * from the leaf upwards.
   */
  inclusionProof(index: number, size: number = this.size): Buffer[] {
    this.#checkIndex(size, this.size + 1, "size");
    this.#checkIndex(index, size, "index");
    return this.#path(index, 0, size);
  }

  /**
   * The consistency proof (RFC 9162 PROOF) between the trees of the first `oldSize` and `newSize` leaves
   * (`0 <= oldSize <= newSize <= this.size`). Empty when `oldSize` is 0 or equals `newSize`.
   */
  consistencyProof(oldSize: number, newSize: number = this.size): Buffer[] {
    this.#checkIndex(newSize, this.size + 1, "newSize");
    this.#checkIndex(oldSize, newSize + 1, "oldSize");
    if (oldSize === 0 || oldSize === newSize) return [];
    return this.#subproof(oldSize, 0, newSize, true);
  }

  /** MTH of leaves `[start, end)`: a stored node when the range is an aligned perfect subtree. */
  #range(start: number, end: number): Buffer {
    const n = end - start;
    if (isPowerOfTwo(n) && start % n === 0) return this.#levels[Math.round(Math.log2(n))]![start / n]!;
    const k = splitPoint(n);
    return nodeHash(this.#range(start, start + k), this.#range(start + k, end));
  }

  #path(m: number, start: number, end: number): Buffer[] {
    const n = end - start;
    if (n === 1) return [];
    const k = splitPoint(n);
    if (m < k) return [...this.#path(m, start, start + k), this.#range(start + k, end)];
    return [...this.#path(m - k, start + k, end), this.#range(start, start + k)];
  }

  #subproof(m: number, start: number, end: number, complete: boolean): Buffer[] {
    const n = end - start;
    if (m === n) return complete ? [] : [this.#range(start, end)];
    const k = splitPoint(n);
    if (m <= k) return [...this.#subproof(m, start, start + k, complete), this.#range(start + k, end)];
    return [...this.#subproof(m - k, start + k, end, false), this.#range(start, start + k)];
  }

  #checkIndex(value: number, bound: number, name: string): void {
    if (!Number.isSafeInteger(value) || value < 0 || value >= bound) {
      throw new RangeError(`${name} ${value} is out of range 0..${bound - 1}`);
    }
  }
}

/**
 * Verifies an inclusion proof (RFC 9162 section 2.1.3.2): whether `leaf` (a leaf hash) is leaf `index` of the
 * tree of `size` leaves whose root is `root`. Never throws on bad input: a malformed proof is `false`.
 */
export function verifyInclusion(
  leaf: Uint8Array,
  index: number,
  size: number,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): boolean {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) return false;
  let fn = BigInt(index);
  let sn = BigInt(size - 1);
  let r: Uint8Array = leaf;
  for (const p of proof) {
    if (sn === 0n) return false;
    if ((fn & 1n) === 1n || fn === sn) {
      r = nodeHash(p, r);
      while ((fn & 1n) === 0n && fn !== 0n) {
        fn >>= 1n;
        sn >>= 1n;
      }
    } else {
      r = nodeHash(r, p);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  return sn === 0n && Buffer.from(r).equals(Buffer.from(root));
}

/**
 * Verifies a consistency proof (RFC 9162 section 2.1.4.2): whether the tree of `oldSize` leaves with root
 * `oldRoot` is a prefix of the tree of `newSize` leaves with root `newRoot`. Equal sizes need an empty proof
 * and equal roots; an empty old tree is a prefix of every tree. Never throws on bad input.
 */
export function verifyConsistency(
  oldSize: number,
  newSize: number,
  proof: readonly Uint8Array[],
  oldRoot: Uint8Array,
  newRoot: Uint8Array,
): boolean {
  if (!Number.isSafeInteger(oldSize) || !Number.isSafeInteger(newSize)) return false;
  if (oldSize < 0 || oldSize > newSize) return false;
  const same = (a: Uint8Array, b: Uint8Array) => Buffer.from(a).equals(Buffer.from(b));
  if (oldSize === 0) return proof.length === 0 && same(oldRoot, EMPTY_TREE_HASH);
  if (oldSize === newSize) return proof.length === 0 && same(oldRoot, newRoot);
  if (proof.length === 0) return false;
  const path = isPowerOfTwo(oldSize) ? [oldRoot, ...proof] : [...proof];
  let fn = BigInt(oldSize - 1);
  let sn = BigInt(newSize - 1);
  while ((fn & 1n) === 1n) {
    fn >>= 1n;
    sn >>= 1n;
  }
  let fr: Uint8Array = path[0]!;
  let sr: Uint8Array = path[0]!;
  for (const c of path.slice(1)) {
    if (sn === 0n) return false;
    if ((fn & 1n) === 1n || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      while ((fn & 1n) === 0n && fn !== 0n) {
        fn >>= 1n;
        sn >>= 1n;
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  return same(fr, oldRoot) && same(sr, newRoot) && sn === 0n;
}

/**
 * The right edge of a tree: the roots of its perfect subtrees, largest (leftmost) first — one per set bit of the
 * size. Enough to append leaves and compute the root without the earlier leaves (stored with each checkpoint).
 */
export type Frontier = readonly Buffer[];

/** The frontier after appending `leaf` (a leaf hash) to a tree of `size` leaves with frontier `frontier`. */
export function appendToFrontier(frontier: Frontier, size: number, leaf: Buffer): Buffer[] {
  const next = [...frontier];
  let hash = leaf;
  // Each trailing set bit of `size` is a perfect subtree of the same height as the carry: merge them.
  for (let s = size; s % 2 === 1; s = Math.floor(s / 2)) hash = nodeHash(next.pop()!, hash);
  next.push(hash);
  return next;
}

/** The root (MTH) of the tree whose frontier is `frontier`. */
export function frontierRoot(frontier: Frontier): Buffer {
  if (frontier.length === 0) return EMPTY_TREE_HASH;
  let root = frontier[frontier.length - 1]!;
  for (let i = frontier.length - 2; i >= 0; i--) root = nodeHash(frontier[i]!, root);
  return root;
}
