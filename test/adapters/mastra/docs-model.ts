// The `model` the docs' Mastra examples import from "./model.js": the AI SDK docs mock (calls the first tool once,
// then answers) presented as the LanguageModelV2 Mastra 0.24 drives.
import { model as mock } from "../ai-sdk/docs-model.js";
import { asV2 } from "./v2-model.js";

/** Typed `never` so that it fits Mastra's model option, whose v2 type comes from a bundled AI SDK. */
export const model = asV2(mock) as never;
