// The `agent-control-plane/mastra` subpath (skeleton: the adapter lands with its own work).
export {};
