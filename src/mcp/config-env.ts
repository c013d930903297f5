/**
 * `${NAME}` expansion in config values that hold secrets (upstream `env` and `headers`, the PostgreSQL URL), so a
 * config file can be shared without the tokens in it.
 */
import { formatPath, type PathSegment } from "../engines/conditions/issue-path.js";
import type { ValidationIssue } from "../errors/validation-error.js";

const TOKEN = /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}|\$\{[^}]*\}?/g;

/**
 * Expands `${NAME}` from `env`; `${NAME:-fallback}` uses the fallback when NAME is unset or empty; `$$` is a
 * literal `$`. Anything else is copied as is (a lone `$` too). An unset `${NAME}` without fallback, or a
 * malformed `${…}`, is an issue at `path` (never silently the empty string: a missing token must not send
 * `Authorization: Bearer ` upstream). Values are not expanded recursively.
 * @example expandEnv("Bearer ${TOKEN}", { TOKEN: "abc" }, "headers.Authorization", issues) // "Bearer abc"
 */
export function expandEnv(
  value: string,
  env: Readonly<Record<string, string | undefined>>,
  path: string,
  issues: ValidationIssue[],
): string {
  return value.replace(TOKEN, (match, name: string | undefined, fallback: string | undefined) => {
    if (match === "$$") return "$";
    if (name === undefined) {
      issues.push({ path, message: `malformed ${match}: expected \${NAME} or \${NAME:-fallback}` });
      return match;
    }
    const found = env[name];
    if (found !== undefined && (fallback === undefined || found !== "")) return found;
    if (fallback !== undefined) return fallback;
    issues.push({ path, message: `environment variable ${name} is not set (write \${${name}:-} for empty)` });
    return match;
  });
}

/** Expands every value of a record (see {@link expandEnv}); `path` is the record's own path. */
export function expandEnvRecord(
  record: Readonly<Record<string, string>> | undefined,
  env: Readonly<Record<string, string | undefined>>,
  path: readonly PathSegment[],
  issues: ValidationIssue[],
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(record ?? {})) {
    out[key] = expandEnv(value, env, formatPath([...path, key]), issues);
  }
  return out;
}
