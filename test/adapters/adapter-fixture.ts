import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach } from "vitest";
import { type ControlPlane, createControlPlane } from "../../src/control-plane/create-control-plane.js";
import { createMemoryStorage } from "../../src/storage/memory/memory-storage.js";
import { createSqliteStorage } from "../../src/storage/sqlite/index.js";
import type { Storage } from "../../src/storage/storage.js";

/** The policy of the adapter tests: a lookup runs, a refund needs a human, dropping the database is blocked. */
export const ADAPTER_POLICY = {
  version: 1,
  actions: { blocked: ["delete_database"], alwaysApprove: ["issue_refund"], autoApprove: ["lookup_order"] },
  approvals: { timeout: "15m" },
} as const;

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Registers a clean-up run after the current test (last registered, first run). */
export function onCleanup(cleanup: () => Promise<void> | void): void {
  cleanups.push(cleanup);
}

/**
 * A control plane on memory (or a SQLite file) with {@link ADAPTER_POLICY} and one session named `label`, closed
 * after the test.
 */
export async function adapterSetup(label: string, options: { sqlite?: boolean; maxActions?: number } = {}) {
  let storage: Storage;
  if (options.sqlite) {
    const dir = mkdtempSync(join(tmpdir(), "acp-adapter-"));
    storage = createSqliteStorage({ path: join(dir, "cp.db") });
    onCleanup(() => rmSync(dir, { recursive: true, force: true }));
  } else storage = createMemoryStorage();
  onCleanup(() => storage.close());
  const cp: ControlPlane = await createControlPlane({ storage, policy: ADAPTER_POLICY });
  onCleanup(() => cp.close());
  const session = await cp.openSession({
    name: label,
    ...(options.maxActions !== undefined ? { budget: { maxActions: options.maxActions } } : {}),
  });
  return { cp, session };
}
