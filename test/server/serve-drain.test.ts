import { mkdtempSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTokenService } from "../../src/auth/token-service.js";
import { createSqliteStorage } from "../../src/storage/sqlite/index.js";
import { call, startServe } from "../support/serve-process.js";

/** Sends one raw HTTP request and resolves with the whole answer once the server closes the connection. */
function rawExchange(url: string, request: string): { sent: Promise<void>; answer: Promise<string> } {
  const socket = connect(Number(new URL(url).port), "127.0.0.1");
  let answer = "";
  socket.setEncoding("utf8").on("data", (chunk: string) => {
    answer += chunk;
  });
  return {
    sent: new Promise((done) => socket.once("connect", () => socket.write(request, () => done()))),
    answer: new Promise((done, fail) => {
      socket.once("error", fail);
      socket.once("close", () => done(answer));
    }),
  };
}

describe("acp serve: shutdown ends long polls and event streams (real process)", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "acp-serve-drain-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("answers a pending ticket wait at once, ends the SSE stream, and exits 0 within the grace period", async () => {
    const db = join(dir, "acp.db");
    const seed = createSqliteStorage({ path: db });
    const service = createTokenService({ storage: seed });
    const agent = (await service.create({ role: "agent", agentId: "bot", name: "bot" })).token;
    const viewer = (await service.create({ role: "viewer", name: "vic" })).token;
    await seed.close();
    // A grace period longer than the test's timeout: only ending the waits lets the process exit in time.
    const server = await startServe([
      "--sqlite",
      db,
      "--policy",
      resolve("examples/policy.yaml"),
      "--shutdown-grace",
      "5m",
    ]);

    const session = (await (await call(server.url, "/v1/sessions", { token: agent, body: {} })).json()) as {
      id: string;
    };
    const decision = (await (
      await call(server.url, "/v1/proposals", {
        token: agent,
        body: { session_id: session.id, action: "issue_refund", resource_id: "order-1", cost: "1" },
      })
    ).json()) as { outcome: string; ticket_id: string };
    expect(decision.outcome).toBe("pending_approval");

    const wait = rawExchange(
      server.url,
      `GET /v1/tickets/${decision.ticket_id}/wait?timeout_ms=60000 HTTP/1.1\r\nHost: x\r\n` +
        `Authorization: Bearer ${agent}\r\n\r\n`,
    );
    await wait.sent;
    const stream = await fetch(`${server.url}/v1/events/stream`, {
      headers: { authorization: `Bearer ${viewer}` },
    });
    expect(stream.status).toBe(200);
    const reader = stream.body!.getReader();
    // A full round trip on another connection after the wait was sent: the server has both requests.
    expect((await call(server.url, "/healthz")).status).toBe(200);

    server.process.kill("SIGTERM");
    const answer = await wait.answer;
    expect(answer).toMatch(/^HTTP\/1\.1 200 /);
    expect(answer.toLowerCase()).toContain("connection: close");
    const body = JSON.parse(
      answer.slice(answer.indexOf("\r\n\r\n") + 4).replace(/^[0-9a-f]+\r\n|\r\n0\r\n\r\n$/g, ""),
    );
    expect(body).toMatchObject({ status: "pending", timed_out: true, ticket: { status: "pending" } });
    // The stream ends (cleanly or cut), it does not hang.
    for (;;) {
      const next = await reader.read().catch(() => ({ done: true }) as const);
      if (next.done) break;
    }
    expect(await server.exited).toBe(0);
  });
});

describe("acp serve: the grace period bounds the shutdown (real process)", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "acp-serve-grace-"));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("cuts a request that never finishes once the grace period is over, and still exits 0", async () => {
    const server = await startServe(["--sqlite", join(dir, "acp.db"), "--shutdown-grace", "300ms"]);
    const token = server.adminToken!;
    // A body announced as 100 bytes of which only 10 ever arrive: the request stays in flight.
    const stuck = rawExchange(
      server.url,
      `POST /v1/sessions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${token}\r\n` +
        `Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{"name":"`,
    );
    await stuck.sent;
    expect((await call(server.url, "/healthz")).status).toBe(200);
    server.process.kill("SIGTERM");
    await stuck.answer.catch(() => ""); // cut: no answer, or a reset
    expect(await server.exited).toBe(0);
    expect(server.lines.join("\n")).toContain("grace period of 300 ms over: open connections were closed");
    expect(server.lines.join("\n")).not.toContain("internal error");
  });
});
