import type { MockLanguageModelV3 } from "ai/test";

type V3Result = Awaited<ReturnType<MockLanguageModelV3["doGenerate"]>>;
type V3Options = MockLanguageModelV3["doGenerateCalls"][number];

/** The subset of a LanguageModelV2 (AI SDK 5 provider spec) that Mastra 0.24's agent loop calls. */
export interface LanguageModelV2Like {
  readonly specificationVersion: "v2";
  readonly provider: string;
  readonly modelId: string;
  readonly supportedUrls: Record<string, RegExp[]>;
  doGenerate(options: unknown): Promise<unknown>;
  doStream(options: unknown): Promise<{ stream: ReadableStream<unknown> }>;
}

function v2Usage(r: V3Result) {
  const input = r.usage.inputTokens.total ?? 0;
  const output = r.usage.outputTokens.total ?? 0;
  return { inputTokens: input, outputTokens: output, totalTokens: input + output };
}

/**
 * Presents the AI SDK's own `MockLanguageModelV3` as the LanguageModelV2 Mastra 0.24 expects (it accepts v1 and v2
 * models only, and the v5 `MockLanguageModelV2` needs `msw`, which is not installed). Every call goes through the
 * v3 mock's `doGenerate`, so its `doGenerateCalls` record what the model saw; streams replay the result.
 */
export function asV2(mock: MockLanguageModelV3): LanguageModelV2Like {
  const generate = (options: unknown) => mock.doGenerate(options as V3Options);
  return {
    specificationVersion: "v2",
    provider: mock.provider,
    modelId: mock.modelId,
    supportedUrls: {},
    async doGenerate(options) {
      const r = await generate(options);
      return { content: r.content, finishReason: r.finishReason.unified, usage: v2Usage(r), warnings: [] };
    },
    async doStream(options) {
      const r = await generate(options);
      const parts: unknown[] = [{ type: "stream-start", warnings: [] }];
      for (const c of r.content) {
        if (c.type === "text") {
          parts.push({ type: "text-start", id: "t" }, { type: "text-delta", id: "t", delta: c.text });
          parts.push({ type: "text-end", id: "t" });
        } else parts.push(c);
      }
      parts.push({ type: "finish", finishReason: r.finishReason.unified, usage: v2Usage(r) });
      return {
        stream: new ReadableStream({
          start(controller) {
            for (const p of parts) controller.enqueue(p);
            controller.close();
          },
        }),
      };
    },
  };
}
