import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { createControlPlane } from "../../src/control-plane/create-control-plane.js";
import { loadServeConfig } from "../../src/server/load-serve-config.js";
import { createMemoryStorage } from "../../src/storage/memory/index.js";

const dir = mkdtempSync(join(tmpdir(), "acp-model-prices-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function configFile(body: string): string {
  const file = join(dir, `c${Math.random()}.yaml`);
  writeFileSync(file, body);
  return file;
}

describe("serve config model_prices", () => {
  it("becomes the control plane's price table", async () => {
    const config = loadServeConfig(
      {
        config: configFile(
          'model_prices:\n  gpt-4o:\n    input_per_million_tokens: "2.5"\n    output_per_million_tokens: 10\n',
        ),
      },
      {},
    );
    expect(config.modelPrices).toEqual({
      "gpt-4o": { inputPerMillionTokens: "2.5", outputPerMillionTokens: 10 },
    });
    const cp = await createControlPlane({
      storage: createMemoryStorage(),
      policy: { version: 1, actions: { autoApprove: ["llm_call"] } },
      modelPrices: config.modelPrices!,
    });
    await cp.createTokenBudget({ period: "daily", maxCost: "1" });
    const session = await cp.openSession();
    const d = await cp.propose({
      sessionId: session.id,
      action: "llm_call",
      model: { model: "gpt-4o", inputTokens: 400_000, outputTokens: 0 },
    });
    expect(d.outcome).toBe("allowed");
    expect((await cp.tokenBudgetStates())[0]).toMatchObject({ reservedCost: "1", remainingCost: "0" });
    await cp.close();
  });

  it("rejects unknown keys in a price with the path named", () => {
    const file = configFile('model_prices:\n  gpt-4o:\n    input: "2.5"\n');
    expect(() => loadServeConfig({ config: file }, {})).toThrow(/model_prices\.gpt-4o/);
  });
});
