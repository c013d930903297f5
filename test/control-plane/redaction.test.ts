import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { type ControlPlane, createControlPlane } from "../../src/control-plane/create-control-plane.js";
import { loadPolicy } from "../../src/engines/policy/load-policy.js";
import { ValidationError } from "../../src/errors/validation-error.js";
import { createMemoryStorage } from "../../src/storage/memory/memory-storage.js";
import { createPostgresStorage } from "../../src/storage/postgres/index.js";
import { createSqliteStorage } from "../../src/storage/sqlite/index.js";
import type { Storage } from "../../src/storage/storage.js";
import { testClock } from "../support/control-plane-fixture.js";
import { adminQuery, DATABASE_URL, dropSchema, probePostgres, uniqueSchema } from "../support/postgres.js";

const PASSWORD = "hunter2";
const TOKEN = "sk-abc123XYZ";
const ITEM_TOKEN = "tok-987zyx";

/** Decisions read the redacted fields: `login` is auto-approved only when the real password has the right shape. */
const POLICY = {
  version: 1,
  actions: { autoApprove: ["login"], alwaysApprove: ["send_payment"] },
  autoApprove: {
    when: {
      all: [
        { field: "args.password", op: "matches", value: "^[a-z]+[0-9]$" },
        { field: "metadata.headers.authorization", op: "matches", value: "^Bearer sk-" },
      ],
    },
  },
  redact: ["args.password", "metadata.headers.authorization", "args.items.1.token", "args.absent.deep"],
};

interface Case {
  readonly name: string;
  readonly skip?: boolean;
  open(): Promise<{ storage: Storage; dump: () => Promise<string>; cleanup: () => Promise<void> }>;
}

const server = await probePostgres();

const CASES: Case[] = [
  {
    name: "memory",
    async open() {
      const storage = createMemoryStorage();
      // The memory adapter has no file: read back every record kind through the port.
      const dump = async () =>
        JSON.stringify(
          await storage.read(async (tx) => {
            const sessions = await tx.sessions.list({ limit: 1000 });
            const out: unknown[] = [sessions];
            for (const s of sessions) {
              out.push(await tx.events.list(s.id, { limit: 1000 }));
              out.push(await tx.proposals.list({ sessionId: s.id, limit: 1000 }));
              out.push(await tx.tickets.list({ sessionId: s.id, limit: 1000 }));
            }
            return out;
          }),
        );
      return { storage, dump, cleanup: () => storage.close() };
    },
  },
  {
    name: "sqlite-file",
    async open() {
      const dir = mkdtempSync(join(tmpdir(), "acp-redact-"));
      const path = join(dir, "cp.db");
      const storage = createSqliteStorage({ path });
      const dump = async () => {
        const db = new Database(path, { readonly: true });
        try {
          const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as {
            name: string;
          }[];
          return JSON.stringify(tables.map((t) => db.prepare(`SELECT * FROM "${t.name}"`).all()));
        } finally {
          db.close();
        }
      };
      return {
        storage,
        dump,
        cleanup: async () => {
          await storage.close();
          rmSync(dir, { recursive: true, force: true });
        },
      };
    },
  },
  {
    name: "postgres",
    skip: !server.available,
    async open() {
      const schema = uniqueSchema("redact");
      const storage = createPostgresStorage({ connectionString: DATABASE_URL, schema });
      await storage.migrate();
      const dump = async () => {
        const tables = await adminQuery<{ table_name: string }>(
          "SELECT table_name FROM information_schema.tables WHERE table_schema = $1",
          [schema],
        );
        const rows = [];
        for (const t of tables) {
          rows.push(await adminQuery(`SELECT x::text AS row FROM "${schema}"."${t.table_name}" x`));
        }
        return JSON.stringify(rows);
      };
      return {
        storage,
        dump,
        cleanup: async () => {
          await storage.close();
          await dropSchema(schema);
        },
      };
    },
  },
];

describe.each(CASES)("redacted fields on $name storage", (c) => {
  let cleanup: (() => Promise<void>) | undefined;
  let cp: ControlPlane | undefined;
  afterEach(async () => {
    await cp?.close();
    await cleanup?.();
    cp = undefined;
    cleanup = undefined;
  });

  it.skipIf(c.skip)(
    "are stored as a marker in proposals, tickets, events and idempotency results; decisions saw them",
    async () => {
      const opened = await c.open();
      cleanup = opened.cleanup;
      cp = await createControlPlane({ storage: opened.storage, policy: POLICY, clock: testClock() });
      const s = await cp.openSession({ name: "redaction" });
      const args = {
        user: "alice",
        password: PASSWORD,
        items: [
          { token: "public", n: 1 },
          { token: ITEM_TOKEN, n: 2 },
        ],
      };
      const metadata = { headers: { authorization: `Bearer ${TOKEN}`, accept: "json" } };

      // The condition on the redacted fields decided with the real values…
      const allowed = await cp.propose({
        sessionId: s.id,
        action: "login",
        args,
        metadata,
        idempotencyKey: "k1",
      });
      expect(allowed).toMatchObject({ outcome: "allowed", code: "auto_approved" });
      const wrong = await cp.propose({
        sessionId: s.id,
        action: "login",
        args: { ...args, password: "Hunter-2!" },
        metadata,
      });
      expect(wrong).toMatchObject({ outcome: "pending_approval", code: "approval_required" });
      const payment = await cp.propose({ sessionId: s.id, action: "send_payment", args, metadata, cost: 1 });
      expect(payment.outcome).toBe("pending_approval");

      // …and the records show the marker, keeping every other value.
      const view = await cp.getProposal(allowed.proposalId);
      expect(view.args).toEqual({
        user: "alice",
        password: "[redacted]",
        items: [
          { token: "public", n: 1 },
          { token: "[redacted]", n: 2 },
        ],
      });
      expect(view.metadata).toEqual({ headers: { authorization: "[redacted]", accept: "json" } });
      expect((await cp.getProposal(wrong.proposalId)).args.password).toBe("[redacted]");

      // The idempotent replay and the ticket carry no secret either.
      const replay = await cp.propose({
        sessionId: s.id,
        action: "login",
        args,
        metadata,
        idempotencyKey: "k1",
      });
      expect(replay.proposalId).toBe(allowed.proposalId);
      const tickets = await cp.listTickets({ sessionId: s.id });
      expect(tickets).toHaveLength(2);
      const shown = JSON.stringify([replay, tickets, await cp.events(s.id), view]);
      for (const secret of [PASSWORD, TOKEN, ITEM_TOKEN]) expect(shown).not.toContain(secret);

      // Nothing stored anywhere holds the secrets.
      const stored = await opened.dump();
      expect(stored).toContain("[redacted]");
      expect(stored).toContain("alice");
      for (const secret of [PASSWORD, TOKEN, ITEM_TOKEN]) expect(stored).not.toContain(secret);
    },
  );
});

describe("policy redact paths", () => {
  it("must be args.* or metadata.* field paths; each problem names its entry", () => {
    let error: unknown;
    try {
      loadPolicy({ version: 1, redact: ["args.ok", "resourceId", "args", "metadata..x", "weight.x", 3] });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).code).toBe("policy_invalid");
    expect((error as ValidationError).issues).toEqual([
      { path: "redact[5]", message: "expected a string, got a number" },
      { path: "redact[1]", message: expect.stringMatching(/under args or metadata/) },
      { path: "redact[2]", message: expect.stringMatching(/under args or metadata/) },
      { path: "redact[3]", message: 'invalid field path "metadata..x"' },
      { path: "redact[4]", message: expect.stringMatching(/^unknown field "weight"/) },
    ]);
  });

  it("are part of the document (and its id) only when given", () => {
    const plain = loadPolicy({ version: 1 });
    expect("redact" in plain.document).toBe(false);
    const redacting = loadPolicy({ version: 1, redact: ["args.password"] });
    expect(redacting.document.redact).toEqual(["args.password"]);
    expect(redacting.id).not.toBe(plain.id);
  });
});
