import type { Context, MiddlewareHandler } from "hono";
import type { HttpEnv } from "./context.js";
import { errorResponse } from "./errors.js";

/** Default largest request body, in bytes (1 MiB). */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

/** The 413 envelope naming the limit. */
function tooLarge(maxBytes: number): Response {
  return errorResponse(
    "payload_too_large",
    `request body larger than ${maxBytes} bytes`,
    { max_body_bytes: maxBytes },
    { connection: "close" },
  );
}

/** Methods whose requests carry no body unless they say so with Content-Length or Transfer-Encoding. */
const BODYLESS = new Set(["GET", "HEAD", "OPTIONS", "DELETE"]);

/** The Node.js request behind `@hono/node-server` (its `env.incoming`), if the app is served by it. */
function nodeIncoming(c: Context<HttpEnv>): AsyncIterable<Uint8Array> | undefined {
  const incoming = (c.env as { incoming?: unknown } | undefined)?.incoming;
  return incoming !== null && typeof incoming === "object" && Symbol.asyncIterator in incoming
    ? (incoming as AsyncIterable<Uint8Array>)
    : undefined;
}

/** Reads at most `maxBytes` of a body; `undefined` when it is larger, `null` when the client went away. */
async function readBounded(
  chunks: AsyncIterable<Uint8Array>,
  maxBytes: number,
  stop: () => void,
): Promise<Uint8Array | undefined | null> {
  const parts: Uint8Array[] = [];
  let size = 0;
  try {
    for await (const chunk of chunks) {
      size += chunk.byteLength;
      if (size > maxBytes) {
        stop(); // the rest of the body is discarded with the connection
        return undefined;
      }
      parts.push(chunk);
    }
  } catch {
    return null; // the client went away mid-body (or the server cut the connection while shutting down)
  }
  if (parts.length === 1) return parts[0]!;
  const body = new Uint8Array(size);
  let offset = 0;
  for (const part of parts) {
    body.set(part, offset);
    offset += part.byteLength;
  }
  return body;
}

/** A web stream as an async iterable of chunks, cancelled by `stop`. */
function streamChunks(stream: ReadableStream<Uint8Array>): {
  chunks: AsyncIterable<Uint8Array>;
  stop: () => void;
} {
  const reader = stream.getReader();
  return {
    chunks: {
      async *[Symbol.asyncIterator]() {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) return;
          yield value;
        }
      },
    },
    stop: () => void reader.cancel().catch(() => undefined),
  };
}

/**
 * Refuses request bodies larger than `maxBytes` with 413 in the envelope. A `Content-Length` over the limit is
 * refused before reading; otherwise the body is read and counted as it arrives, so neither a chunked body nor a
 * `Content-Length` that understates the real body gets past the limit, and at most `maxBytes` are ever held in
 * memory. The counted body is handed to the route through Hono's body cache (`c.req.json()` and the request
 * validators read it from there), so the request is not rebuilt. Served by `@hono/node-server`, the body is
 * read straight from Node's request; elsewhere from the web `Request`.
 */
export function bodyLimit(maxBytes: number): MiddlewareHandler<HttpEnv> {
  return async (c, next) => {
    const declared = c.req.header("content-length");
    const chunked = c.req.header("transfer-encoding") !== undefined;
    if (declared === undefined && !chunked && BODYLESS.has(c.req.method)) return next();
    if (declared !== undefined && /^\d+$/.test(declared.trim()) && Number(declared) > maxBytes) {
      return tooLarge(maxBytes);
    }
    const incoming = nodeIncoming(c);
    let source: { chunks: AsyncIterable<Uint8Array>; stop: () => void };
    if (incoming !== undefined) {
      source = { chunks: incoming, stop: () => undefined };
    } else {
      const stream = c.req.raw.body;
      if (stream === null) return next();
      source = streamChunks(stream);
    }
    const body = await readBounded(source.chunks, maxBytes, source.stop);
    if (body === undefined) return tooLarge(maxBytes);
    if (body === null) {
      return errorResponse("validation_failed", "request body incomplete: the connection was closed");
    }
    // An empty body sent as JSON counts as `{}`: optional bodies may be left out, and a required one then
    // fails validation naming its fields (422) instead of a bare "malformed JSON" (400).
    const empty = body.byteLength === 0 && /json/i.test(c.req.header("content-type") ?? "");
    const text = empty ? "{}" : new TextDecoder().decode(body);
    // Hono keeps promises in its body cache (its type says otherwise).
    const cache = c.req.bodyCache as Record<string, Promise<unknown>>;
    cache.text = Promise.resolve(text);
    cache.arrayBuffer = Promise.resolve(
      body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength) as ArrayBuffer,
    );
    return next();
  };
}
