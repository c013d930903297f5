import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
  verify,
} from "node:crypto";
import { readFileSync } from "node:fs";
import { ValidationError } from "../../errors/validation-error.js";

/** Signature algorithm byte of Ed25519 in the signed-note key id and key encodings. */
const ED25519 = 0x01;
const PKCS8_ED25519_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");
const SPKI_ED25519_PREFIX = Buffer.from("302a300506032b6570032100", "hex");

/** The format tag of an audit key file. */
export const AUDIT_KEY_FILE_FORMAT = "acp-audit-key/1";

/** A public key that verifies checkpoints (current or retired). */
export interface AuditPublicKey {
  /** The key name: the log's origin line. */
  readonly name: string;
  /** The signed-note key id: the first 4 bytes of SHA-256(name || "\n" || 0x01 || public key), big-endian. */
  readonly keyId: number;
  /** The raw 32-byte Ed25519 public key. */
  readonly publicKey: Buffer;
  /** The verifier key text `name+hex(keyId)+base64(0x01 || publicKey)`. */
  readonly text: string;
}

/** The key that signs new checkpoints. */
export interface AuditSigningKey extends AuditPublicKey {
  /** Ed25519 signature of `message`. */
  sign(message: Uint8Array): Buffer;
}

/**
 * The keys of a log: the current signing key and every public key that verifies its checkpoints — the current
 * one and the retired ones, so checkpoints signed before a rotation stay valid.
 */
export interface AuditKeyRing {
  /** The origin line of checkpoints (the signing key's name). */
  readonly origin: string;
  readonly signer: AuditSigningKey;
  /** Current public key first, then retired ones. */
  readonly publicKeys: readonly AuditPublicKey[];
}

/** An audit key file as stored (JSON). Keep it private: it holds the signing key. */
export interface AuditKeyFile {
  readonly format: typeof AUDIT_KEY_FILE_FORMAT;
  readonly origin: string;
  /** `PRIVATE+KEY+name+hex(keyId)+base64(0x01 || 32-byte seed)`. */
  readonly signing_key: string;
  /** Verifier keys of earlier signing keys. */
  readonly retired_public_keys: readonly string[];
}

/** Whether `name` is a valid key name / origin: non-empty, no whitespace, no `+`. */
export function isKeyName(name: unknown): name is string {
  return typeof name === "string" && name.length > 0 && name.length <= 256 && !/[\s+]/u.test(name);
}

/** The signed-note key id of an Ed25519 key. */
export function keyIdOf(name: string, publicKey: Uint8Array): number {
  const h = createHash("sha256")
    .update(name)
    .update("\n")
    .update(Buffer.from([ED25519]))
    .update(publicKey);
  return h.digest().readUInt32BE(0);
}

function publicKeyOf(name: string, publicKey: Buffer): AuditPublicKey {
  const keyId = keyIdOf(name, publicKey);
  const encoded = Buffer.concat([Buffer.from([ED25519]), publicKey]).toString("base64");
  return { name, keyId, publicKey, text: `${name}+${hex8(keyId)}+${encoded}` };
}

const hex8 = (n: number) => n.toString(16).padStart(8, "0");

/** Splits `text` at its first `count - 1` plus signs (base64, the last part, may hold `+` itself). */
function splitPlus(text: unknown, count: number): string[] {
  if (typeof text !== "string") return [];
  const parts: string[] = [];
  let rest = text;
  while (parts.length < count - 1) {
    const i = rest.indexOf("+");
    if (i < 0) return [];
    parts.push(rest.slice(0, i));
    rest = rest.slice(i + 1);
  }
  return [...parts, rest];
}

function bad(path: string, message: string, subject: string): ValidationError {
  return new ValidationError([{ path, message }], subject);
}

/**
 * Parses a verifier key `name+hex8+base64(0x01 || key)`.
 * @throws ValidationError naming `path` when it is malformed or its key id does not match.
 */
export function parsePublicKey(text: unknown, path = "public_key", subject = "audit key"): AuditPublicKey {
  const parts = splitPlus(text, 3);
  const [name, id, data] = parts;
  const raw = data === undefined ? Buffer.alloc(0) : Buffer.from(data, "base64");
  const canonical = raw.toString("base64") === data;
  if (
    parts.length !== 3 ||
    !isKeyName(name) ||
    !/^[0-9a-f]{8}$/.test(id ?? "") ||
    raw.length !== 33 ||
    !canonical
  ) {
    throw bad(path, "expected an Ed25519 verifier key name+hex8+base64", subject);
  }
  if (raw[0] !== ED25519) throw bad(path, "not an Ed25519 key", subject);
  const key = publicKeyOf(name, raw.subarray(1));
  if (hex8(key.keyId) !== id) throw bad(path, "the key id does not match the key", subject);
  return key;
}

function signingKeyOf(name: string, seed: Buffer): AuditSigningKey {
  const privateKey: KeyObject = createPrivateKey({
    key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]),
    format: "der",
    type: "pkcs8",
  });
  const spki = createPublicKey(privateKey).export({ format: "der", type: "spki" });
  const pub = publicKeyOf(name, Buffer.from(spki.subarray(SPKI_ED25519_PREFIX.length)));
  return { ...pub, sign: (message) => sign(null, message, privateKey) };
}

/**
 * Whether `signature` is `key`'s Ed25519 signature of `message`. Never throws on a malformed signature.
 */
export function verifySignature(key: AuditPublicKey, message: Uint8Array, signature: Uint8Array): boolean {
  try {
    const spki = createPublicKey({
      key: Buffer.concat([SPKI_ED25519_PREFIX, key.publicKey]),
      format: "der",
      type: "spki",
    });
    return verify(null, message, spki, signature);
  } catch {
    return false;
  }
}

function encodeSigningKey(key: AuditSigningKey, seed: Buffer): string {
  const encoded = Buffer.concat([Buffer.from([ED25519]), seed]).toString("base64");
  return `PRIVATE+KEY+${key.name}+${hex8(key.keyId)}+${encoded}`;
}

function newSeed(): Buffer {
  const { privateKey } = generateKeyPairSync("ed25519");
  const der = privateKey.export({ format: "der", type: "pkcs8" });
  return Buffer.from(der.subarray(PKCS8_ED25519_PREFIX.length));
}

/**
 * A new key file with a fresh Ed25519 signing key for the log `origin` (no retired keys).
 * @throws ValidationError naming `origin` when it is not a key name (non-empty, no whitespace, no `+`).
 * @example writeFileSync("audit-key.json", JSON.stringify(generateKeyFile("acp.example.com/audit")), { mode: 0o600 });
 */
export function generateKeyFile(origin: string): AuditKeyFile {
  if (!isKeyName(origin)) {
    throw bad("origin", "expected a name without whitespace or '+' (1 to 256 characters)", "audit key");
  }
  const seed = newSeed();
  return {
    format: AUDIT_KEY_FILE_FORMAT,
    origin,
    signing_key: encodeSigningKey(signingKeyOf(origin, seed), seed),
    retired_public_keys: [],
  };
}

/**
 * Rotates a key file: a fresh signing key for the same origin; the current public key joins the retired ones, so
 * every checkpoint signed so far still verifies.
 * @throws ValidationError when `file` is not a valid key file.
 */
export function rotateKeyFile(file: unknown): AuditKeyFile {
  const ring = parseKeyFile(file);
  const next = generateKeyFile(ring.origin);
  return { ...next, retired_public_keys: ring.publicKeys.map((k) => k.text) };
}

/**
 * Parses a key file (see {@link AuditKeyFile}) into a key ring.
 * @throws ValidationError naming the bad field (`signing_key`, `retired_public_keys[1]`, ...).
 */
export function parseKeyFile(input: unknown, subject = "audit key file"): AuditKeyRing {
  const file = input as Partial<AuditKeyFile> | null;
  if (file === null || typeof file !== "object") throw bad("(root)", "expected a JSON object", subject);
  if (file.format !== AUDIT_KEY_FILE_FORMAT)
    throw bad("format", `expected "${AUDIT_KEY_FILE_FORMAT}"`, subject);
  if (!isKeyName(file.origin)) throw bad("origin", "expected a name without whitespace or '+'", subject);
  const parts = splitPlus(file.signing_key, 5);
  const seed = parts.length === 5 ? Buffer.from(parts[4]!, "base64") : Buffer.alloc(0);
  const canonical = seed.toString("base64") === parts[4];
  if (
    parts[0] !== "PRIVATE" ||
    parts[1] !== "KEY" ||
    seed.length !== 33 ||
    seed[0] !== ED25519 ||
    !canonical
  ) {
    throw bad("signing_key", "expected PRIVATE+KEY+name+hex8+base64 of an Ed25519 seed", subject);
  }
  if (parts[2] !== file.origin) throw bad("signing_key", "the key name is not the origin", subject);
  const signer = signingKeyOf(file.origin, seed.subarray(1));
  if (hex8(signer.keyId) !== parts[3]) throw bad("signing_key", "the key id does not match the key", subject);
  const retiredInput = file.retired_public_keys ?? [];
  if (!Array.isArray(retiredInput))
    throw bad("retired_public_keys", "expected a list of verifier keys", subject);
  const retired = retiredInput.map((text, i) => parsePublicKey(text, `retired_public_keys[${i}]`, subject));
  const { sign: _sign, ...current } = signer;
  return { origin: file.origin, signer, publicKeys: [current, ...retired] };
}

/**
 * Reads a key file (the config's `audit.signing_key_file`).
 * @throws ValidationError naming the file when it cannot be read or is not a valid key file.
 */
export function readKeyRing(path: string): AuditKeyRing {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw bad("(file)", `cannot read: ${(error as Error).message}`, `audit key file ${path}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw bad("(root)", "not JSON", `audit key file ${path}`);
  }
  return parseKeyFile(json, `audit key file ${path}`);
}
