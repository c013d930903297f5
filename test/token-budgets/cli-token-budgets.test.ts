import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createMemoryStorage } from "../../src/storage/memory/index.js";
import { type HttpHarness, startHttp, TOKENS } from "../support/http-server.js";
import { runAcp } from "../support/run-acp.js";

describe("acp token-budgets (against a real server)", () => {
  let h: HttpHarness;
  beforeEach(async () => {
    h = await startHttp({ storage: createMemoryStorage() });
  });
  afterEach(() => h.close());

  it("creates (operator), lists and shows states; a viewer may not create", async () => {
    const operator = { ACP_URL: h.url, ACP_TOKEN: TOKENS.operator };
    const viewer = { ACP_URL: h.url, ACP_TOKEN: TOKENS.viewer };
    const args = ["token-budgets", "create", "--org", "acme", "--period", "rolling", "--rolling", "1h"];
    const created = await runAcp([...args, "--max-tokens", "500", "--models", "gpt-4o", "--json"], operator);
    expect(created.code, created.stderr).toBe(0);
    const budget = JSON.parse(created.stdout) as { id: string };
    expect(JSON.parse(created.stdout)).toMatchObject({ period: "rolling", rolling: "1h", max_tokens: 500 });
    expect((await runAcp([...args, "--max-tokens", "1"], viewer)).code).not.toBe(0);
    const list = await runAcp(["token-budgets", "list", "--org", "acme"], viewer);
    expect(list.stdout).toMatch(/^ID\s+IDENTITY\s+PERIOD/);
    expect(list.stdout).toContain(budget.id);
    expect(list.stdout).toContain("rolling 1h");
    expect((await runAcp(["token-budgets", "list", "--org", "other", "--json"], viewer)).stdout.trim()).toBe(
      "[]",
    );
    const states = await runAcp(["token-budgets", "states", "--org", "acme", "--json"], viewer);
    expect(JSON.parse(states.stdout)).toMatchObject([{ config_id: budget.id, remaining_tokens: 500 }]);
  });
});
