// The `model` the docs' AI SDK examples import from "./model.js": the AI SDK's MockLanguageModelV3 calling the
// first tool it is given once, with an input filled from the tool's JSON schema, then answering with text.
import { MockLanguageModelV3 } from "ai/test";

type Options = MockLanguageModelV3["doGenerateCalls"][number];

function sampleInput(schema: unknown): Record<string, unknown> {
  const props = (schema as { properties?: Record<string, { type?: string }> }).properties ?? {};
  return Object.fromEntries(
    Object.entries(props).map(([k, v]) => [k, v.type === "number" ? 42 : `example-${k}`]),
  );
}

const usage = {
  inputTokens: { total: 10, noCache: 10, cacheRead: 0, cacheWrite: 0 },
  outputTokens: { total: 5, text: 5, reasoning: 0 },
};

/** A model that calls the first tool once per conversation, then says what the last tool returned. */
export const model = new MockLanguageModelV3({
  modelId: "docs-model",
  doGenerate: async (options: Options) => {
    const last = options.prompt.at(-1);
    const tool = options.tools?.find((t) => t.type === "function");
    if (last?.role !== "tool" && tool && tool.type === "function") {
      return {
        content: [
          {
            type: "tool-call",
            toolCallId: "call-1",
            toolName: tool.name,
            input: JSON.stringify(sampleInput(tool.inputSchema)),
          },
        ],
        finishReason: { unified: "tool-calls", raw: "tool_calls" },
        usage,
        warnings: [],
      };
    }
    const result = last?.role === "tool" ? last.content.find((p) => p.type === "tool-result") : undefined;
    return {
      content: [{ type: "text", text: `tool said: ${JSON.stringify(result?.output ?? null)}` }],
      finishReason: { unified: "stop", raw: "stop" },
      usage,
      warnings: [],
    };
  },
});
