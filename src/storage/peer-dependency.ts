import { createRequire } from "node:module";
import { StorageError } from "../errors/control-plane-error.js";

/** An optional peer dependency that a storage adapter loads on demand. */
export interface PeerDependency {
  /** The package name, e.g. `better-sqlite3`. */
  readonly name: string;
  /** The major version to install, e.g. `12`. */
  readonly major: string;
  /** The call that needs it, named in the error, e.g. `createSqliteStorage({ path })`. */
  readonly neededBy: string;
}

/** The error of a missing peer: names the package, the call that needs it and the command that installs it. */
export function missingPeerError(peer: PeerDependency, cause: unknown): StorageError {
  return new StorageError(
    `${peer.neededBy} needs the "${peer.name}" package, which is not installed or cannot be loaded: ` +
      `npm install ${peer.name}@${peer.major}`,
    cause,
  );
}

/**
 * Checks now, synchronously, that `peer` can be resolved from this package, so that a missing optional
 * dependency fails when the storage is created rather than on its first query.
 * @throws StorageError (code `storage_failure`) with the install command in its message and the resolution
 * error as its `cause`.
 */
export function assertPeerInstalled(peer: PeerDependency): void {
  try {
    createRequire(import.meta.url).resolve(peer.name);
  } catch (error) {
    throw missingPeerError(peer, error);
  }
}

/** `better-sqlite3`, needed by the SQLite adapter when it opens a file itself. */
export const BETTER_SQLITE3: PeerDependency = {
  name: "better-sqlite3",
  major: "12",
  neededBy: "createSqliteStorage({ path })",
};

/** `pg`, needed by the PostgreSQL adapter when it connects with a connection string. */
export const PG: PeerDependency = {
  name: "pg",
  major: "8",
  neededBy: "createPostgresStorage({ connectionString })",
};
