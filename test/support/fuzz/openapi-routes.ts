/** Reads the routes of an OpenAPI 3.1 document: methods, parameters and request-body schemas, `$ref`s resolved. */

/** A JSON Schema node as found in the document (resolved: no `$ref` left at the top). */
export type Schema = Record<string, unknown>;

/** One parameter of a route. */
export interface FuzzParam {
  readonly name: string;
  readonly in: "path" | "query" | "header";
  readonly required: boolean;
  readonly schema: Schema;
}

/** One documented operation. */
export interface FuzzRoute {
  readonly method: string;
  /** OpenAPI path with `{name}` placeholders. */
  readonly path: string;
  readonly params: readonly FuzzParam[];
  /** The `application/json` request-body schema, if the operation takes one. */
  readonly body?: Schema;
  /** Whether the operation requires a bearer token (document-level or operation-level `security`). */
  readonly secured: boolean;
}

const METHODS = ["get", "post", "put", "patch", "delete"];

/** Resolves a local `$ref` (`#/components/schemas/X`) against `doc`, repeatedly, up to a small depth. */
export function deref(doc: Record<string, unknown>, node: unknown, depth = 0): Schema {
  if (typeof node !== "object" || node === null) return {};
  const ref = (node as Schema).$ref;
  if (typeof ref !== "string" || depth > 20) return node as Schema;
  let target: unknown = doc;
  for (const part of ref.replace(/^#\//, "").split("/")) target = (target as Schema | undefined)?.[part];
  return deref(doc, target, depth + 1);
}

/** Every operation of `doc` (paths × methods), with parameters and JSON body schema. */
export function routesOf(doc: Record<string, unknown>): FuzzRoute[] {
  const paths = (doc.paths ?? {}) as Record<string, Record<string, Schema>>;
  const globalSecured = Array.isArray(doc.security) && doc.security.length > 0;
  const out: FuzzRoute[] = [];
  for (const [path, item] of Object.entries(paths)) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      const params = [
        ...(((item as Schema).parameters as unknown[] | undefined) ?? []),
        ...((op.parameters as unknown[] | undefined) ?? []),
      ].map((p) => {
        const r = deref(doc, p);
        return {
          name: String(r.name),
          in: r.in as FuzzParam["in"],
          required: r.required === true,
          schema: deref(doc, r.schema),
        };
      });
      const content = (deref(doc, op.requestBody).content ?? {}) as Record<string, Schema>;
      const json = content["application/json"];
      const security = op.security as unknown[] | undefined;
      out.push({
        method: method.toUpperCase(),
        path,
        params: params.filter((p) => p.in === "path" || p.in === "query" || p.in === "header"),
        ...(json ? { body: deref(doc, json.schema) } : {}),
        secured: security === undefined ? globalSecured || path.startsWith("/v1/") : security.length > 0,
      });
    }
  }
  return out;
}
