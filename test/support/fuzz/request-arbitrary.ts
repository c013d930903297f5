/**
 * The arbitrary of one malformed (now and then well-formed) HTTP request against a documented route: odd path
 * parameters, query strings, headers, bearer tokens, content types and bodies.
 */
import fc from "fast-check";
import type { RawRequest } from "../raw-http.js";
import { deepJson, mutated, nastyValue } from "./json-schema-arbitrary.js";
import type { FuzzParam, FuzzRoute } from "./openapi-routes.js";

/** Who the request claims to be: a role's valid token (possibly spelt oddly) or a bad credential. */
export type Credential =
  | { kind: "valid"; role: string; token: string }
  | { kind: "invalid"; header: string | readonly string[] | undefined };

/** A generated request and what it was generated from. */
export interface FuzzCase {
  readonly route: FuzzRoute;
  readonly request: RawRequest;
  readonly credential: Credential;
}

/** What the generator draws from: the routes, valid tokens by role, and ids of existing resources. */
export interface FuzzInputs {
  readonly routes: readonly FuzzRoute[];
  readonly tokens: Readonly<Record<string, string>>;
  readonly ids: readonly string[];
}

const BAD_SEGMENTS = [
  "",
  "not-a-uuid",
  "%",
  "%ZZ",
  "%00",
  "%E0%A4%A",
  "%C0%AF",
  "..",
  "%2e%2e",
  "%2F..%2F..%2Fetc%2Fpasswd",
  "-1",
  "NaN",
  "0",
  "1e999",
  "00000000-0000-0000-0000-000000000000",
  "FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF",
  "0190a5c45f6e7a1b8c2d3e4f5a6b7c8d",
  "{session_id}",
  ";jsessionid=1",
  "a".repeat(5_000),
  "%F0%9F%92%A5",
  "%EF%BB%BF",
];

const BAD_QUERY_VALUES = [
  "",
  "-1",
  "-0",
  "NaN",
  "Infinity",
  "1e309",
  "0x10",
  "1.5",
  "%205",
  "99999999999999999999",
  "true",
  "null",
  "[]",
  "%",
  "%ZZ",
  "%00",
  "a,b,,c",
  ",",
  "pending,pending",
  "9".repeat(400),
];

const text = fc.string({ unit: "grapheme", maxLength: 30 }).map(encodeURIComponent);

function segment(param: FuzzParam, ids: readonly string[]): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 3, arbitrary: ids.length > 0 ? fc.constantFrom(...ids) : fc.uuid() },
    { weight: 2, arbitrary: fc.uuid() },
    { weight: 3, arbitrary: fc.constantFrom(...BAD_SEGMENTS) },
    { weight: 2, arbitrary: text.filter((s) => s.length > 0) },
    { weight: 1, arbitrary: fc.constant(param.name) },
  );
}

function queryValue(param: FuzzParam, ids: readonly string[]): fc.Arbitrary<string> {
  const s = param.schema;
  const fits =
    s.type === "integer" || s.type === "number"
      ? fc.integer({ min: -5, max: 2_000 }).map(String)
      : Array.isArray(s.enum) && s.enum.length > 0
        ? fc.constantFrom(...(s.enum as unknown[]).map(String))
        : Array.isArray((s.items as { enum?: unknown[] } | undefined)?.enum)
          ? fc.subarray((s.items as { enum: unknown[] }).enum.map(String)).map((a) => a.join(","))
          : ids.length > 0
            ? fc.constantFrom(...ids)
            : text;
  return fc.oneof(
    { weight: 3, arbitrary: fits },
    { weight: 3, arbitrary: fc.constantFrom(...BAD_QUERY_VALUES) },
    text,
  );
}

function queryString(route: FuzzRoute, ids: readonly string[]): fc.Arbitrary<string> {
  const params = route.params.filter((p) => p.in === "query");
  const pairs = fc.tuple(
    ...params.map((p) =>
      fc.option(
        fc
          .array(queryValue(p, ids), { minLength: 1, maxLength: 3 })
          .map((vs) => vs.map((v) => `${p.name}=${v}`)),
        { freq: 3 },
      ),
    ),
  );
  const junk = fc.constantFrom(
    "",
    "",
    "",
    "&",
    "&&&=",
    "=",
    "a[b]=c",
    "%",
    "%ZZ=1",
    "unknown=1",
    "__proto__=x",
    "&limit",
  );
  return fc.tuple(pairs, junk, fc.boolean()).map(([ps, j, shuffle]) => {
    const all = ps.flatMap((p) => p ?? []);
    if (shuffle) all.reverse();
    const q = [...all, j].filter((x) => x !== "").join("&");
    return q === "" ? "" : `?${q}`;
  });
}

function credential(tokens: Readonly<Record<string, string>>): fc.Arbitrary<Credential> {
  const roles = Object.keys(tokens);
  const valid = fc
    .constantFrom(...roles)
    .map((role): Credential => ({ kind: "valid", role, token: tokens[role]! }));
  const invalid = fc
    .oneof(
      fc.constantFrom<string | readonly string[] | undefined>(
        undefined,
        "",
        "Bearer",
        "Bearer ",
        "Bearer  ",
        "Basic YWRtaW46YWRtaW4=",
        "Token abc",
        "Bearer a b",
        "Bearer null",
        "Bearer undefined",
        `Bearer ${"x".repeat(8_000)}`,
        `Bearer ${tokens[roles[0]!]!}x`,
        `Bearer ${tokens[roles[0]!]!.slice(0, -1)}`,
        `Bearer ${tokens[roles[0]!]!.toUpperCase()}`,
        "Bearer \u00ff\u00fe",
        ["Bearer garbage-one", "Bearer garbage-two"],
      ),
      fc
        .string({ unit: "binary-ascii", maxLength: 40 })
        .filter((s) => /^[\x21-\x7e]*$/.test(s))
        .map((s) => `Bearer ${s}`),
    )
    .map((header): Credential => ({ kind: "invalid", header }));
  return fc.oneof({ weight: 3, arbitrary: valid }, { weight: 2, arbitrary: invalid });
}

const INVALID_BODIES: readonly (string | Buffer)[] = [
  "{",
  '{"a":}',
  "[1,2",
  "nul",
  "'single'",
  '{"a":1}garbage',
  "\uFEFF{}",
  "",
  " ",
  "1".padEnd(400, "0"),
  deepJson(100_000, "array"),
  deepJson(20_000, "object"),
  Buffer.from([0xff, 0xfe, 0x7b, 0x7d]),
  Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0x22, 0x7d]),
  JSON.stringify({ blob: "y".repeat(2_000_000) }),
  "[]",
  "null",
  "true",
  '"string"',
  "42",
];

const CONTENT_TYPES = [
  "application/json",
  "application/json; charset=utf-8",
  "application/json; charset=utf-16",
  "text/plain",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=zzz",
  "application/jsonx",
  "*/*",
  "",
  undefined,
];

function body(route: FuzzRoute, ids: readonly string[]): fc.Arbitrary<string | Buffer | undefined> {
  const schemaBody = route.body
    ? mutated(route.body, ids).map((v) => JSON.stringify(v) ?? "null")
    : fc.constant("{}");
  const duplicated = route.body
    ? fc.constantFrom(...ids.concat(["x"])).map((id) => {
        const keys = Object.keys((route.body?.properties ?? {}) as object);
        const k = keys[0] ?? "a";
        return `{"${k}":"${id}","${k}":7}`;
      })
    : fc.constant('{"a":1,"a":2}');
  return fc.oneof(
    { weight: route.body ? 8 : 1, arbitrary: schemaBody },
    { weight: 2, arbitrary: fc.constantFrom(...INVALID_BODIES) },
    { weight: 1, arbitrary: nastyValue.map((v) => JSON.stringify(v) ?? "null") },
    { weight: 1, arbitrary: duplicated },
    { weight: route.body ? 1 : 6, arbitrary: fc.constant(undefined) },
  );
}

/** The arbitrary of one request against one of `inputs.routes`. */
export function fuzzCase(inputs: FuzzInputs): fc.Arbitrary<FuzzCase> {
  return fc.constantFrom(...inputs.routes).chain((route) => {
    const pathParams = route.params.filter((p) => p.in === "path");
    return fc
      .record({
        method: fc.oneof(
          { weight: 19, arbitrary: fc.constant(route.method) },
          { weight: 1, arbitrary: fc.constantFrom("GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS") },
        ),
        segments: fc.tuple(...pathParams.map((p) => segment(p, inputs.ids))),
        query: queryString(route, inputs.ids),
        credential: credential(inputs.tokens),
        spelling: fc.constantFrom("Bearer ", "Bearer ", "Bearer ", "bearer ", "BEARER  "),
        contentType: fc.constantFrom(...CONTENT_TYPES),
        idempotency: fc.constantFrom(undefined, undefined, "", "k".repeat(200), "key-1", "\u00e9t\u00e9"),
        body: body(route, inputs.ids),
      })
      .map((r): FuzzCase => {
        let path = route.path;
        pathParams.forEach((p, i) => {
          path = path.replace(`{${p.name}}`, r.segments[i]!);
        });
        const headers: Record<string, string | readonly string[]> = {};
        if (r.credential.kind === "valid") headers.authorization = `${r.spelling}${r.credential.token}`;
        else if (r.credential.header !== undefined) headers.authorization = r.credential.header;
        if (r.contentType !== undefined) headers["content-type"] = r.contentType;
        if (r.idempotency !== undefined) headers["x-idempotency-key"] = r.idempotency;
        const hasBody =
          r.body !== undefined && r.method !== "GET" ? true : r.body !== undefined && r.body.length < 64;
        return {
          route,
          credential: r.credential,
          request: {
            method: r.method,
            path: path + r.query,
            headers,
            ...(hasBody ? { body: r.body! } : {}),
          },
        };
      });
  });
}
