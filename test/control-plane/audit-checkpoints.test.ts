import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ControlPlane } from "../../src/control-plane/control-plane.js";
import type { AuditBundle } from "../../src/engines/audit/audit-bundle.js";
import { signCheckpoint } from "../../src/engines/audit/checkpoint.js";
import {
  type AuditKeyRing,
  generateKeyFile,
  parseKeyFile,
  rotateKeyFile,
} from "../../src/engines/audit/keys.js";
import { verifyAuditBundle } from "../../src/engines/audit/verify-bundle.js";
import { verifyStoredCheckpoints } from "../../src/engines/audit/verify-checkpoints.js";
import { createPostgresStorage } from "../../src/storage/postgres/index.js";
import { createSqliteStorage } from "../../src/storage/sqlite/index.js";
import type { Storage } from "../../src/storage/storage.js";
import { makeControlPlane } from "../support/control-plane-fixture.js";
import { adminQuery, DATABASE_URL, dropSchema, probePostgres, uniqueSchema } from "../support/postgres.js";

/** A storage whose tables the test can also reach with direct SQL, as an attacker with database access would. */
interface TamperCase {
  readonly storage: Storage;
  /** Runs one statement with `?` placeholders. */
  sql(text: string, params?: unknown[]): Promise<void>;
  /** Table name `acp_<name>` as the SQL must spell it. */
  table(name: string): string;
  /** SQL cast of a JSON text parameter for the payload column. */
  readonly json: string;
  cleanup(): Promise<void>;
}

const pg = await probePostgres();

const CASES: { name: string; create(): Promise<TamperCase> }[] = [
  {
    name: "sqlite",
    async create() {
      const dir = mkdtempSync(join(tmpdir(), "acp-audit-"));
      const path = join(dir, "cp.db");
      const storage = await createSqliteStorage({ path });
      const db = new Database(path);
      return {
        storage,
        async sql(text, params = []) {
          db.prepare(text).run(...params);
        },
        table: (name) => `acp_${name}`,
        json: "?",
        async cleanup() {
          db.close();
          await storage.close();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  },
  ...(pg.available
    ? [
        {
          name: "postgres",
          async create(): Promise<TamperCase> {
            const schema = uniqueSchema("audit_ckpt");
            const storage = createPostgresStorage({ connectionString: DATABASE_URL, schema, poolSize: 4 });
            await storage.migrate();
            return {
              storage,
              async sql(text, params = []) {
                let i = 0;
                await adminQuery(
                  text.replaceAll("?", () => `$${++i}`),
                  params,
                );
              },
              table: (name) => `"${schema}".acp_${name}`,
              json: "?::jsonb",
              async cleanup() {
                await storage.close();
                await dropSchema(schema);
              },
            };
          },
        },
      ]
    : []),
];

const ringOf = (file: unknown): AuditKeyRing => parseKeyFile(file);

async function activity(cp: ControlPlane, actions = 3): Promise<void> {
  const session = await cp.openSession({ name: "audit" });
  for (let i = 0; i < actions; i++) {
    const d = await cp.propose({ sessionId: session.id, action: "read_file", resourceId: `f${i}.txt` });
    if (d.outcome === "allowed") await cp.complete(d.proposalId, { ok: true });
  }
}

const kinds = (bundle: unknown, trusted?: string) =>
  verifyAuditBundle(bundle, trusted === undefined ? {} : { trustedCheckpoint: trusted }).problems.map(
    (p) => p.kind,
  );

describe.each(CASES)("verifiable audit on $name", (storageCase) => {
  let t: TamperCase;
  let keyFile: ReturnType<typeof generateKeyFile>;
  let cp: ControlPlane;
  beforeEach(async () => {
    t = await storageCase.create();
    keyFile = generateKeyFile("acp.test/audit");
    ({ cp } = await makeControlPlane(t.storage, { auditKeys: ringOf(keyFile) }));
  });
  afterEach(async () => {
    await cp.close();
    await t.cleanup();
  });

  const exported = async (): Promise<AuditBundle> => {
    const bundle = await cp.exportAudit();
    if (bundle === undefined) throw new Error("nothing exported");
    return JSON.parse(JSON.stringify(bundle)) as AuditBundle;
  };

  it("seals a checkpoint in the maintenance pass only when the feed grew, and an untouched log verifies", async () => {
    expect(await cp.latestCheckpoint()).toBeUndefined();
    expect((await cp.recover()).checkpointsSealed).toBe(0);
    await activity(cp);
    expect((await cp.recover()).checkpointsSealed).toBe(1);
    expect((await cp.recover()).checkpointsSealed).toBe(0);
    const first = await cp.latestCheckpoint();
    const events = await cp.feed({ limit: 1000 });
    expect(first).toMatchObject({
      origin: "acp.test/audit",
      size: events.length,
      lastEventId: events.at(-1)!.id,
    });
    await activity(cp, 2);
    const bundle = await exported();
    expect(bundle.earlier_checkpoints.map((c) => c.checkpoint)).toEqual([first!.note]);
    expect(bundle.events.length).toBeGreaterThan(first!.size);
    expect(verifyAuditBundle(bundle)).toMatchObject({
      ok: true,
      problems: [],
      checkedEvents: bundle.events.length,
    });
    expect(kinds(bundle, first!.note)).toEqual([]);
  });

  it("reports a checkpoint forged with another key as bad_signature", async () => {
    await activity(cp);
    const sealed = (await cp.sealCheckpoint())!;
    const intruder = ringOf(generateKeyFile("acp.test/audit"));
    const forged = signCheckpoint(
      { origin: sealed.origin, size: sealed.size, rootHash: Buffer.from(sealed.rootHash, "base64") },
      intruder.signer,
    );
    await t.sql(`UPDATE ${t.table("checkpoints")} SET note = ? WHERE size = ?`, [forged, sealed.size]);
    const bundle = await exported();
    expect(bundle.checkpoint).toBe(forged);
    expect(kinds(bundle)).toEqual(["bad_signature"]);
  });

  it("reports an edited payload, a deleted middle event, a truncated tail and reordered events", async () => {
    await activity(cp, 4);
    await cp.sealCheckpoint();
    const events = await cp.feed({ limit: 1000 });
    const payloadOf = (i: number) => JSON.stringify(events[i]!.payload);
    const setPayload = (id: number, text: string) =>
      t.sql(`UPDATE ${t.table("events")} SET payload = ${t.json} WHERE id = ?`, [text, id]);

    // One edited byte of one payload.
    const edited = payloadOf(3).replace(/"(\w)/, '"X');
    expect(edited).not.toBe(payloadOf(3));
    await setPayload(events[3]!.id, edited);
    expect(kinds(await exported())).toContain("root_mismatch");
    await setPayload(events[3]!.id, payloadOf(3));
    expect(kinds(await exported())).toEqual([]);

    // Two events swapped (their contents exchanged in place).
    await setPayload(events[4]!.id, payloadOf(5));
    await setPayload(events[5]!.id, payloadOf(4));
    expect(kinds(await exported())).toContain("root_mismatch");
    await setPayload(events[4]!.id, payloadOf(4));
    await setPayload(events[5]!.id, payloadOf(5));

    // A deleted middle event.
    await t.sql(`DELETE FROM ${t.table("events")} WHERE id = ?`, [events[2]!.id]);
    const gap = verifyAuditBundle(await exported());
    expect(gap.problems.map((p) => p.kind)).toEqual(
      expect.arrayContaining(["seq_gap", "truncated_log", "inclusion_failed"]),
    );
    expect(gap.problems.find((p) => p.kind === "seq_gap")?.seq).toBe(events[3]!.seq);

    // A truncated tail.
    await t.sql(`DELETE FROM ${t.table("events")} WHERE id >= ?`, [events.at(-2)!.id]);
    const cut = verifyAuditBundle(await exported());
    expect(cut.problems.find((p) => p.kind === "truncated_log")?.detail).toMatch(/3 missing at its end/);
  });

  it("reports a rewrite of the log after a trusted checkpoint as inconsistent_with_trusted_checkpoint", async () => {
    await activity(cp, 3);
    const trusted = (await cp.sealCheckpoint())!.note;
    await activity(cp, 2);
    const events = await cp.feed({ limit: 1000 });
    // The intruder rewrites every event from the third on, drops the checkpoints and lets the server re-seal.
    for (const e of events.slice(2)) {
      await t.sql(`UPDATE ${t.table("events")} SET payload = ${t.json} WHERE id = ?`, [
        JSON.stringify({ ...e.payload, rewritten: true }),
        e.id,
      ]);
    }
    await t.sql(`DELETE FROM ${t.table("checkpoints")}`);
    expect((await cp.recover()).checkpointsSealed).toBe(1);
    const bundle = await exported();
    expect(kinds(bundle)).toEqual([]); // consistent with itself ...
    expect(kinds(bundle, trusted)).toEqual(["inconsistent_with_trusted_checkpoint"]); // ... not with the past
  });

  it("checks the stored log against its stored checkpoints (for verifyAudit)", async () => {
    await activity(cp, 2);
    await cp.sealCheckpoint();
    await activity(cp, 1);
    await cp.sealCheckpoint();
    const keys = ringOf(keyFile).publicKeys;
    const online = () => t.storage.read((tx) => verifyStoredCheckpoints(tx, keys, "acp.test/audit"));
    const clean = await online();
    expect(clean.problems).toEqual([]);
    expect(clean.checkedEvents).toBe((await cp.feed({ limit: 1000 })).length);
    const first = (await cp.feed({ limit: 1 }))[0]!;
    await t.sql(`UPDATE ${t.table("events")} SET payload = ${t.json} WHERE id = ?`, [
      JSON.stringify({ ...first.payload, edited: true }),
      first.id,
    ]);
    expect((await online()).problems.map((p) => p.kind)).toEqual(["root_mismatch", "root_mismatch"]);
  });

  it("keeps checkpoints signed before a key rotation valid", async () => {
    await activity(cp, 2);
    const old = (await cp.sealCheckpoint())!;
    await cp.close();
    const rotated = rotateKeyFile(keyFile);
    ({ cp } = await makeControlPlane(t.storage, { auditKeys: ringOf(rotated) }));
    await activity(cp, 2);
    const bundle = await exported();
    expect(bundle.public_keys).toHaveLength(2);
    expect(bundle.earlier_checkpoints[0]!.checkpoint).toBe(old.note);
    expect(bundle.checkpoint).not.toContain(old.note.split("\n").at(-2)!);
    expect(kinds(bundle)).toEqual([]);
    expect(kinds(bundle, old.note)).toEqual([]);
    // Without the retired key the old checkpoint no longer verifies: the ring is what keeps it valid.
    const withoutRetired = { ...bundle, public_keys: bundle.public_keys.slice(0, 1) };
    expect(kinds(withoutRetired)).toEqual(["bad_signature"]);
  });

  it("refuses to seal or export without audit keys, and names the option", async () => {
    await cp.close();
    ({ cp } = await makeControlPlane(t.storage));
    await activity(cp, 1);
    expect((await cp.recover()).checkpointsSealed).toBe(0);
    await expect(cp.sealCheckpoint()).rejects.toThrow(/auditKeys/);
    await expect(cp.exportAudit()).rejects.toThrow(/auditKeys/);
  });
});
