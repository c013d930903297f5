import { ValidationError, type ValidationIssue } from "./validation-error.js";

function distance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 3) return 99;
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length]!;
}

/** The allowed key closest to `key` (same letters ignoring case, a prefix, or at most 2 edits away), if any. */
function closest(key: string, allowed: readonly string[]): string | undefined {
  const lower = key.toLowerCase();
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of allowed) {
    const other = candidate.toLowerCase();
    const prefix = lower.length >= 3 && (other.startsWith(lower) || lower.startsWith(other));
    const d = other === lower ? 0 : prefix ? 2 : distance(lower, other);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

/**
 * Reports every own key of `input` that is not in `allowed` as an issue at `prefix + key`, with the allowed
 * keys and a "did you mean" hint. Unknown keys are errors, never silently ignored (a misspelt `budegt` must not
 * open a session with an unlimited budget).
 * @example checkKnownKeys({ maxuses: 1 }, ["kind", "maxUses"], "scope.", issues)
 *   // issues: [{ path: "scope.maxuses", message: 'unknown key (did you mean "maxUses"?); allowed: kind, maxUses' }]
 */
export function checkKnownKeys(
  input: object,
  allowed: readonly string[],
  prefix: string,
  issues: ValidationIssue[],
): void {
  for (const key of Object.keys(input)) {
    if (allowed.includes(key)) continue;
    const hint = closest(key, allowed);
    issues.push({
      path: `${prefix}${key}`,
      message: `unknown key${hint ? ` (did you mean "${hint}"?)` : ""}; allowed: ${allowed.join(", ")}`,
    });
  }
}

/**
 * Throws a `ValidationError` when `input` is an object with a key not in `allowed` (see {@link checkKnownKeys}).
 * `undefined` and `null` pass (optional arguments); other non-objects are an error at `prefix` or `(root)`.
 * @throws ValidationError naming each unknown key.
 */
export function assertKnownKeys(
  input: unknown,
  allowed: readonly string[],
  prefix = "",
  subject = "input",
): void {
  if (input === undefined) return;
  if (input === null || typeof input !== "object" || Array.isArray(input)) {
    throw new ValidationError(
      [{ path: prefix.replace(/\.$/, "") || "(root)", message: "expected an object", received: input }],
      subject,
    );
  }
  const issues: ValidationIssue[] = [];
  checkKnownKeys(input, allowed, prefix, issues);
  if (issues.length > 0) throw new ValidationError(issues, subject);
}
