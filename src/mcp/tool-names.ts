/**
 * Exposed tool names of the MCP proxy: `server__tool`, sanitized to `[A-Za-z0-9_-]`, at most 64 characters,
 * collision-free, and mapped back to the upstream `(server, tool)` through a table (never by splitting a name).
 */
import { createHash } from "node:crypto";

/** Longest exposed tool name (what MCP clients and model APIs accept). */
export const MAX_EXPOSED_NAME_LENGTH = 64;
/** Longest upstream server name (the config's `mcpServers` key), so the `server__` prefix always survives. */
export const MAX_SERVER_NAME_LENGTH = 32;
/** Hex digits of the hash suffix of a sanitized or truncated name (grown only to settle a collision). */
export const HASH_SUFFIX_LENGTH = 8;

/**
 * Server names: letters, digits and `-`, in runs joined by single `_` (no `__`, no leading or trailing `_`),
 * at most {@link MAX_SERVER_NAME_LENGTH} characters. This keeps the `server__` prefix of every exposed name
 * unambiguous, so two servers can never produce the same exposed name.
 */
export const SERVER_NAME_PATTERN = /^[A-Za-z0-9-]+(?:_[A-Za-z0-9-]+)*$/;

/** Whether `name` may be an upstream server name (see {@link SERVER_NAME_PATTERN}). */
export function isValidServerName(name: string): boolean {
  return name.length <= MAX_SERVER_NAME_LENGTH && SERVER_NAME_PATTERN.test(name);
}

/** One upstream tool: the server's name in the config and the tool's name at that server. */
export interface UpstreamToolRef {
  readonly server: string;
  readonly tool: string;
}

const SAFE = /^[A-Za-z0-9_-]+$/;

/** Replaces every character outside `[A-Za-z0-9_-]` (per code point) by `_`. */
export function sanitizeToolName(name: string): string {
  return Array.from(name, (c) => (/^[A-Za-z0-9_-]$/.test(c) ? c : "_")).join("");
}

function hashOf(ref: UpstreamToolRef): string {
  return createHash("sha256").update(`${ref.server}\u0000${ref.tool}`).digest("hex");
}

/**
 * The name of `ref` at a given level: level 0 is `server__tool` itself when the tool name is already safe and
 * short enough, else the hashed form; level n ≥ 1 is the hashed form with a longer hash (used only when names
 * collide). The hashed form is `server__<sanitized tool, truncated>_<hex>`.
 */
function nameAt(ref: UpstreamToolRef, level: number, hash: string): string {
  const plain = `${ref.server}__${ref.tool}`;
  if (level === 0 && SAFE.test(ref.tool) && plain.length <= MAX_EXPOSED_NAME_LENGTH) return plain;
  const hexLength = HASH_SUFFIX_LENGTH + Math.max(0, level - 1) * 4;
  const room = MAX_EXPOSED_NAME_LENGTH - ref.server.length - 2 - 1 - hexLength;
  if (room < 0) throw new Error(`cannot give ${ref.server}/${ref.tool} a distinct name`);
  return `${ref.server}__${sanitizeToolName(ref.tool).slice(0, room)}_${hash.slice(0, hexLength)}`;
}

/** The exposed names of a set of upstream tools, both ways. Build it with {@link buildToolNameTable}. */
export class ToolNameTable {
  readonly #byExposed: ReadonlyMap<string, UpstreamToolRef>;
  readonly #byUpstream: ReadonlyMap<string, string>;

  /** @internal use {@link buildToolNameTable}. */
  constructor(byExposed: ReadonlyMap<string, UpstreamToolRef>) {
    this.#byExposed = byExposed;
    const back = new Map<string, string>();
    for (const [exposed, ref] of byExposed) back.set(`${ref.server}\u0000${ref.tool}`, exposed);
    this.#byUpstream = back;
  }

  /** The upstream tool behind an exposed name, or `undefined` when the name is not in the table. */
  resolve(exposedName: string): UpstreamToolRef | undefined {
    return this.#byExposed.get(exposedName);
  }

  /** The exposed name of an upstream tool, or `undefined` when it is not in the table. */
  exposedName(server: string, tool: string): string | undefined {
    return this.#byUpstream.get(`${server}\u0000${tool}`);
  }

  /** Every `(exposedName, upstream tool)` pair, sorted by exposed name. */
  entries(): { exposedName: string; server: string; tool: string }[] {
    return [...this.#byExposed]
      .map(([exposedName, ref]) => ({ exposedName, server: ref.server, tool: ref.tool }))
      .sort((a, b) => (a.exposedName < b.exposedName ? -1 : a.exposedName > b.exposedName ? 1 : 0));
  }

  /** Number of tools in the table. */
  get size(): number {
    return this.#byExposed.size;
  }
}

/**
 * Gives every upstream tool a distinct exposed name. A tool whose name is already `[A-Za-z0-9_-]` and whose
 * `server__tool` fits in 64 characters keeps exactly that; others are sanitized, truncated and suffixed with
 * `_` + 8 hex digits of SHA-256(server, tool). Should two names still coincide (a tool named like another's
 * hashed form, or a hash collision), the plain name keeps its name and the hashed ones get longer hashes until
 * all differ. The result depends only on the SET of tools, never on their order; duplicates count once.
 * @throws Error when a server name is invalid (see {@link isValidServerName}).
 * @example buildToolNameTable([{ server: "fs", tool: "read file" }]).entries()[0].exposedName // "fs__read_file_…"
 */
export function buildToolNameTable(tools: Iterable<UpstreamToolRef>): ToolNameTable {
  const refs = new Map<string, { ref: UpstreamToolRef; hash: string; level: number }>();
  for (const t of tools) {
    if (!isValidServerName(t.server)) throw new Error(`invalid MCP server name: ${JSON.stringify(t.server)}`);
    const key = `${t.server}\u0000${t.tool}`;
    if (!refs.has(key)) refs.set(key, { ref: { server: t.server, tool: t.tool }, hash: hashOf(t), level: 0 });
  }
  for (;;) {
    const groups = new Map<string, { ref: UpstreamToolRef; hash: string; level: number }[]>();
    for (const entry of refs.values()) {
      const name = nameAt(entry.ref, entry.level, entry.hash);
      const group = groups.get(name);
      if (group) group.push(entry);
      else groups.set(name, [entry]);
    }
    let clash = false;
    for (const [name, group] of groups) {
      if (group.length === 1) continue;
      clash = true;
      // A plain `server__tool` (level 0, unchanged) is at most one per name: it keeps the name.
      for (const entry of group) {
        const plain = entry.level === 0 && name === `${entry.ref.server}__${entry.ref.tool}`;
        if (!plain) entry.level = entry.level === 0 ? 2 : entry.level + 1;
      }
    }
    if (!clash) {
      const byExposed = new Map<string, UpstreamToolRef>();
      for (const [name, group] of groups) byExposed.set(name, group[0]!.ref);
      return new ToolNameTable(byExposed);
    }
  }
}
