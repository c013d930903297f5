import { ControlPlaneError, StorageError } from "../../errors/control-plane-error.js";
import type { JsonValue } from "../../types/json.js";
import { type SqlConnection, type SqlResult, type SqlValue, type SqlValues, sqlErrorKind } from "./driver.js";

/** Messages for constraint violations that are normal results of misuse rather than faults. */
export interface ConstraintMessages {
  /** Message of the `conflict` error raised on a duplicate key. */
  readonly conflict?: string;
  /** Message of the `not_found` error raised on a missing referenced row. */
  readonly missing?: string;
}

/**
 * Runs one statement and maps driver errors: a duplicate key becomes a `conflict` error, a missing
 * referenced row a `not_found` error (when a message is given), anything else a {@link StorageError}.
 * The driver error is kept as `cause`.
 */
export async function runSql(
  conn: SqlConnection,
  sql: string,
  params: readonly SqlValue[] = [],
  messages?: ConstraintMessages,
): Promise<SqlResult> {
  try {
    return await conn.execute(sql, params);
  } catch (error) {
    throw toStorageError(error, messages);
  }
}

/** Like {@link runSql}, but returns each row as its column values in select-list order. */
export async function runValues(
  conn: SqlConnection,
  sql: string,
  params: readonly SqlValue[] = [],
): Promise<readonly SqlValues[]> {
  try {
    return await conn.values(sql, params);
  } catch (error) {
    throw toStorageError(error);
  }
}

/** Maps a driver error to the project's error types (see {@link runSql}). */
export function toStorageError(error: unknown, messages?: ConstraintMessages): ControlPlaneError {
  if (error instanceof ControlPlaneError) return error;
  const kind = sqlErrorKind(error);
  if (kind === "unique") {
    return new ControlPlaneError("conflict", messages?.conflict ?? `duplicate key: ${message(error)}`, {
      cause: error,
    });
  }
  if (kind === "foreign_key" && messages?.missing) {
    return new ControlPlaneError("not_found", messages.missing, { cause: error });
  }
  return new StorageError(`SQLite error: ${message(error)}`, error);
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Serialises a JSON column. */
export function toJson(value: JsonValue | readonly unknown[] | object): string {
  return JSON.stringify(value);
}

/** Serialises a nullable JSON column (`null` stays SQL NULL). */
export function toJsonOrNull(value: JsonValue | object | null): string | null {
  return value === null ? null : JSON.stringify(value);
}

/** Parses a JSON column. */
export function fromJson<T>(text: unknown): T {
  return JSON.parse(String(text)) as T;
}

/** Parses a nullable JSON column. */
export function fromJsonOrNull<T>(text: unknown): T | null {
  return text === null || text === undefined ? null : (JSON.parse(String(text)) as T);
}

/** A nullable string column. */
export function str(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}

/** A nullable integer column. */
export function int(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}

/** SQL fragment: `column` is in the JSON array bound at this place. */
export function inJsonList(column: string): string {
  return `${column} IN (SELECT value FROM json_each(?))`;
}

/**
 * SQL fragment: `column` is one of `count` values bound here as `?` parameters (`FALSE` when there are none).
 * Cheaper than {@link inJsonList} for the short lists of the hot path; the SQL text depends only on `count`.
 */
export function inParams(column: string, count: number): string {
  if (count === 0) return "0";
  return count === 1 ? `${column} = ?` : `${column} IN (${"?, ".repeat(count - 1)}?)`;
}

/** Builds a `WHERE` clause from the conditions that apply (`""` when none), keeping parameters in order. */
export function whereClause(conditions: readonly (readonly [string, ...SqlValue[]] | false)[]): {
  readonly sql: string;
  readonly params: SqlValue[];
} {
  const parts: string[] = [];
  const params: SqlValue[] = [];
  for (const c of conditions) {
    if (!c) continue;
    const [sql, ...values] = c;
    parts.push(sql);
    params.push(...values);
  }
  return { sql: parts.length === 0 ? "" : `WHERE ${parts.join(" AND ")}`, params };
}
