// The `agent-control-plane/openai-agents` subpath (skeleton: the adapter lands with its own work).
export {};
