import { describe, expect, it } from "vitest";
import { atSources, docSnippets, expectPrints, snippetRunner } from "../../support/doc-snippets.js";

const { snippets } = docSnippets("docs/integrations/mastra.md");

describe("docs/integrations/mastra.md", () => {
  const run = snippetRunner("docs-mastra");

  it("has the hello-world, the one-line change and approvals", () => {
    expect(snippets).toHaveLength(3);
    expect(snippets[1]).toContain("governMastraTool(cp, weatherTool, {");
  });

  it.each(snippets.map((s, i) => [i + 1, s] as const))(
    "example %i runs and prints what it says",
    (i, source) => {
      // The page's imports point at the sources (no build needed) and `./model.js` at the docs' mock model.
      const program = atSources(
        source,
        { mastra: "src/adapters/mastra/index.ts" },
        { '"./model.js"': "test/adapters/mastra/docs-model.ts" },
      );
      expectPrints(run(`example-${i}.mts`, program), source);
    },
    180_000,
  );
});
