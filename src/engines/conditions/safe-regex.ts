import { RE2JS } from "re2js";

/**
 * Default longest text, in UTF-16 code units, that a policy regular expression is run on (`matches` leaves and
 * the `regex` evaluator). Longer text is never scanned: see {@link MatchInputTooLongError}.
 */
export const DEFAULT_MAX_MATCH_LENGTH = 65_536;

/** A compiled policy regular expression: linear-time (RE2 semantics), searched anywhere in the text. */
export interface SafeRegex {
  readonly source: string;
  test(text: string): boolean;
}

/**
 * Thrown by a compiled `matches` leaf whose field is longer than the match limit. A tree cannot say true or false
 * about text it did not read, so the policy engine fails closed: a risk rule makes the risk `critical`, an
 * `autoApprove.when` tree does not grant auto-approval. The message names the field and the limit, never the text.
 * @internal
 */
export class MatchInputTooLongError extends Error {
  constructor(
    readonly field: string,
    readonly limit: number,
  ) {
    super(`${field} is longer than ${limit} characters (the regular-expression input limit); not scanned`);
    this.name = "MatchInputTooLongError";
  }
}

const BACKREFERENCE = /\\(?:[1-9]|k<)/;
const LOOKAROUND = /\(\?<?[=!]/;
const cache = new Map<string, SafeRegex>();
const CACHE_LIMIT = 1024;

/** Why a pattern RE2 rejected cannot work there (a clearer message than the parser's), if it is one of those. */
function unsupported(pattern: string): string | undefined {
  // Drop escaped backslashes first so that `\\1` (a backslash, then 1) is not mistaken for a backreference.
  const stripped = pattern.replace(/\\\\/g, "");
  if (BACKREFERENCE.test(stripped)) return "backreferences (\\1, \\k<name>) are not supported";
  if (LOOKAROUND.test(stripped)) return "lookahead and lookbehind ((?=, (?!, (?<=, (?<!) are not supported";
  return undefined;
}

/**
 * Compiles a policy regular expression with a linear-time engine (RE2 syntax and semantics, through `re2js`):
 * matching never backtracks, so no pattern can freeze the process on hostile input. Returns an error message
 * when the pattern is invalid or uses what RE2 cannot do in linear time (backreferences, lookaround).
 * Compiled patterns are shared (patterns are immutable), so validating a policy and compiling it compile once.
 * @example (compileSafeRegex("^release/") as SafeRegex).test("release/1.2") // true
 */
export function compileSafeRegex(pattern: string): SafeRegex | string {
  const hit = cache.get(pattern);
  if (hit) return hit;
  let re: RE2JS;
  try {
    re = RE2JS.compile(pattern);
  } catch (error) {
    const why = unsupported(pattern);
    if (why !== undefined) return `unsupported regular expression (linear-time RE2 syntax): ${why}`;
    const message = (error as Error).message.replace(/^error parsing regexp: /, "");
    return `invalid regular expression (linear-time RE2 syntax): ${message}`;
  }
  const compiled: SafeRegex = Object.freeze({ source: pattern, test: (text: string) => re.test(text) });
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(pattern, compiled);
  return compiled;
}

/** True when `value` is a usable match-length limit (a positive safe integer). */
export function isMatchLimit(value: unknown): value is number {
  return typeof value === "number" && Number.isSafeInteger(value) && value > 0;
}
