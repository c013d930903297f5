/**
 * Compiles glob patterns into one anchored, case-insensitive regular expression. `*` matches any run of
 * characters (including none), `?` exactly one; every other character is literal.
 * @example globsToRegExp(["prod-*", "db-??"]).test("PROD-eu") // true
 */
export function globsToRegExp(patterns: readonly string[]): RegExp {
  const parts = patterns.map((p) =>
    p.replace(/[.+^${}()|[\]\\*?]/g, (c) => (c === "*" ? ".*" : c === "?" ? "." : `\\${c}`)),
  );
  return new RegExp(`^(?:${parts.join("|")})$`, "is");
}
