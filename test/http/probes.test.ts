import { describe, expect, it } from "vitest";
import { startHttp, useHttp } from "../support/http-server.js";

describe("/healthz and /readyz", () => {
  const h = useHttp();

  it("answer without a token when the storage is reachable", async () => {
    const live = await h().call("/healthz");
    expect(live.status).toBe(200);
    expect(await live.json()).toEqual({ status: "ok" });
    const ready = await h().call("/readyz");
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: "ready" });
  });

  it("/readyz is 503 in the envelope once the app is closing; /healthz stays 200", async () => {
    h().app.close();
    const ready = await h().call("/readyz");
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ details: { code: "closed" } });
    expect((await h().call("/healthz")).status).toBe(200);
  });
});

describe("/readyz with an unreachable storage", () => {
  it("answers 503 storage_failure without the cause's text", async () => {
    const { createSqliteStorage } = await import("../../src/storage/sqlite/index.js");
    const { mkdtempSync, rmSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const dir = mkdtempSync(join(tmpdir(), "acp-readyz-"));
    const storage = await createSqliteStorage({ path: join(dir, "acp.db") });
    const h = await startHttp({ storage });
    try {
      await storage.close(); // the database goes away under the running server
      const res = await h.call("/readyz");
      expect(res.status).toBe(503);
      const body = (await res.json()) as { error: string; details: { code: string } };
      expect(body).toMatchObject({ error: "storage unreachable", details: { code: "storage_failure" } });
    } finally {
      await h.close().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
