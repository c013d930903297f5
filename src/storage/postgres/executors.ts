import type { SqlExecutor } from "./driver.js";
import type { KyselyExecutorLike, PGliteQueryableLike, PgClientLike } from "./options.js";

const statementNames = new Map<string, string>();

/** A process-wide name per statement text, so each connection parses a statement once. */
function statementName(text: string): string {
  let name = statementNames.get(text);
  if (name === undefined) {
    name = `acp_${statementNames.size.toString(36)}`;
    statementNames.set(text, name);
  }
  return name;
}

/**
 * Runs the queries of one connection one at a time, in call order: a query sent while another is under way
 * waits for it. When nothing is queued a query is sent at once (no extra turn on the hot path).
 */
function oneAtATime(send: (text: string, values: readonly unknown[] | undefined) => Promise<unknown>) {
  let tail: Promise<void> | undefined;
  return (text: string, values: readonly unknown[] | undefined): Promise<never> => {
    const previous = tail;
    let result: Promise<unknown>;
    try {
      result = previous === undefined ? send(text, values) : previous.then(() => send(text, values));
    } catch (error) {
      result = Promise.reject(error); // a synchronous throw of the driver becomes a rejection
    }
    const done: Promise<void> = result.then(
      () => clear(),
      () => clear(),
    );
    const clear = () => {
      if (tail === done) tail = undefined;
    };
    tail = done;
    return result as Promise<never>;
  };
}

/**
 * Executor over a `pg` client. Statements with parameters become named prepared statements when
 * `prepared` is set; statements without parameters use the simple protocol.
 *
 * A client runs one query at a time: calls made while a query is under way (e.g. `Promise.all` over
 * `tx` methods) wait for it and are sent in call order. Handing a busy client another query is deprecated
 * in pg 8 ("client is already executing a query") and an error in pg 9.
 */
export function pgExecutor(client: PgClientLike, prepared: boolean): SqlExecutor {
  const query = oneAtATime((text, values) => {
    if (values === undefined || values.length === 0) return client.query({ text });
    const config = prepared
      ? { text, values: values as unknown[], name: statementName(text) }
      : { text, values: values as unknown[] };
    return client.query(config);
  });
  return { query };
}

/**
 * Executor over a Kysely instance or transaction (raw compiled queries; no runtime import of Kysely). Like
 * {@link pgExecutor} it sends one query at a time: a Kysely transaction is one `pg` client.
 */
export function kyselyExecutor(db: KyselyExecutorLike): SqlExecutor {
  const query = oneAtATime(async (text, values = []) => {
    const result = await db.executeQuery({
      sql: text,
      parameters: values,
      query: { kind: "RawNode", sqlFragments: [text], parameters: [] },
      queryId: { queryId: "acp" },
    });
    return { rows: result.rows as Record<string, unknown>[] };
  });
  return { query };
}

/** Executor over a PGlite instance or transaction. */
export function pgliteExecutor(db: PGliteQueryableLike): SqlExecutor {
  return {
    async query(text, values) {
      const result = await db.query(text, values === undefined ? undefined : [...values]);
      return { rows: result.rows as Record<string, unknown>[] };
    },
  };
}
