import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { useHttp } from "../support/http-server.js";

const doc = readFileSync(new URL("../../docs/http-runtime-api.md", import.meta.url), "utf8");
/** Paths of the v1 contract (served by the contract routes, see docs/http-api.md) and the document itself. */
const CONTRACT_PATHS = new Set(["/v1/kill/session/{session_id}", "/v1/kill/system", "/openapi.json"]);

/** `GET /v1/x/{id}`-like mentions, and `$ACP_URL/v1/...` in curl examples, normalised to OpenAPI templates. */
function documentedRoutes(text: string): { method: string; path: string }[] {
  const out: { method: string; path: string }[] = [];
  const templated = (p: string) =>
    p
      .split("?")[0]!
      .replace(/\$SESSION|\$TICKET|\$PROPOSAL|\$RESERVATION/g, "{id}")
      .replace(/`|[.,)]+$/g, "");
  for (const m of text.matchAll(/\b(GET|POST) (\/[\w/{}.-]+)/g))
    out.push({ method: m[1]!, path: templated(m[2]!) });
  for (const m of text.matchAll(/curl [^\n]*?(?:-X (POST) )?"\$ACP_URL(\/[^"?]+)/g)) {
    out.push({ method: m[1] ?? "GET", path: templated(m[2]!) });
  }
  return out;
}

describe("docs/http-runtime-api.md", () => {
  const h = useHttp();

  it("names only routes the server serves (checked against /openapi.json)", async () => {
    const api = (await (await fetch(`${h().url}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    const served = Object.entries(api.paths).map(([path, ops]) => ({
      shape: path.replace(/\{[^}]+\}/g, "{id}"),
      methods: Object.keys(ops),
    }));
    const routes = documentedRoutes(doc);
    expect(routes.length).toBeGreaterThan(20);
    for (const { method, path } of routes) {
      const shape = path.replace(/\{[^}]+\}/g, "{id}");
      if ([...CONTRACT_PATHS].some((p) => p.replace(/\{[^}]+\}/g, "{id}") === shape)) continue;
      const match = served.find((s) => s.shape === shape);
      expect(match, `${method} ${path}`).toBeDefined();
      expect(match!.methods, `${method} ${path}`).toContain(method.toLowerCase());
    }
  });
});
