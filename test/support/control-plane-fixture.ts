import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type ControlPlane, createControlPlane } from "../../src/control-plane/create-control-plane.js";
import type { ControlPlaneOptions } from "../../src/control-plane/options.js";
import { createMemoryStorage } from "../../src/storage/memory/memory-storage.js";
import type { Storage } from "../../src/storage/storage.js";

/** A policy exercising every tier, used by the facade tests. */
export const TEST_POLICY = {
  version: 1,
  actions: {
    blocked: ["delete_database"],
    alwaysApprove: ["send_payment", "deploy"],
    autoApprove: ["read_file", "write_file"],
    steer: ["force_push"],
    unrestricted: ["log_note"],
  },
  approvals: { timeout: "15m" },
} as const;

/** A settable clock. */
export interface TestClock {
  now(): number;
  advance(ms: number): void;
}

/** Creates a clock starting at a fixed instant. */
export function testClock(start = Date.UTC(2026, 0, 1)): TestClock {
  let t = start;
  return {
    now: () => t,
    advance(ms) {
      t += ms;
    },
  };
}

/** A storage adapter the facade tests run against. */
export interface StorageCase {
  readonly name: string;
  create(): Promise<{ storage: Storage; cleanup: () => Promise<void> }>;
}

/** Storage adapters the facade suite runs on. */
export const STORAGE_CASES: StorageCase[] = [
  {
    name: "memory",
    async create() {
      const storage = createMemoryStorage();
      return { storage, cleanup: () => storage.close() };
    },
  },
];

/** Registers the SQLite case when its adapter is available. */
export async function withSqliteCase(): Promise<StorageCase[]> {
  try {
    const { createSqliteStorage } = await import("../../src/storage/sqlite/index.js");
    return [
      ...STORAGE_CASES,
      {
        name: "sqlite-file",
        async create() {
          const dir = mkdtempSync(join(tmpdir(), "acp-facade-"));
          const storage = await createSqliteStorage({ path: join(dir, "cp.db") });
          return {
            storage,
            cleanup: async () => {
              await storage.close();
              rmSync(dir, { recursive: true, force: true });
            },
          };
        },
      },
    ];
  } catch {
    return STORAGE_CASES;
  }
}

/** Creates a control plane with the test policy and a test clock on `storage`. */
export async function makeControlPlane(
  storage: Storage,
  overrides: Partial<ControlPlaneOptions> = {},
): Promise<{ cp: ControlPlane; clock: TestClock }> {
  const clock = testClock();
  const cp = await createControlPlane({ storage, policy: TEST_POLICY, clock, ...overrides });
  return { cp, clock };
}
