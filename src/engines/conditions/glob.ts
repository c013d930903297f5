const STAR = -1;
const ANY = -2;

/** Case folding of one UTF-16 code unit, as a case-insensitive JavaScript RegExp without the `u` flag does it. */
function fold(code: number): number {
  if (code < 128) return code >= 97 && code <= 122 ? code - 32 : code;
  const upper = String.fromCharCode(code).toUpperCase();
  if (upper.length !== 1) return code;
  const u = upper.charCodeAt(0);
  return u < 128 ? code : u;
}

function compileOne(pattern: string): Int32Array {
  const out: number[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === "*") {
      if (out[out.length - 1] !== STAR) out.push(STAR);
    } else out.push(c === "?" ? ANY : fold(pattern.charCodeAt(i)));
  }
  return Int32Array.from(out);
}

/** Wildcard match without backtracking blow-up: at most (text length × pattern length) steps. */
function matchOne(p: Int32Array, s: string): boolean {
  const n = s.length;
  const m = p.length;
  let i = 0;
  let j = 0;
  let star = -1;
  let mark = 0;
  while (i < n) {
    if (j < m) {
      const c = p[j]!;
      if (c === STAR) {
        star = j++;
        mark = i;
        continue;
      }
      if (c === ANY || c === fold(s.charCodeAt(i))) {
        i++;
        j++;
        continue;
      }
    }
    if (star < 0) return false;
    j = star + 1;
    i = ++mark;
  }
  while (j < m && p[j] === STAR) j++;
  return j === m;
}

/**
 * Compiles glob patterns into one matcher (true when the whole text matches any pattern), case-insensitive.
 * `*` matches any run of characters (including none and line breaks), `?` exactly one; every other character is
 * literal. Matching takes at most text length × pattern length steps (no backtracking regular expression, so a
 * pattern like `*a*a*a*b` cannot freeze the process on a long resource id).
 * @example compileGlobs(["prod-*", "db-??"])("PROD-eu") // true
 */
export function compileGlobs(patterns: readonly string[]): (text: string) => boolean {
  const compiled = patterns.map(compileOne);
  if (compiled.length === 1) {
    const only = compiled[0]!;
    return (text) => matchOne(only, text);
  }
  return (text) => {
    for (const p of compiled) if (matchOne(p, text)) return true;
    return false;
  };
}
