// A separate operator process: approves one ticket in a SQLite file, then prints "approved <status>".
import { createControlPlane } from "../../../src/index.js";
import { createSqliteStorage } from "../../../src/storage/sqlite/index.js";

const [file, ticketId] = process.argv.slice(2);
const storage = createSqliteStorage({ path: file ?? "" });
const cp = await createControlPlane({ storage, policy: { version: 1 } });
const ticket = await cp.approve(ticketId ?? "", { decidedBy: "operator-process", reason: "checked" });
process.stdout.write(`approved ${ticket.status}\n`);
await cp.close();
await storage.close();
