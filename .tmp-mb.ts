import { linkEvent } from "/work/wt-chain/src/engines/audit/chain-link.js";
import { canonicalEvent } from "/work/wt-chain/src/engines/audit/canonical-event.js";
import { hash } from "node:crypto";
const e = { sessionId: "0193a7b2-1111-7aaa-8bbb-123456789abc", kind: "proposal_decided" as const, agentId: "agent-1", proposalId: "0193a7b2-2222-7aaa-8bbb-123456789abc", ticketId: null, payload: { outcome: "allowed", code: "auto_approved", action: "write_file", resourceId: "r1", cost: "0.01", tier: "auto_approve", risk: "low", trace: [{ step: "policy", detail: "auto" }] }, at: 1733420000000 };
let prev: string | null = null;
for (let r = 0; r < 3; r++) {
  let t = process.hrtime.bigint();
  for (let i = 0; i < 100000; i++) prev = linkEvent(prev, e);
  console.log("linkEvent µs", Number(process.hrtime.bigint() - t) / 1e3 / 100000);
  t = process.hrtime.bigint();
  for (let i = 0; i < 100000; i++) canonicalEvent(e);
  console.log("canonical µs", Number(process.hrtime.bigint() - t) / 1e3 / 100000);
  t = process.hrtime.bigint();
  const p = prev!;
  for (let i = 0; i < 100000; i++) { const c = canonicalEvent(e); const b = Buffer.allocUnsafe(32 + Buffer.byteLength(c)); b.write(p, 0, "hex"); b.write(c, 32, "utf8"); prev = hash("sha256", b, "hex"); }
  console.log("fast µs", Number(process.hrtime.bigint() - t) / 1e3 / 100000);
}
