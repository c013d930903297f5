import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";

/** One request a {@link WebhookReceiver} got, and the status it answered. */
export interface ReceivedWebhook {
  readonly headers: IncomingHttpHeaders;
  /** The raw body, as received. */
  readonly body: string;
  readonly status: number;
  /** Header `x-acp-delivery`. */
  readonly delivery: string;
}

/** A local HTTP receiver on 127.0.0.1 that records every request. */
export interface WebhookReceiver {
  readonly url: string;
  readonly received: ReceivedWebhook[];
  /** Requests answered 2xx. */
  accepted(): ReceivedWebhook[];
  /** Resolves once `predicate` holds for the requests received (checked on each request), or rejects after `timeoutMs`. */
  waitFor(predicate: (received: readonly ReceivedWebhook[]) => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts a receiver. `respond` chooses the status of each request from the requests of the same delivery id
 * received before it (0 for the first attempt); default 200.
 */
export async function startWebhookReceiver(
  respond: (attemptsBefore: number, headers: IncomingHttpHeaders) => number = () => 200,
): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  const waiters = new Set<() => void>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const delivery = String(req.headers["x-acp-delivery"] ?? "");
      const before = received.filter((r) => r.delivery === delivery).length;
      const status = respond(before, req.headers);
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString("utf8"), status, delivery });
      res.writeHead(status, { "content-type": "text/plain" }).end(status < 300 ? "ok" : "fail");
      for (const w of [...waiters]) w();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    accepted: () => received.filter((r) => r.status >= 200 && r.status < 300),
    waitFor: (predicate, timeoutMs = 15_000) =>
      new Promise<void>((resolve, reject) => {
        const check = () => {
          if (!predicate(received)) return;
          clearTimeout(timer);
          waiters.delete(check);
          resolve();
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(
            new Error(
              `webhook receiver: condition not met after ${timeoutMs} ms (${received.length} requests)`,
            ),
          );
        }, timeoutMs);
        waiters.add(check);
        check();
      }),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
