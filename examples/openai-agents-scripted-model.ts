/**
 * A scripted stand-in for an LLM behind `@openai/agents`: it implements the framework's `Model` interface
 * (`getResponse` / `getStreamedResponse`), calls the scripted tools one after the other and then answers with
 * the tool outputs it read. No network and no API key: the examples and tests of the adapter run on it.
 * It keeps no state between requests (the step is the number of tool calls already in the conversation), so a
 * run resumed in another process from a serialized `RunState` continues the script where it stopped.
 */
import type { AgentOutputItem, Model, ModelRequest, ModelResponse, StreamEvent } from "@openai/agents";
import { Usage } from "@openai/agents";

/** One scripted tool call: the tool's name and its arguments (the call id defaults to `call_<step>`). */
export interface ScriptedCall {
  readonly tool: string;
  readonly args: Readonly<Record<string, unknown>>;
  readonly callId?: string;
}

/** What the model read from the conversation: each tool call's output (or error text), by call id. */
export interface ToolOutputSeen {
  readonly callId: string;
  readonly name: string;
  readonly output: string;
}

/** A `Model` that calls `calls` in order, then answers `final(outputs)` (default: the outputs, one a line). */
export class ScriptedModel implements Model {
  /** The tool outputs of the last request: what the model was told. */
  lastSeen: readonly ToolOutputSeen[] = [];
  /** How many requests this instance answered. */
  requests = 0;

  constructor(
    private readonly calls: readonly ScriptedCall[],
    private readonly final: (outputs: readonly ToolOutputSeen[]) => string = (outputs) =>
      outputs.map((o) => `${o.name}: ${o.output}`).join("\n"),
  ) {}

  async getResponse(request: ModelRequest): Promise<ModelResponse> {
    this.requests += 1;
    const items = typeof request.input === "string" ? [] : request.input;
    const seen: ToolOutputSeen[] = [];
    let step = 0;
    for (const item of items) {
      if (item.type === "function_call") step += 1;
      if (item.type === "function_call_result") {
        const output = typeof item.output === "string" ? item.output : outputText(item.output);
        seen.push({ callId: item.callId, name: item.name, output });
      }
    }
    this.lastSeen = seen;
    const next = this.calls[step];
    const output: AgentOutputItem[] = next
      ? [
          {
            type: "function_call",
            callId: next.callId ?? `call_${step}`,
            name: next.tool,
            arguments: JSON.stringify(next.args),
            status: "completed",
          },
        ]
      : [
          {
            type: "message",
            role: "assistant",
            status: "completed",
            content: [{ type: "output_text", text: this.final(seen) }],
          },
        ];
    return { usage: new Usage({ requests: 1, inputTokens: 10, outputTokens: 5, totalTokens: 15 }), output };
  }

  async *getStreamedResponse(request: ModelRequest): AsyncIterable<StreamEvent> {
    const response = await this.getResponse(request);
    yield {
      type: "response_done",
      response: {
        id: `scripted-${this.requests}`,
        usage: { requests: 1, inputTokens: 10, outputTokens: 5, totalTokens: 15 },
        output: response.output,
      },
    } as StreamEvent;
  }
}

function outputText(output: unknown): string {
  const o = output as { type?: string; text?: string };
  return o?.type === "text" && typeof o.text === "string" ? o.text : JSON.stringify(output);
}
