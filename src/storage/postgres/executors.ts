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
 * Executor over a `pg` client. Statements with parameters become named prepared statements when
 * `prepared` is set; statements without parameters use the simple protocol.
 */
export function pgExecutor(client: PgClientLike, prepared: boolean): SqlExecutor {
  return {
    async query(text, values) {
      if (values === undefined || values.length === 0) return client.query({ text }) as never;
      const config = prepared
        ? { text, values: values as unknown[], name: statementName(text) }
        : { text, values: values as unknown[] };
      return client.query(config) as never;
    },
  };
}

/** Executor over a Kysely instance or transaction (raw compiled queries; no runtime import of Kysely). */
export function kyselyExecutor(db: KyselyExecutorLike): SqlExecutor {
  return {
    async query(text, values = []) {
      const result = await db.executeQuery({
        sql: text,
        parameters: values,
        query: { kind: "RawNode", sqlFragments: [text], parameters: [] },
        queryId: { queryId: "acp" },
      });
      return { rows: result.rows as Record<string, unknown>[] };
    },
  };
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
