/**
 * A separate process deciding proposals in one session with {@link RISK_POLICY}: argv[2] is JSON
 * `{ dialect: "sqlite", path } | { dialect: "postgres", url, schema }` plus `sessionId`, `actions` and an optional
 * `startAt` (epoch ms to wait for, so that racing workers start together). Prints one JSON line per decision.
 */
import { createControlPlane } from "../../src/control-plane/create-control-plane.js";
import type { Storage } from "../../src/storage/storage.js";
import { RISK_POLICY } from "./risk-policy.js";

interface Command {
  readonly dialect: "sqlite" | "postgres";
  readonly path?: string;
  readonly url?: string;
  readonly schema?: string;
  readonly sessionId: string;
  readonly actions: readonly string[];
  readonly startAt?: number;
}

const command = JSON.parse(process.argv[2]!) as Command;
let storage: Storage;
if (command.dialect === "sqlite") {
  const { createSqliteStorage } = await import("../../src/storage/sqlite/index.js");
  storage = await createSqliteStorage({ path: command.path!, busyTimeoutMs: 20_000 });
} else {
  const { createPostgresStorage } = await import("../../src/storage/postgres/index.js");
  storage = createPostgresStorage({ connectionString: command.url!, schema: command.schema!, poolSize: 2 });
}
const cp = await createControlPlane({ storage, policy: RISK_POLICY });
if (command.startAt !== undefined)
  await new Promise((r) => setTimeout(r, Math.max(0, command.startAt! - Date.now())));
for (const action of command.actions) {
  const d = await cp.propose({ sessionId: command.sessionId, action });
  process.stdout.write(`${JSON.stringify({ action, outcome: d.outcome, riskLevel: d.riskLevel })}\n`);
}
await cp.close();
await storage.close();
