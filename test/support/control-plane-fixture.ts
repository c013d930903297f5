import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach } from "vitest";
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

/** The per-test state of a facade suite: a fresh storage and control plane before each test, closed after. */
export interface ControlPlaneHarness {
  readonly storage: Storage;
  readonly cp: ControlPlane;
  readonly clock: TestClock;
}

/**
 * Registers `beforeEach`/`afterEach` hooks that give every test a fresh storage of `storageCase` and a control
 * plane on it (with `overrides`), and returns an accessor for them.
 */
export function useControlPlane(
  storageCase: StorageCase,
  overrides: Partial<ControlPlaneOptions> = {},
): () => ControlPlaneHarness {
  let harness: ControlPlaneHarness | undefined;
  let cleanup: (() => Promise<void>) | undefined;
  beforeEach(async () => {
    const created = await storageCase.create();
    cleanup = created.cleanup;
    const { cp, clock } = await makeControlPlane(created.storage, overrides);
    harness = { storage: created.storage, cp, clock };
  });
  afterEach(async () => {
    await harness?.cp.close();
    await cleanup?.();
    harness = undefined;
  });
  return () => {
    if (!harness) throw new Error("useControlPlane: only available inside a test");
    return harness;
  };
}
