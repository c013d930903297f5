import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createControlPlane } from "../src/control-plane/create-control-plane.js";
import { createPostgresStorage } from "../src/storage/postgres/index.js";
import { createSqliteStorage } from "../src/storage/sqlite/index.js";
import type { Storage } from "../src/storage/storage.js";
import type { EventRecord } from "../src/types/event.js";
import { TEST_POLICY } from "./support/control-plane-fixture.js";
import { DATABASE_URL, dropSchema, probePostgres, uniqueSchema } from "./support/postgres.js";
import { spawnWorker } from "./support/spawn-worker.js";

const server = await probePostgres();
const WORKER = "test/fixtures/kill-race-worker.ts";
const PROPOSERS = 7;
const ROUNDS = Number(process.env.KILL_RACE_ROUNDS ?? 3);

type StorageSpec =
  | { readonly kind: "sqlite"; readonly path: string }
  | { readonly kind: "postgres"; readonly url: string; readonly schema: string };

const open = (spec: StorageSpec): Promise<Storage> | Storage =>
  spec.kind === "sqlite"
    ? createSqliteStorage({ path: spec.path, busyTimeoutMs: 120_000 })
    : createPostgresStorage({ connectionString: spec.url, schema: spec.schema });

/**
 * One round: 7 processes propose in a loop over sessions owned by `owner-0`, `owner-1` and `a-kill` (each with an
 * owner and a delegate acting, `a-kill` also acting in `owner-1`'s session) while an 8th process engages a session
 * switch, then the `a-kill` agent switch, then the global switch. Returns the committed feed and session owners.
 */
async function raceRound(spec: StorageSpec) {
  const storage = await open(spec);
  const cp = await createControlPlane({ storage, policy: TEST_POLICY });
  for (const id of ["owner-0", "owner-1", "a-kill", "helper-1", "helper-2"]) {
    await cp.registerAgent({ id, capabilities: ["read_file"] });
  }
  const sKill = (await cp.openSession({ agentId: "owner-0" })).id;
  const sOther = (await cp.openSession({ agentId: "owner-1" })).id;
  const sAgent = (await cp.openSession({ agentId: "a-kill" })).id;
  const sFree = (await cp.openSession({ agentId: "owner-0" })).id;
  await cp.recordDelegation({ fromAgentId: "owner-0", toAgentId: "helper-1", task: "race" });
  await cp.recordDelegation({ fromAgentId: "owner-1", toAgentId: "a-kill", task: "race" });
  await cp.recordDelegation({ fromAgentId: "a-kill", toAgentId: "helper-2", task: "race" });
  const owners = new Map([
    [sKill, "owner-0"],
    [sOther, "owner-1"],
    [sAgent, "a-kill"],
    [sFree, "owner-0"],
  ]);
  const pairs = [
    { sessionId: sKill, agentId: "owner-0" },
    { sessionId: sKill, agentId: "helper-1" },
    { sessionId: sOther, agentId: "owner-1" },
    { sessionId: sOther, agentId: "a-kill" },
    { sessionId: sAgent, agentId: "a-kill" },
    { sessionId: sAgent, agentId: "helper-2" },
    { sessionId: sFree, agentId: "owner-0" },
    { sessionId: sFree, agentId: "helper-1" },
  ];
  const proposers = Array.from({ length: PROPOSERS }, (_, worker) =>
    spawnWorker(WORKER, {
      mode: "propose",
      storage: spec,
      worker,
      pairs,
      pauseMs: spec.kind === "sqlite" ? 5 : 0,
    }),
  );
  // The killer starts once every proposer is proposing.
  await Promise.all(proposers.map((w) => w.next((m) => m.ready === true)));
  const killer = spawnWorker(WORKER, {
    mode: "kill",
    storage: spec,
    worker: PROPOSERS,
    kills: [
      { scope: "session", sessionId: sKill, delayMs: 1000 },
      { scope: "agent", agentId: "a-kill", delayMs: 2000 },
      { scope: "global", delayMs: 3000 },
    ],
  });
  const results = await Promise.all(proposers.map((w) => w.done<{ decided: number }>()));
  await killer.done();
  const feed = await storage.read((tx) => tx.events.feed({ limit: 1_000_000 }));
  const leases = await storage.read((tx) => tx.leases.listExpired(Number.MAX_SAFE_INTEGER, 1_000_000));
  await cp.close();
  await storage.close();
  return { feed, leases, owners, sKill, allowed: results.reduce((n, r) => n + r.decided, 0) };
}

function killEvent(feed: readonly EventRecord[], scope: string): EventRecord {
  const e = feed.find((x) => x.kind === "kill_switch_engaged" && x.payload.scope === scope);
  if (!e) throw new Error(`no ${scope} kill in the feed`);
  return e;
}

/** Asserts no decision was allowed after a kill covering it committed, and no aborted session kept a newer lease. */
function checkRound(round: Awaited<ReturnType<typeof raceRound>>): void {
  const { feed, leases, owners, sKill } = round;
  const sessionKill = killEvent(feed, "session");
  const agentKill = killEvent(feed, "agent");
  const globalKill = killEvent(feed, "global");
  const allowed = feed.filter((e) => e.kind === "proposal_decided" && e.payload.outcome === "allowed");
  // The race really ran: decisions were allowed between the kills.
  expect(allowed.filter((e) => e.id < sessionKill.id).length).toBeGreaterThan(0);
  expect(allowed.filter((e) => e.id > sessionKill.id && e.id < globalKill.id).length).toBeGreaterThan(0);
  const describe = (e: EventRecord) => `${e.id}:${e.sessionId}/${e.agentId}`;
  const late = {
    session: allowed.filter((e) => e.sessionId === sKill && e.id > sessionKill.id).map(describe),
    agent: allowed
      .filter(
        (e) => e.id > agentKill.id && (e.agentId === "a-kill" || owners.get(e.sessionId ?? "") === "a-kill"),
      )
      .map(describe),
    global: allowed.filter((e) => e.id > globalKill.id).map(describe),
  };
  expect(late).toEqual({ session: [], agent: [], global: [] });
  // Session seq order agrees: in the killed session nothing is allowed after `session_aborted`.
  const aborted = feed.find((e) => e.kind === "session_aborted" && e.sessionId === sKill)!;
  expect(allowed.filter((e) => e.sessionId === sKill && e.seq! > aborted.seq!)).toEqual([]);
  // No aborted session holds a lease taken by a proposal decided after its kill.
  const decidedAt = new Map(allowed.map((e) => [e.proposalId, e.id]));
  const newer = leases.filter((l) => {
    const killedBy = l.sessionId === sKill ? sessionKill : globalKill;
    return (decidedAt.get(l.proposalId ?? "") ?? 0) > killedBy.id;
  });
  expect(newer.map((l) => l.key)).toEqual([]);
}

describe("kill switches against in-flight decisions, 7 proposing processes and a killer", () => {
  it.runIf(server.available)(
    `PostgreSQL, ${ROUNDS} rounds`,
    async () => {
      for (let r = 0; r < ROUNDS; r++) {
        const schema = uniqueSchema(`kill_race_${r}`);
        const storage = createPostgresStorage({ connectionString: DATABASE_URL, schema });
        await storage.migrate();
        await storage.close();
        try {
          checkRound(await raceRound({ kind: "postgres", url: DATABASE_URL, schema }));
        } finally {
          await dropSchema(schema);
        }
      }
    },
    600_000,
  );

  it(`SQLite file, ${ROUNDS} rounds`, async () => {
    for (let r = 0; r < ROUNDS; r++) {
      const dir = mkdtempSync(join(tmpdir(), "acp-kill-race-"));
      try {
        checkRound(await raceRound({ kind: "sqlite", path: join(dir, "cp.db") }));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  }, 600_000);
});

if (!server.available) it.skip(`kill race on PostgreSQL: ${server.reason}`, () => {});
