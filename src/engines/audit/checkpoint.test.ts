import { createHash, createPublicKey, verify } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ValidationError } from "../../errors/validation-error.js";
import { checkpointBody, parseCheckpoint, signCheckpoint, verifyCheckpointSignature } from "./checkpoint.js";
import { generateKeyFile, keyIdOf, parseKeyFile, parsePublicKey, rotateKeyFile } from "./keys.js";

const root = createHash("sha256").update("root").digest();
const ring = parseKeyFile(generateKeyFile("acp.example/audit"));

describe("signed-note checkpoints (C2SP)", () => {
  it("writes origin, size and base64 root, a blank line and an em-dash signature line", () => {
    const note = signCheckpoint({ origin: ring.origin, size: 42, rootHash: root }, ring.signer);
    const lines = note.split("\n");
    expect(lines.slice(0, 4)).toEqual(["acp.example/audit", "42", root.toString("base64"), ""]);
    expect(lines[4]).toMatch(/^\u2014 acp\.example\/audit [A-Za-z0-9+/]+=*$/);
    expect(lines[5]).toBe("");
    // The signature is key id (4 bytes, big-endian) then the Ed25519 signature of the note text.
    const sig = Buffer.from(lines[4]!.split(" ")[2]!, "base64");
    expect(sig.readUInt32BE(0)).toBe(ring.signer.keyId);
    const spki = Buffer.concat([Buffer.from("302a300506032b6570032100", "hex"), ring.signer.publicKey]);
    const key = createPublicKey({ key: spki, format: "der", type: "spki" });
    const body = checkpointBody({ origin: ring.origin, size: 42, rootHash: root });
    expect(verify(null, Buffer.from(body), key, sig.subarray(4))).toBe(true);
  });

  it("derives the key id from SHA-256(name || newline || 0x01 || key) and encodes the verifier key", () => {
    const expected = createHash("sha256")
      .update(Buffer.concat([Buffer.from("acp.example/audit\n"), Buffer.from([1]), ring.signer.publicKey]))
      .digest()
      .readUInt32BE(0);
    expect(keyIdOf("acp.example/audit", ring.signer.publicKey)).toBe(expected);
    const text = ring.publicKeys[0]!.text;
    expect(text.startsWith(`acp.example/audit+${expected.toString(16).padStart(8, "0")}+`)).toBe(true);
    const data = Buffer.from(text.split("+").slice(2).join("+"), "base64");
    expect(data.equals(Buffer.concat([Buffer.from([1]), ring.signer.publicKey]))).toBe(true);
    expect(parsePublicKey(text)).toMatchObject({ name: ring.origin, keyId: ring.signer.keyId });
  });

  it("parses what it signs and verifies it with the ring, not with another key", () => {
    const note = signCheckpoint({ origin: ring.origin, size: 7, rootHash: root }, ring.signer);
    const parsed = parseCheckpoint(note);
    if (!parsed.ok) throw new Error(parsed.detail);
    expect(parsed.checkpoint).toMatchObject({ origin: ring.origin, size: 7 });
    expect(parsed.checkpoint.rootHash.equals(root)).toBe(true);
    expect(verifyCheckpointSignature(parsed.checkpoint, ring.publicKeys).ok).toBe(true);
    const other = parseKeyFile(generateKeyFile("acp.example/audit"));
    const check = verifyCheckpointSignature(parsed.checkpoint, other.publicKeys);
    expect(check).toMatchObject({ ok: false, detail: expect.stringMatching(/not signed by a known key/) });
  });

  it("rejects a note whose text was changed after signing", () => {
    const note = signCheckpoint({ origin: ring.origin, size: 7, rootHash: root }, ring.signer);
    const parsed = parseCheckpoint(note.replace("\n7\n", "\n8\n"));
    if (!parsed.ok) throw new Error(parsed.detail);
    expect(verifyCheckpointSignature(parsed.checkpoint, ring.publicKeys)).toMatchObject({
      ok: false,
      detail: expect.stringMatching(/does not verify/),
    });
  });

  it.each([
    ["no signature block", "o\n1\nAAAA\n"],
    ["a non-decimal size", `o\n01\n${root.toString("base64")}\n\n\u2014 o AAAAAAAA\n`],
    ["a short root", "o\n1\nAAAA\n\n\u2014 o AAAAAAAA\n"],
    ["an extension line", `o\n1\n${root.toString("base64")}\nextra\n\n\u2014 o AAAAAAAA\n`],
    ["a bad signature line", `o\n1\n${root.toString("base64")}\n\n- o AAAAAAAA\n`],
    ["not text", 42],
  ])("refuses a note with %s", (_, text) => {
    expect(parseCheckpoint(text).ok).toBe(false);
  });
});

describe("audit key files", () => {
  it("rotates to a new signing key and keeps the old public key", () => {
    const file = generateKeyFile("acp.example/audit");
    const rotated = rotateKeyFile(file);
    const before = parseKeyFile(file);
    const after = parseKeyFile(rotated);
    expect(after.signer.keyId).not.toBe(before.signer.keyId);
    expect(after.publicKeys.map((k) => k.text)).toEqual([
      after.publicKeys[0]!.text,
      before.publicKeys[0]!.text,
    ]);
    expect(parseKeyFile(rotateKeyFile(rotated)).publicKeys).toHaveLength(3);
  });

  it("names the bad field of a damaged key file", () => {
    const file = generateKeyFile("acp.example/audit");
    const issue = (input: unknown) => {
      try {
        parseKeyFile(input);
      } catch (error) {
        return (error as ValidationError).issues[0]?.path;
      }
      return undefined;
    };
    expect(issue({ ...file, format: "x" })).toBe("format");
    expect(issue({ ...file, signing_key: file.signing_key.slice(0, -4) })).toBe("signing_key");
    expect(issue({ ...file, origin: "other" })).toBe("signing_key");
    expect(issue({ ...file, retired_public_keys: ["nope"] })).toBe("retired_public_keys[0]");
    expect(() => generateKeyFile("has space")).toThrow(ValidationError);
    expect(() => generateKeyFile("a+b")).toThrow(/origin/);
  });
});
