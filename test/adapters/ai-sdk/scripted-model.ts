import { MockLanguageModelV3 } from "ai/test";

type CallOptions = MockLanguageModelV3["doGenerateCalls"][number];
type GenerateResult = Awaited<ReturnType<MockLanguageModelV3["doGenerate"]>>;
type StreamPart =
  Awaited<ReturnType<MockLanguageModelV3["doStream"]>>["stream"] extends ReadableStream<infer P> ? P : never;

/** One step of a scripted model: call a tool, or answer with text. */
export type ScriptStep =
  | { readonly tool: string; readonly input: unknown; readonly id?: string }
  | { readonly text: string };

const usage = {
  inputTokens: { total: 10, noCache: 10, cacheRead: 0, cacheWrite: 0 },
  outputTokens: { total: 5, text: 5, reasoning: 0 },
};

/**
 * The AI SDK's own MockLanguageModelV3 answering each call with the next scripted step (text once the script
 * is done), so a test can read in `doGenerateCalls` what the model saw after each tool call.
 */
export function scriptedModel(steps: readonly ScriptStep[], modelId = "mock-model"): MockLanguageModelV3 {
  let next = 0;
  const generate = async (): Promise<GenerateResult> => {
    const step = steps[next++] ?? { text: "done" };
    if ("text" in step)
      return {
        content: [{ type: "text", text: step.text }],
        finishReason: { unified: "stop", raw: "stop" },
        usage,
        warnings: [],
      };
    return {
      content: [
        {
          type: "tool-call",
          toolCallId: step.id ?? `call-${next}`,
          toolName: step.tool,
          input: JSON.stringify(step.input),
        },
      ],
      finishReason: { unified: "tool-calls", raw: "tool_calls" },
      usage,
      warnings: [],
    };
  };
  return new MockLanguageModelV3({
    modelId,
    doGenerate: generate,
    // A stream replays the next step as stream parts.
    doStream: async () => {
      const r = await generate();
      const parts: StreamPart[] = [{ type: "stream-start", warnings: [] }];
      for (const c of r.content)
        if (c.type === "text")
          parts.push(
            { type: "text-start", id: "t" },
            { type: "text-delta", id: "t", delta: c.text },
            { type: "text-end", id: "t" },
          );
        else if (c.type === "tool-call") parts.push(c);
      parts.push({ type: "finish", finishReason: r.finishReason, usage: r.usage });
      return {
        stream: new ReadableStream<StreamPart>({
          start(controller) {
            for (const p of parts) controller.enqueue(p);
            controller.close();
          },
        }),
      };
    },
  });
}

/** The tool results (and errors) the model was shown in the prompt of one of its calls. */
export function toolOutputsSeen(call: CallOptions | undefined): { type: string; value: unknown }[] {
  const out: { type: string; value: unknown }[] = [];
  for (const message of call?.prompt ?? []) {
    if (message.role !== "tool") continue;
    for (const part of message.content)
      if (part.type === "tool-result") out.push(part.output as { type: string; value: unknown });
  }
  return out;
}
