// The `agent-control-plane/ai-sdk` subpath (skeleton: the adapter lands with its own work).
export {};
