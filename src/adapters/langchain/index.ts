// The `agent-control-plane/langchain` subpath (skeleton: the adapter lands with its own work).
export {};
