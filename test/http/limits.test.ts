import type { AddressInfo } from "node:net";
import { connect } from "node:net";
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createStaticAuth } from "../../src/auth/static-auth.js";
import type { RequestLogLine } from "../../src/http/access-log.js";
import { bodyLimit } from "../../src/http/body-limit.js";
import type { HttpEnv } from "../../src/http/context.js";
import { createHttpApp } from "../../src/http/create-http-app.js";
import { TokenBuckets } from "../../src/http/rate-limit.js";
import { type HttpHarness, startHttp, TEST_TOKENS, TOKENS } from "../support/http-server.js";

const MAX = 1024;

/** Sends raw bytes over one TCP connection and resolves with everything the server answered. */
function rawRequest(url: string, bytes: string): Promise<string> {
  const { port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), "127.0.0.1");
    let answer = "";
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      answer += chunk;
    });
    socket.on("error", reject);
    socket.on("close", () => resolve(answer));
    socket.write(bytes);
  });
}

const chunked = (payload: string) => `${payload.length.toString(16)}\r\n${payload}\r\n0\r\n\r\n`;

describe("request body limit (real HTTP)", () => {
  let h: HttpHarness;
  const lines: RequestLogLine[] = [];
  beforeAll(async () => {
    h = await startHttp({ app: { limits: { maxBodyBytes: MAX }, log: (l) => lines.push(l) } });
  });
  afterAll(() => h.close());

  it("answers 413 in the envelope for a declared Content-Length over the limit", async () => {
    const res = await h.call("/v1/sessions", { token: TOKENS.operator, body: "x".repeat(MAX + 1) });
    expect(res.status).toBe(413);
    expect(await res.json()).toEqual({
      error: `request body larger than ${MAX} bytes`,
      details: { code: "payload_too_large", max_body_bytes: MAX },
    });
  });

  it("counts a chunked body as it arrives and refuses it past the limit", async () => {
    const answer = await rawRequest(
      h.url,
      "POST /v1/sessions HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" +
        `Authorization: Bearer ${TOKENS.operator}\r\nContent-Type: application/json\r\n` +
        `Transfer-Encoding: chunked\r\n\r\n${chunked(`{"name":"${"y".repeat(MAX)}"}`)}`,
    );
    expect(answer).toMatch(/^HTTP\/1\.1 413 /);
    expect(answer).toContain('"code":"payload_too_large"');
  });

  it("is not fooled by a Content-Length that understates the body", async () => {
    const big = new TextEncoder().encode(JSON.stringify({ name: "z".repeat(4 * MAX) }));
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < big.length; i += 256) controller.enqueue(big.subarray(i, i + 256));
        controller.close();
      },
    });
    const res = await h.app.fetch(
      new Request(`${h.url}/v1/sessions`, {
        method: "POST",
        headers: { authorization: `Bearer ${TOKENS.operator}`, "content-length": "12" },
        body,
        duplex: "half",
      } as RequestInit),
    );
    expect(res.status).toBe(413);
    expect(((await res.json()) as { details: { code: string } }).details.code).toBe("payload_too_large");
  });

  it("over real HTTP, an understating Content-Length cannot smuggle a larger body past the limit", async () => {
    const big = JSON.stringify({ name: "w".repeat(4 * MAX) });
    const answer = await rawRequest(
      h.url,
      "POST /v1/sessions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" +
        `Authorization: Bearer ${TOKENS.operator}\r\nContent-Length: 12\r\n\r\n${big}`,
    );
    // The first 12 bytes are the body (not JSON: 400); the rest is not a request (400, connection closed).
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(answer).not.toMatch(/HTTP\/1\.1 2\d\d /);
    const sessions = await h.call("/v1/sessions", { token: TOKENS.operator });
    expect(JSON.stringify(await sessions.json())).not.toContain("www");
  });

  it("lets a body within the limit through and logs each request without its token", async () => {
    const res = await h.call("/v1/sessions", { token: TOKENS.operator, body: { name: "small" } });
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ session_name: "small" });
    expect(res.headers.get("x-request-id")).toMatch(/^[\w.:-]+$/);
    const line = lines.find((l) => l.requestId === res.headers.get("x-request-id"));
    expect(line).toMatchObject({
      method: "POST",
      path: "/v1/sessions",
      status: res.status,
      principal: { name: "olivia", role: "operator" },
    });
    expect(JSON.stringify(lines)).not.toContain(TOKENS.operator);
    const unauthenticated = await h.call("/v1/sessions", { headers: { "x-request-id": "req-42" } });
    expect(unauthenticated.status).toBe(401);
    expect(unauthenticated.headers.get("x-request-id")).toBe("req-42");
    expect(lines.find((l) => l.requestId === "req-42")).toMatchObject({ status: 401, principal: null });
  });
});

describe("bodyLimit middleware hands the counted body on unchanged (real HTTP)", () => {
  let url: string;
  let close: () => Promise<void>;
  beforeAll(async () => {
    const app = new Hono<HttpEnv>();
    app.use("*", bodyLimit(MAX));
    app.post("/echo", async (c) => c.json({ text: await c.req.text() }));
    const server = serve({ fetch: app.fetch, hostname: "127.0.0.1", port: 0 });
    await new Promise<void>((resolve) => server.once("listening", () => resolve()));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  });
  afterAll(() => close());

  it("passes a body of exactly the limit, declared or chunked", async () => {
    const text = "é".repeat(MAX / 2); // 2 bytes each in UTF-8
    const res = await fetch(`${url}/echo`, { method: "POST", body: text });
    expect(await res.json()).toEqual({ text });
    const answer = await rawRequest(
      url,
      `POST /echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n${chunked("a".repeat(MAX))}`,
    );
    expect(answer).toMatch(/^HTTP\/1\.1 200 /);
    expect(answer).toContain(`{"text":"${"a".repeat(MAX)}"}`);
    const over = await fetch(`${url}/echo`, { method: "POST", body: `${text}!` });
    expect(over.status).toBe(413);
  });
});

describe("per-principal rate limit (real HTTP)", () => {
  let h: HttpHarness;
  let now = 1_000_000;
  beforeAll(async () => {
    h = await startHttp({ now: () => now, app: { limits: { ratePerMinute: 3 } } });
  });
  afterAll(() => h.close());

  it("answers 429 with Retry-After once a token spent its burst, per token, and refills over time", async () => {
    for (let i = 0; i < 3; i++) {
      expect((await h.call("/v1/sessions", { token: TOKENS.viewer })).status).toBe(200);
    }
    const limited = await h.call("/v1/sessions", { token: TOKENS.viewer });
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("20");
    expect(await limited.json()).toMatchObject({ details: { code: "rate_limited", rate_per_minute: 3 } });
    // Another principal has its own bucket.
    expect((await h.call("/v1/sessions", { token: TOKENS.operator })).status).toBe(200);
    now += 20_000; // one request regained (3 per minute)
    expect((await h.call("/v1/sessions", { token: TOKENS.viewer })).status).toBe(200);
    expect((await h.call("/v1/sessions", { token: TOKENS.viewer })).status).toBe(429);
  });
});

describe("createHttpApp limits options", () => {
  it("refuses a limit that is not a positive integer, naming it", async () => {
    const h = await startHttp();
    try {
      const make = (limits: object) => () =>
        createHttpApp({ controlPlane: h.cp, auth: createStaticAuth(TEST_TOKENS), limits });
      expect(make({ ratePerMinute: 0 })).toThrow(/limits\.ratePerMinute: expected a positive integer/);
      expect(make({ maxBodyBytes: 1.5 })).toThrow(/limits\.maxBodyBytes: expected a positive integer/);
    } finally {
      await h.close();
    }
  });
});

describe("TokenBuckets", () => {
  it("allows a burst of the rate, then one request per 60/rate seconds", () => {
    const b = new TokenBuckets(60);
    for (let i = 0; i < 60; i++) expect(b.take("k", 0)).toBe(0);
    expect(b.take("k", 0)).toBe(1000);
    expect(b.take("k", 500)).toBe(500);
    expect(b.take("k", 1000)).toBe(0);
    expect(b.take("other", 1000)).toBe(0);
  });
});
