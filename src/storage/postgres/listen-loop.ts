import type { ListenHandle } from "./driver.js";

/** One LISTEN connection as the reconnect loop sees it. */
export interface ListenConnection {
  query(text: string): Promise<unknown>;
  /** Registers the callback run when the connection fails or ends. */
  onLost(callback: (error: Error) => void): void;
  /** Gives the connection up (destroys it; never returns a LISTENing client to a pool). */
  close(error?: Error): void;
}

const MIN_DELAY_MS = 50;
const MAX_DELAY_MS = 5_000;

/**
 * Keeps one connection LISTENing on `channel` (`connect` wires its notifications). Resolves once the first LISTEN is active (rejects if it
 * cannot be set up); afterwards, when the connection drops it is re-established with exponential backoff
 * (50 ms → 5 s). Notifications sent while it is down are lost: subscribers also poll (see the port).
 */
export async function listenWithReconnect(
  channel: string,
  connect: () => Promise<ListenConnection>,
): Promise<ListenHandle> {
  let stopped = false;
  let current: ListenConnection | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const open = async () => {
    const connection = await connect();
    try {
      await connection.query(`LISTEN "${channel}"`);
    } catch (error) {
      connection.close(error as Error);
      throw error;
    }
    if (stopped) {
      connection.close();
      return;
    }
    current = connection;
    connection.onLost((error) => {
      if (current !== connection) return;
      current = undefined;
      connection.close(error);
      schedule(MIN_DELAY_MS);
    });
  };

  const schedule = (delay: number) => {
    if (stopped) return;
    timer = setTimeout(() => {
      timer = undefined;
      open().catch(() => schedule(Math.min(delay * 2, MAX_DELAY_MS)));
    }, delay);
    timer.unref?.();
  };

  await open();
  return {
    async stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      const connection = current;
      current = undefined;
      if (!connection) return;
      try {
        await connection.query(`UNLISTEN "${channel}"`);
      } catch {
        // The connection is being discarded anyway.
      }
      connection.close();
    },
  };
}
