import type { IncomingMessage, Server, ServerResponse } from "node:http";

/** Graceful shutdown of an HTTP server: see {@link createDrain}. */
export interface ServerDrain {
  /** Requests whose handler has not finished yet. */
  readonly inFlight: number;
  /** Wraps the app's fetch handler so that {@link ServerDrain.drain} can wait for running handlers. */
  wrap<A extends unknown[]>(
    fetch: (request: Request, ...rest: A) => Promise<Response> | Response,
  ): (request: Request, ...rest: A) => Promise<Response>;
  /** Follows the responses of `server` (call once, before it listens). */
  attach(server: Server): void;
  /**
   * Stops accepting connections, calls `closing` (end streams and long polls), closes idle keep-alive
   * connections, answers what is in flight with `Connection: close`, and resolves once every connection has
   * ended and every handler has finished — or, after `graceMs`, cuts the remaining connections and waits (at most
   * `graceMs` again) for handlers still running, so that none is left writing when storage closes. Resolves
   * `true` when nothing had to be cut.
   */
  drain(graceMs: number, closing?: () => unknown): Promise<boolean>;
}

const sleep = (ms: number) =>
  new Promise<void>((resolve) => {
    setTimeout(resolve, ms).unref();
  });

/** Creates the request tracking behind a graceful shutdown. */
export function createDrain(): ServerDrain {
  let server: Server | undefined;
  let closing = false;
  let inFlight = 0;
  const waiters: (() => void)[] = [];
  const open = new Set<ServerResponse>();
  const handlersDone = () =>
    inFlight === 0 ? Promise.resolve() : new Promise<void>((resolve) => waiters.push(resolve));
  return {
    get inFlight() {
      return inFlight;
    },
    wrap(fetch) {
      return async (request, ...rest) => {
        inFlight++;
        try {
          return await fetch(request, ...rest);
        } finally {
          inFlight--;
          if (inFlight === 0) for (const resolve of waiters.splice(0)) resolve();
        }
      };
    },
    attach(s) {
      server = s;
      s.on("request", (_req: IncomingMessage, res: ServerResponse) => {
        if (closing) res.setHeader("connection", "close");
        open.add(res);
        res.once("close", () => open.delete(res));
      });
    },
    async drain(graceMs, onClosing) {
      if (server === undefined) throw new Error("drain: no server attached");
      const s = server;
      closing = true;
      const closed = new Promise<void>((resolve) => s.close(() => resolve()));
      for (const res of open) if (!res.headersSent) res.setHeader("connection", "close");
      try {
        await onClosing?.();
      } catch {
        // Ending streams is best effort: the grace period still bounds the wait.
      }
      s.closeIdleConnections();
      // Connections that finish their response while draining become idle: close them as they do.
      const sweep = setInterval(() => s.closeIdleConnections(), 25);
      const finished = Promise.all([closed, handlersDone()]).then(() => true);
      const clean = await Promise.race([finished, sleep(graceMs).then(() => false)]);
      clearInterval(sweep);
      if (clean) return true;
      s.closeAllConnections();
      await Promise.race([Promise.all([closed, handlersDone()]), sleep(graceMs)]);
      return false;
    },
  };
}
