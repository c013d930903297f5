import { isAbsolute, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { ValidationIssue } from "../../errors/validation-error.js";
import { ValidationError } from "../../errors/validation-error.js";
import { type Evaluator, isEvaluator } from "./evaluator.js";
import type { EvaluatorRegistry } from "./evaluator-registry.js";

/** A URL scheme (`data:`, `http:`, `file:`, `node:` …); npm package names never contain a colon. */
const URL_SCHEME = /^([a-z][a-z\d+.-]*):/i;

/** Why an entry is not a file path or a package name, if it is not. */
function refused(name: unknown): string | undefined {
  if (typeof name !== "string" || name.trim() === "") {
    const got = name === null ? "null" : Array.isArray(name) ? "a list" : `a ${typeof name}`;
    return `expected a file path or a package name (a non-empty string), got ${typeof name === "string" ? "an empty string" : got}`;
  }
  const scheme = isAbsolute(name) ? undefined : URL_SCHEME.exec(name)?.[1];
  if (scheme === undefined) return undefined;
  const shown = name.length > 60 ? `${name.slice(0, 60)}…` : name;
  return `"${shown}": URL schemes (${scheme.toLowerCase()}:) are not accepted; give a file path or a package name`;
}

function specifier(name: string, baseDir: string): string {
  if (name.startsWith(".") || isAbsolute(name)) return pathToFileURL(resolve(baseDir, name)).href;
  return name;
}

async function collect(exported: unknown): Promise<unknown[]> {
  let value = exported;
  if (typeof value === "function") value = await (value as () => unknown)();
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/**
 * Loads evaluator plugins by module name and registers their evaluators; returns the registered types.
 *
 * Module contract: a plugin module exports `evaluators` (an array of {@link Evaluator}s) and/or a default export
 * that is an Evaluator, an array of Evaluators, or a (possibly async) factory function returning one of those.
 * A name starting with `.` or an absolute path is a file resolved against `baseDir` (default: the current
 * directory); any other name is a package specifier resolved by Node from this package's location. URLs
 * (`data:`, `http(s):`, `file:`, `node:` or any other scheme) are refused before anything is imported.
 *
 * All modules are imported and checked first; if any fails to load, exports nothing usable or collides with a
 * registered type, one ValidationError lists every problem and nothing is registered.
 * @example await loadEvaluatorPlugins(registry, ["./evaluators/pii.js", "@acme/acp-evaluators"]);
 */
export async function loadEvaluatorPlugins(
  registry: EvaluatorRegistry,
  moduleNames: readonly string[],
  options?: { readonly baseDir?: string },
): Promise<readonly string[]> {
  const baseDir = options?.baseDir ?? process.cwd();
  const issues: ValidationIssue[] = [];
  const found: Evaluator[] = [];
  const seen = new Set<string>();
  for (const [i, name] of moduleNames.entries()) {
    const path = `plugins[${i}]`;
    const why = refused(name);
    if (why !== undefined) {
      issues.push({ path, message: why });
      continue;
    }
    let mod: Record<string, unknown>;
    try {
      mod = (await import(specifier(name, baseDir))) as Record<string, unknown>;
    } catch (error) {
      issues.push({ path, message: `cannot load module "${name}": ${(error as Error).message}` });
      continue;
    }
    const candidates = [...(await collect(mod.evaluators)), ...(await collect(mod.default))];
    if (candidates.length === 0) {
      issues.push({
        path,
        message: `module "${name}" exports no evaluators (expected \`evaluators\` or a default export)`,
      });
    }
    for (const candidate of candidates) {
      if (!isEvaluator(candidate)) {
        issues.push({ path, message: `module "${name}" exports a value that is not an evaluator` });
      } else if (registry.has(candidate.type) || seen.has(candidate.type)) {
        issues.push({
          path,
          message: `module "${name}": evaluator type "${candidate.type}" is already registered`,
        });
      } else {
        seen.add(candidate.type);
        found.push(candidate);
      }
    }
  }
  if (issues.length > 0) throw new ValidationError(issues, "evaluator plugins");
  for (const evaluator of found) registry.register(evaluator);
  return found.map((e) => e.type);
}
