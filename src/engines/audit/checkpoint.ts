import type { AuditPublicKey, AuditSigningKey } from "./keys.js";
import { isKeyName, verifySignature } from "./keys.js";

/**
 * Checkpoints in the C2SP signed-note format (tlog-checkpoint): the note text is
 * `origin\nsize\nbase64(root)\n`, followed by a blank line and one signature line per signer,
 * `— name base64(keyId(4 bytes, big-endian) || Ed25519 signature of the note text)`.
 */

const EM_DASH = "\u2014";

/** What a checkpoint commits to: the log's origin, its size (number of leaves) and the Merkle root. */
export interface Checkpoint {
  readonly origin: string;
  readonly size: number;
  /** The 32-byte RFC 9162 root hash. */
  readonly rootHash: Buffer;
}

/** One signature line of a note. */
export interface NoteSignature {
  readonly name: string;
  readonly keyId: number;
  readonly signature: Buffer;
}

/** A parsed signed checkpoint. */
export interface SignedCheckpoint extends Checkpoint {
  /** The signed note text (the three checkpoint lines, each ending with a newline). */
  readonly body: string;
  readonly signatures: readonly NoteSignature[];
  /** The whole note as given. */
  readonly text: string;
}

/** The note text of a checkpoint (what is signed). */
export function checkpointBody(cp: Checkpoint): string {
  return `${cp.origin}\n${cp.size}\n${cp.rootHash.toString("base64")}\n`;
}

/**
 * The signed note of `cp`, signed with `key` (whose name must be the origin).
 * @example
 * signCheckpoint({ origin: ring.origin, size: 3, rootHash }, ring.signer)
 * // "acp.example/audit\n3\nq3Vd…=\n\n— acp.example/audit AbCd…\n"
 */
export function signCheckpoint(cp: Checkpoint, key: AuditSigningKey): string {
  const body = checkpointBody(cp);
  const id = Buffer.alloc(4);
  id.writeUInt32BE(key.keyId, 0);
  const sig = Buffer.concat([id, key.sign(Buffer.from(body, "utf8"))]).toString("base64");
  return `${body}\n${EM_DASH} ${key.name} ${sig}\n`;
}

/** The result of {@link parseCheckpoint}: the checkpoint, or why the text is not one. */
export type ParsedCheckpoint =
  | { readonly ok: true; readonly checkpoint: SignedCheckpoint }
  | { readonly ok: false; readonly detail: string };

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/**
 * Parses a signed checkpoint note (never throws: a malformed note is `{ ok: false, detail }`). Extension lines
 * after the root line are refused (this log writes none). Signatures are parsed, not verified: see
 * {@link verifyCheckpointSignature}.
 */
export function parseCheckpoint(text: unknown): ParsedCheckpoint {
  const fail = (detail: string): ParsedCheckpoint => ({ ok: false, detail });
  if (typeof text !== "string") return fail("expected the text of a signed note");
  const split = text.indexOf("\n\n");
  if (split < 0 || !text.endsWith("\n"))
    return fail("expected the note text, a blank line and signature lines");
  const body = text.slice(0, split + 1);
  const lines = body.slice(0, -1).split("\n");
  if (lines.length !== 3)
    return fail(`expected 3 checkpoint lines (origin, size, root), found ${lines.length}`);
  const [origin, sizeText, rootText] = lines as [string, string, string];
  if (!isKeyName(origin)) return fail("the origin line is empty or holds whitespace or '+'");
  if (!/^(0|[1-9][0-9]{0,15})$/.test(sizeText) || !Number.isSafeInteger(Number(sizeText))) {
    return fail(`the size line "${sizeText.slice(0, 40)}" is not a decimal tree size`);
  }
  const rootHash = Buffer.from(rootText, "base64");
  if (!BASE64.test(rootText) || rootHash.length !== 32)
    return fail("the root line is not a base64 SHA-256 hash");
  const signatures: NoteSignature[] = [];
  for (const line of text.slice(split + 2, -1).split("\n")) {
    const m = /^\u2014 (\S+) ([A-Za-z0-9+/]+={0,2})$/u.exec(line);
    const raw = m ? Buffer.from(m[2]!, "base64") : undefined;
    if (!m || !raw || raw.length < 5) return fail(`malformed signature line "${line.slice(0, 60)}"`);
    signatures.push({ name: m[1]!, keyId: raw.readUInt32BE(0), signature: raw.subarray(4) });
  }
  return {
    ok: true,
    checkpoint: { origin, size: Number(sizeText), rootHash, body, signatures, text },
  };
}

/** The result of {@link verifyCheckpointSignature}. */
export type SignatureCheck =
  | { readonly ok: true; readonly key: AuditPublicKey }
  | { readonly ok: false; readonly detail: string };

/**
 * Checks that `cp` carries a valid signature by one of `keys` (matched by name and key id), and that no signature
 * line naming a known key fails. A note signed only by unknown keys fails, naming them.
 */
export function verifyCheckpointSignature(
  cp: SignedCheckpoint,
  keys: readonly AuditPublicKey[],
): SignatureCheck {
  const message = Buffer.from(cp.body, "utf8");
  let valid: AuditPublicKey | undefined;
  for (const sig of cp.signatures) {
    const key = keys.find((k) => k.name === sig.name && k.keyId === sig.keyId);
    if (key === undefined) continue;
    if (!verifySignature(key, message, sig.signature)) {
      return { ok: false, detail: `the signature of key ${sig.name}+${hex8(sig.keyId)} does not verify` };
    }
    valid ??= key;
  }
  if (valid !== undefined) return { ok: true, key: valid };
  const by = cp.signatures.map((s) => `${s.name}+${hex8(s.keyId)}`).join(", ") || "nobody";
  return { ok: false, detail: `not signed by a known key (signed by ${by})` };
}

const hex8 = (n: number) => n.toString(16).padStart(8, "0");
