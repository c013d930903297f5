import { Agent, request } from "node:http";

/** One request as sent on the wire: any method, raw path and query, raw headers and raw body bytes. */
export interface RawRequest {
  readonly method: string;
  /** Path and query string exactly as written on the request line (must be free of spaces and control bytes). */
  readonly path: string;
  readonly headers?: Readonly<Record<string, string | readonly string[]>>;
  readonly body?: string | Buffer;
}

/** What came back: the status, the headers and, unless it is an event stream, the whole body as text. */
export interface RawResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly text: string;
  /** True when the answer was `text/event-stream`: the body was not read (the stream was cut after the head). */
  readonly stream: boolean;
}

/** A keep-alive HTTP/1.1 client for one origin (`http://127.0.0.1:PORT`) with a bounded socket pool. */
export interface RawClient {
  send(req: RawRequest, timeoutMs?: number): Promise<RawResponse>;
  close(): void;
}

/**
 * Creates a {@link RawClient} over `node:http` with a keep-alive agent of at most `maxSockets` connections.
 * Unlike `fetch`, it sends whatever it is given: bodies on GET, invalid UTF-8, repeated headers.
 */
export function rawClient(origin: string, maxSockets = 16): RawClient {
  const url = new URL(origin);
  const agent = new Agent({ keepAlive: true, maxSockets });
  return {
    async send(req, timeoutMs = 10_000) {
      try {
        return await once(req, timeoutMs);
      } catch (error) {
        // The keep-alive race: the server closed an idle connection just as it was reused. It read nothing.
        if ((error as { retryable?: boolean }).retryable) return once(req, timeoutMs);
        throw error;
      }
    },
    close() {
      agent.destroy();
    },
  };

  function once(req: RawRequest, timeoutMs: number): Promise<RawResponse> {
    return new Promise<RawResponse>((resolve, reject) => {
      const headers: Record<string, string | string[]> = {};
      for (const [k, v] of Object.entries(req.headers ?? {})) headers[k] = v as string | string[];
      const body = req.body === undefined ? undefined : Buffer.from(req.body);
      if (body !== undefined) headers["content-length"] = String(body.length);
      const r = request(
        { agent, host: url.hostname, port: url.port, method: req.method, path: req.path, headers },
        (res) => {
          const stream = String(res.headers["content-type"] ?? "").startsWith("text/event-stream");
          if (stream) {
            res.destroy();
            resolve({ status: res.statusCode ?? 0, headers: res.headers, text: "", stream });
            return;
          }
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("error", reject);
          res.on("end", () =>
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              text: Buffer.concat(chunks).toString("utf8"),
              stream,
            }),
          );
        },
      );
      r.setTimeout(timeoutMs, () => r.destroy(new Error(`timed out after ${timeoutMs} ms`)));
      r.on("error", (error: NodeJS.ErrnoException) => {
        if (r.reusedSocket && error.code === "ECONNRESET") Object.assign(error, { retryable: true });
        reject(error);
      });
      r.end(body);
    });
  }
}
