import { describe, expect, it } from "vitest";
import { atSources, docSnippets, expectPrints, snippetRunner } from "../../support/doc-snippets.js";

const { snippets } = docSnippets("docs/integrations/ai-sdk.md");

describe("docs/integrations/ai-sdk.md", () => {
  const run = snippetRunner("docs-ai-sdk");

  it("has the hello-world, the one-line change, approvals and model calls", () => {
    expect(snippets).toHaveLength(4);
    expect(snippets[1]).toContain("governAiTool(cp, weather, {");
  });

  it.each(snippets.map((s, i) => [i + 1, s] as const))(
    "example %i runs and prints what it says",
    (i, source) => {
      // The page's imports point at the sources (no build needed) and `./model.js` at the docs' mock model.
      const program = atSources(
        source,
        { "ai-sdk": "src/adapters/ai-sdk/index.ts" },
        { '"./model.js"': "test/adapters/ai-sdk/docs-model.ts" },
      );
      expectPrints(run(`example-${i}.mts`, program), source);
    },
    180_000,
  );
});
