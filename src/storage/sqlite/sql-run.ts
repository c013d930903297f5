import { ControlPlaneError, StorageError } from "../../errors/control-plane-error.js";
import type { JsonValue } from "../../types/json.js";
import { type SqlConnection, type SqlResult, type SqlValue, sqlErrorKind } from "./driver.js";

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
