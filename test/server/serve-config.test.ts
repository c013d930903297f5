import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ValidationError } from "../../src/errors/validation-error.js";
import { loadServeConfig } from "../../src/server/load-serve-config.js";
import { serveConfigJsonSchema } from "../../src/server/serve-config.js";

const FULL = `
sqlite: data/cp.db
policy: policy.yaml
host: 0.0.0.0
port: 8080
log_format: json
maintenance_interval: 2s
shutdown_grace: 3s
limits: { max_body_bytes: 2048, rate_per_minute: 60 }
jwt:
  issuer: https://idp.example.com/
  audience: acp
  jwks_url: https://idp.example.com/.well-known/jwks.json
  role_claim: groups
  role_map: { acp-operators: operator }
  agent_claim: agent_id
  name_claim: email
public_url: https://acp.example.com
dashboard:
  cookie_secret: 0123456789abcdef0123456789abcdef
  session_ttl: 1h
`;

describe("acp serve config", () => {
  let dir: string;
  const write = (name: string, text: string) => {
    const file = join(dir, name);
    writeFileSync(file, text);
    return file;
  };
  const failure = (fn: () => unknown): ValidationError => {
    try {
      fn();
    } catch (error) {
      if (error instanceof ValidationError) return error;
      throw error;
    }
    throw new Error("expected a ValidationError");
  };
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "acp-serve-config-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("ships schema/serve-config.schema.json as generated (run `npx tsx scripts/write-serve-config-schema.ts`)", () => {
    const shipped = JSON.parse(readFileSync(resolve("schema/serve-config.schema.json"), "utf8"));
    expect(shipped).toEqual(serveConfigJsonSchema());
  });

  it("the JSON Schema agrees with the loader on a full file and on an unknown key", async () => {
    const { parse } = await import("yaml");
    const ajv = new Ajv2020({ strict: false });
    (addFormats as unknown as (a: Ajv2020) => void)(ajv);
    const validate = ajv.compile(serveConfigJsonSchema());
    expect(validate(parse(FULL))).toBe(true);
    expect(validate({ limits: { max_body_byte: 1 } })).toBe(false);
  });

  it("reads every key of a file, resolving its paths against the file's directory", () => {
    const file = write("serve.yaml", FULL);
    const config = loadServeConfig({ config: file }, {});
    expect(config).toEqual({
      storage: { kind: "sqlite", path: join(dir, "data/cp.db") },
      policy: join(dir, "policy.yaml"),
      host: "0.0.0.0",
      port: 8080,
      logFormat: "json",
      maintenanceIntervalMs: 2000,
      shutdownGraceMs: 3000,
      limits: { maxBodyBytes: 2048, ratePerMinute: 60 },
      jwt: {
        issuer: "https://idp.example.com/",
        audience: "acp",
        jwksUrl: "https://idp.example.com/.well-known/jwks.json",
        roleClaim: "groups",
        roleMap: { "acp-operators": "operator" },
        agentClaim: "agent_id",
        nameClaim: "email",
      },
      publicUrl: "https://acp.example.com",
      dashboard: { cookieSecret: "0123456789abcdef0123456789abcdef", sessionTtlMs: 3_600_000 },
      configFile: file,
    });
  });

  it("has defaults, and command-line flags override the file; ACP_DATABASE_URL stands in for --postgres", () => {
    expect(loadServeConfig({}, {})).toMatchObject({
      storage: { kind: "sqlite", path: "./acp.db" },
      host: "127.0.0.1",
      port: 7400,
      logFormat: "text",
      maintenanceIntervalMs: 5000,
      shutdownGraceMs: 10_000,
      limits: { maxBodyBytes: 1024 * 1024, ratePerMinute: 600 },
    });
    expect(loadServeConfig({}, {}).policy).toBeUndefined();
    expect(loadServeConfig({}, {}).dashboard).toEqual({ sessionTtlMs: 12 * 3_600_000 });
    expect(loadServeConfig({}, { ACP_DASHBOARD_SECRET: "s".repeat(32) }).dashboard).toMatchObject({
      cookieSecret: "s".repeat(32),
    });
    expect(() => loadServeConfig({}, { ACP_DASHBOARD_SECRET: "short" })).toThrow(/ACP_DASHBOARD_SECRET/);
    const off = write("off.yaml", "dashboard: { enabled: false }");
    expect(loadServeConfig({ config: off }, {}).dashboard).toBe(false);
    const file = write("serve.json", JSON.stringify({ sqlite: "a.db", port: 1, log_format: "json" }));
    const config = loadServeConfig(
      { config: file, port: "0", logFormat: "text", postgres: "postgres://h/db" },
      {},
    );
    expect(config).toMatchObject({
      port: 0,
      logFormat: "text",
      storage: { kind: "postgres", url: "postgres://h/db" },
    });
    expect(loadServeConfig({ schema: "acp" }, { ACP_DATABASE_URL: "postgres://e/db" }).storage).toEqual({
      kind: "postgres",
      url: "postgres://e/db",
      schema: "acp",
    });
    expect(loadServeConfig({ sqlite: "x.db" }, { ACP_DATABASE_URL: "postgres://e/db" }).storage).toEqual({
      kind: "sqlite",
      path: "x.db",
    });
  });

  it("refuses an unknown key with a did-you-mean, naming the path and the file", () => {
    const file = write("serve.yaml", "limits:\n  max_body_byte: 10\nprot: 80\n");
    const error = failure(() => loadServeConfig({ config: file }, {}));
    expect(error.message).toContain(`config file ${file}`);
    expect(error.issues).toEqual([
      {
        path: "limits.max_body_byte",
        message: 'unknown key (did you mean "max_body_bytes"?); allowed: max_body_bytes, rate_per_minute',
      },
      expect.objectContaining({ path: "prot", message: expect.stringContaining('did you mean "port"?') }),
    ]);
  });

  it("names the path of a value of the wrong type or out of range, and syntax errors by line", () => {
    const file = write("serve.yaml", 'port: "eighty"\nlimits: { rate_per_minute: 0 }\njwt: { issuer: x }\n');
    const paths = failure(() => loadServeConfig({ config: file }, {})).issues.map((i) => i.path);
    expect(paths).toEqual(["port", "limits.rate_per_minute", "jwt.audience", "jwt.jwks_url"]);
    const broken = write("broken.yaml", "port: [1\n");
    expect(failure(() => loadServeConfig({ config: broken }, {})).message).toMatch(
      /syntax error at line \d+/,
    );
    const both = write("both.yaml", "sqlite: a.db\npostgres: postgres://x/y\n");
    expect(failure(() => loadServeConfig({ config: both }, {})).issues[0]!.path).toBe("sqlite / postgres");
  });

  it("names the bad flag", () => {
    const flag = (flags: Parameters<typeof loadServeConfig>[0]) =>
      failure(() => loadServeConfig(flags, {})).issues[0]!.path;
    expect(flag({ port: "70000" })).toBe("--port");
    expect(flag({ port: "http" })).toBe("--port");
    expect(flag({ logFormat: "xml" })).toBe("--log-format");
    expect(flag({ maintenanceInterval: "often" })).toBe("--maintenance-interval");
    expect(flag({ sqlite: "a", postgres: "b" })).toBe("--sqlite / --postgres");
    expect(flag({ config: join(dir, "missing.yaml") })).toBe("--config");
  });
});
