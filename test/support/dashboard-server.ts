/**
 * A real `acp serve` on a temporary SQLite file for the dashboard's browser tests, with a token of every role
 * (created through the API with the admin token the server printed) and helpers to act as an agent over HTTP.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll } from "vitest";
import { launchBrowser, type TestBrowser } from "./browser.js";
import { TEST_POLICY } from "./control-plane-fixture.js";
import { call, type StartedServe, startServe } from "./serve-process.js";

/** A started server with tokens of every role. */
export interface DashboardServer {
  readonly server: StartedServe;
  readonly url: string;
  readonly dir: string;
  /** Secrets of tokens: admin (printed at start), operator "olivia", approver "alice", viewer "victor". */
  readonly tokens: {
    readonly admin: string;
    readonly operator: string;
    readonly approver: string;
    readonly viewer: string;
  };
  /** Creates an agent token bound to `agentId`. */
  agentToken(agentId: string): Promise<string>;
  /** A JSON API call (`/v1/…`) with `token`; throws with the answer on a non-2xx status. */
  api<T = Record<string, unknown>>(token: string, method: string, path: string, body?: unknown): Promise<T>;
  stop(): Promise<void>;
}

/**
 * Starts `acp serve` on a fresh SQLite file with `policy` (default TEST_POLICY: `deploy` and `send_payment`
 * need approval, `read_file` is auto-approved, `delete_database` blocked) and any extra serve arguments.
 */
export async function startDashboardServer(
  options: { policy?: unknown; args?: readonly string[]; env?: NodeJS.ProcessEnv } = {},
): Promise<DashboardServer> {
  const dir = mkdtempSync(join(tmpdir(), "acp-ui-"));
  const policyFile = join(dir, "policy.json");
  writeFileSync(policyFile, JSON.stringify(options.policy ?? TEST_POLICY));
  const server = await startServe(
    ["--sqlite", join(dir, "cp.db"), "--policy", policyFile, ...(options.args ?? [])],
    options.env,
  );
  const url = server.url;
  const api = async <T>(token: string, method: string, path: string, body?: unknown): Promise<T> => {
    const res = await call(url, path, { token, method, ...(body === undefined ? {} : { body }) });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${text}`);
    return (text === "" ? {} : JSON.parse(text)) as T;
  };
  const admin = server.adminToken!;
  const create = async (body: Record<string, unknown>) =>
    (await api<{ token: string }>(admin, "POST", "/v1/tokens", body)).token;
  const [operator, approver, viewer] = await Promise.all([
    create({ role: "operator", name: "olivia" }),
    create({ role: "approver", name: "alice" }),
    create({ role: "viewer", name: "victor" }),
  ]);
  return {
    server,
    url,
    dir,
    tokens: { admin, operator, approver, viewer },
    agentToken: (agentId) => create({ role: "agent", agent_id: agentId, name: agentId }),
    api,
    async stop() {
      server.process.kill("SIGTERM");
      await server.exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * For the enclosing `describe`: starts a dashboard server (see {@link startDashboardServer}) and Chromium once
 * before its tests, hands both to `use`, and stops both after them.
 */
export function withDashboardAndBrowser(
  use: (ui: DashboardServer, browser: TestBrowser) => void,
  options: Parameters<typeof startDashboardServer>[0] = {},
): void {
  let ui: DashboardServer | undefined;
  let browser: TestBrowser | undefined;
  beforeAll(async () => {
    [ui, browser] = await Promise.all([startDashboardServer(options), launchBrowser()]);
    use(ui, browser);
  });
  afterAll(async () => {
    await browser?.close();
    await ui?.stop();
  });
}
