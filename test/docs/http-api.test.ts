import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { ROLE_PERMISSIONS, ROLES } from "../../src/auth/roles.js";
import { CONTRACT_KIND_OF } from "../../src/http/schemas/event-frame.js";
import { type OpenApiDoc, operationsOf } from "../support/contract-validator.js";
import { TOKENS, useHttp } from "../support/http-server.js";

const doc = readFileSync(new URL("../../docs/http-api.md", import.meta.url), "utf8");

/** The body of the `## title` section (up to the next `## ` heading). */
function section(title: string): string {
  const start = doc.indexOf(`\n## ${title}\n`);
  if (start < 0) throw new Error(`no section "${title}"`);
  const end = doc.indexOf("\n## ", start + 1);
  return doc.slice(start, end < 0 ? undefined : end);
}

/** The cells of every table row of `text` (header and separator rows excluded). */
function rows(text: string): string[][] {
  return text
    .split("\n")
    .filter((l) => l.startsWith("|") && !/^\|[-| ]+\|$/.test(l))
    .map((l) =>
      l
        .slice(1, -1)
        .split(/(?<!\\)\|/)
        .map((c) => c.trim()),
    );
}

const code = (cell: string) => cell.replace(/`/g, "");

/** `METHOD /path` of every row of the route table. */
function documentedRoutes(): string[] {
  return rows(section("Routes"))
    .filter((r) => /^(GET|POST|PUT|PATCH|DELETE)$/.test(r[0]!))
    .map((r) => `${r[0]} ${code(r[1]!)}`)
    .sort();
}

describe("docs/http-api.md", () => {
  const h = useHttp();
  const served = async () => operationsOf((await (await h().call("/openapi.json")).json()) as OpenApiDoc);

  it("documents every route of /openapi.json in its route table", async () => {
    const documented = new Set(documentedRoutes());
    expect((await served()).filter((op) => !documented.has(op))).toEqual([]);
  });

  it("lists no route in its table that /openapi.json does not have (fails until every route group is merged)", async () => {
    const routes = new Set(await served());
    expect(documentedRoutes().filter((op) => !routes.has(op))).toEqual([]);
  });

  it("lists each route once, with a permission the roles table knows", async () => {
    const all = documentedRoutes();
    expect(new Set(all).size).toBe(all.length);
    const known = new Set([...Object.values(ROLE_PERMISSIONS).flat(), "none", "any role"]);
    for (const r of rows(section("Routes")).filter((r) => /^(GET|POST)$/.test(r[0]!))) {
      for (const p of code(r[2]!).split(/\s*\\\|\s*/)) expect(known, `${r[1]}: ${p}`).toContain(p);
    }
  });

  it("shows the roles table of ROLE_PERMISSIONS", () => {
    const table = rows(section("Authentication and roles")).filter((r) =>
      ROLES.includes(code(r[0]!) as never),
    );
    const documented = Object.fromEntries(table.map((r) => [code(r[0]!), code(r[1]!).split(/,\s*/)]));
    expect(documented).toEqual(Object.fromEntries(ROLES.map((role) => [role, [...ROLE_PERMISSIONS[role]]])));
  });

  it("shows the event kind table of CONTRACT_KIND_OF", () => {
    const table = rows(section("Mapping onto the v1 contract")).filter(
      (r) => code(r[0]!) in CONTRACT_KIND_OF,
    );
    expect(Object.fromEntries(table.map((r) => [code(r[0]!), code(r[1]!)]))).toEqual(CONTRACT_KIND_OF);
  });

  it("describes a 403 envelope as the server sends it", async () => {
    const res = await h().call("/v1/kill/system", { method: "POST", token: TOKENS.viewer });
    expect(res.status).toBe(403);
    const body = (await res.json()) as { details: { code: string; needed: string[] } };
    expect(doc).toContain("`details.needed`");
    expect(body.details).toMatchObject({ code: "forbidden", needed: ["kill"] });
  });
});
