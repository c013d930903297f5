import { readFileSync } from "node:fs";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import { parse } from "yaml";

/** The v1 contract as a parsed OpenAPI document (the repository's copy in contracts/). */
export function loadContract(): OpenApiDoc {
  const url = new URL("../../contracts/control-plane-v1.yml", import.meta.url);
  return parse(readFileSync(url, "utf8")) as OpenApiDoc;
}

/** The part of an OpenAPI document the validator reads. */
export interface OpenApiDoc {
  readonly paths: Record<string, Record<string, OperationObject>>;
  readonly components?: Record<string, Record<string, unknown>>;
  readonly [key: string]: unknown;
}

interface OperationObject {
  readonly responses?: Record<string, unknown>;
  readonly [key: string]: unknown;
}

/** HTTP methods of an OpenAPI path item. */
export const METHODS = ["get", "put", "post", "delete", "patch", "head", "options"] as const;

/** Every `METHOD path` of a document, e.g. `GET /v1/tickets`. */
export function operationsOf(doc: OpenApiDoc): string[] {
  const out: string[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const m of METHODS) if (item[m] !== undefined) out.push(`${m.toUpperCase()} ${path}`);
  }
  return out.sort();
}

/** Resolves a local `$ref` (`#/a/b`) of `doc`. */
function resolvePointer(doc: unknown, ref: string): unknown {
  if (!ref.startsWith("#/")) throw new Error(`not a local $ref: ${ref}`);
  return ref
    .slice(2)
    .split("/")
    .map((p) => decodeURIComponent(p).replaceAll("~1", "/").replaceAll("~0", "~"))
    .reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], doc);
}

/** A deep copy of `schema` with every local `$ref` made absolute under the document id `base`. */
function rebase(schema: unknown, base: string): unknown {
  if (Array.isArray(schema)) return schema.map((s) => rebase(s, base));
  if (schema === null || typeof schema !== "object") return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) {
    out[k] = k === "$ref" && typeof v === "string" && v.startsWith("#") ? `${base}${v}` : rebase(v, base);
  }
  return out;
}

/** The outcome of validating one response body. */
export interface Verdict {
  readonly ok: boolean;
  readonly errors: string;
}

/**
 * Validates response bodies against the JSON schema an OpenAPI document declares for a path, method and
 * status (falling back to `default`), with `$ref`s resolved inside the document. Derived from the document
 * itself, so a drift between it and the server fails.
 */
export class ResponseValidator {
  readonly #ajv: Ajv2020;
  readonly #doc: OpenApiDoc;
  readonly #base: string;
  readonly #cache = new Map<string, ReturnType<Ajv2020["compile"]>>();

  constructor(doc: OpenApiDoc, name: string) {
    this.#doc = doc;
    this.#base = `https://acp.test/${name}.json`;
    this.#ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false });
    (addFormatsModule as unknown as (ajv: Ajv2020) => void)(this.#ajv);
    this.#ajv.addSchema({ $id: this.#base, components: rebase(doc.components ?? {}, this.#base) });
  }

  /** The declared JSON schema of the response, or `undefined` when the document declares none. */
  schemaFor(path: string, method: string, status: number): unknown {
    const op = this.#doc.paths[path]?.[method.toLowerCase()];
    if (op === undefined) throw new Error(`${method} ${path} is not in the document`);
    let response = op.responses?.[String(status)] ?? op.responses?.default;
    while (response !== undefined && typeof (response as { $ref?: unknown }).$ref === "string") {
      response = resolvePointer(this.#doc, (response as { $ref: string }).$ref);
    }
    const content = (response as { content?: Record<string, { schema?: unknown }> } | undefined)?.content;
    return content?.["application/json"]?.schema;
  }

  /** Validates `body` against the schema of (`path`, `method`, `status`); no declared schema fails too. */
  validate(path: string, method: string, status: number, body: unknown): Verdict {
    const key = `${method} ${path} ${status}`;
    let validate = this.#cache.get(key);
    if (validate === undefined) {
      const schema = this.schemaFor(path, method, status);
      if (schema === undefined) return { ok: false, errors: `no JSON schema declared for ${key}` };
      validate = this.#ajv.compile(rebase(schema, this.#base) as object);
      this.#cache.set(key, validate);
    }
    const ok = validate(body) === true;
    return { ok, errors: ok ? "" : this.#ajv.errorsText(validate.errors, { separator: "\n" }) };
  }
}
