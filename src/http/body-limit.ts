import type { MiddlewareHandler } from "hono";
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

/**
 * Refuses request bodies larger than `maxBytes` with 413 in the envelope. A `Content-Length` over the limit is
 * refused before reading; otherwise the body is read as a stream and counted as it arrives, so neither a
 * chunked body nor a `Content-Length` that understates the real body gets past the limit, and at most
 * `maxBytes` are ever held in memory. The counted body is handed on to the route unchanged.
 */
export function bodyLimit(maxBytes: number): MiddlewareHandler<HttpEnv> {
  return async (c, next) => {
    const raw = c.req.raw;
    if (raw.body === null) return next();
    const declared = raw.headers.get("content-length");
    if (declared !== null && /^\d+$/.test(declared.trim()) && Number(declared) > maxBytes) {
      return tooLarge(maxBytes);
    }
    const reader = raw.body.getReader();
    const chunks: Uint8Array[] = [];
    let size = 0;
    for (;;) {
      let chunk: Awaited<ReturnType<typeof reader.read>>;
      try {
        chunk = await reader.read();
      } catch {
        // The client went away mid-body (or the server cut the connection while shutting down).
        return errorResponse("validation_failed", "request body incomplete: the connection was closed");
      }
      const { done, value } = chunk;
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        // Stop reading: the rest of the body is discarded with the connection.
        void reader.cancel().catch(() => undefined);
        return tooLarge(maxBytes);
      }
      chunks.push(value);
    }
    const body = new Uint8Array(size);
    let offset = 0;
    for (const chunk of chunks) {
      body.set(chunk, offset);
      offset += chunk.byteLength;
    }
    const headers = new Headers(raw.headers);
    headers.set("content-length", String(size));
    headers.delete("transfer-encoding");
    c.req.raw = new Request(raw.url, { method: raw.method, headers, body, signal: raw.signal });
    return next();
  };
}
