import { describe, expect, it } from "vitest";
import { type HttpHarness, TOKENS, useHttp } from "../support/http-server.js";

interface SseEvent {
  id?: string;
  event?: string;
  data?: string;
}

/** Reads a text/event-stream response: parsed events, and the comment lines seen. */
function sseReader(res: Response) {
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  const comments: string[] = [];
  const pending: SseEvent[] = [];
  let done = false;
  const pump = async () => {
    const chunk = await reader.read();
    if (chunk.done) {
      done = true;
      return;
    }
    buffer += chunk.value;
    let cut = buffer.indexOf("\n\n");
    while (cut >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      const event: SseEvent = {};
      let isEvent = false;
      for (const line of block.split("\n")) {
        if (line.startsWith(":")) comments.push(line.slice(1).trim());
        else {
          const at = line.indexOf(": ");
          const key = line.slice(0, at) as keyof SseEvent;
          event[key] = (event[key] === undefined ? "" : `${event[key]}\n`) + line.slice(at + 2);
          isEvent = true;
        }
      }
      if (isEvent) pending.push(event);
      cut = buffer.indexOf("\n\n");
    }
  };
  return {
    comments,
    /** The next `n` events. */
    async events(n: number): Promise<SseEvent[]> {
      while (pending.length < n && !done) await pump();
      return pending.splice(0, n);
    },
    /** Resolves once a comment containing `text` arrived. */
    async comment(text: string): Promise<void> {
      while (!comments.some((c) => c.includes(text)) && !done) await pump();
    },
    /** Reads to the end of the stream; the events that were still unread. */
    async rest(): Promise<SseEvent[]> {
      while (!done) await pump();
      return pending.splice(0);
    },
    cancel: () => reader.cancel(),
  };
}

async function open(h: HttpHarness, path: string, token: string, headers: Record<string, string> = {}) {
  const controller = new AbortController();
  const res = await fetch(h.url + path, {
    headers: { authorization: `Bearer ${token}`, ...headers },
    signal: controller.signal,
  });
  return { res, controller };
}

describe("GET /v1/events/stream (Server-Sent Events)", () => {
  const h = useHttp({ sse: { pollIntervalMs: 10 } });

  it("starts at the current end of the feed and sends new events as EventFrame JSON", async () => {
    const old = await h().cp.openSession({ agentId: "agent-a", name: "old" });
    const { res } = await open(h(), "/v1/events/stream", TOKENS.viewer);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/event-stream");
    const sse = sseReader(res);
    await sse.comment("connected");
    const s = await h().cp.openSession({ agentId: "agent-a", name: "new" });
    await h().cp.propose({ sessionId: s.id, action: "read_file" });
    const feed = (await h().cp.feed()).filter((e) => e.sessionId === s.id);
    const got = await sse.events(feed.length);
    expect(got.map((e) => Number(e.id))).toEqual(feed.map((e) => e.id));
    expect(got.map((e) => e.event)).toEqual(feed.map((e) => e.kind));
    const frame = JSON.parse(got[0]!.data!) as Record<string, unknown>;
    expect(frame).toMatchObject({ frame_kind: "event", feed_id: feed[0]!.id, acp_kind: "session_opened" });
    expect(got.some((e) => e.data?.includes(old.id))).toBe(false);
    await sse.cancel();
  });

  it("resumes after Last-Event-ID (or ?after=) with exactly the events after that id", async () => {
    const s = await h().cp.openSession({ agentId: "agent-a" });
    for (let i = 0; i < 4; i++)
      await h().cp.propose({ sessionId: s.id, action: "log_note", resourceId: `r${i}` });
    const feed = await h().cp.feed();
    const cut = feed[2]!.id;
    const expected = feed.filter((e) => e.id > cut).map((e) => String(e.id));
    for (const how of [{ headers: { "last-event-id": String(cut) } }, { query: `?after=${cut}` }]) {
      const path = `/v1/events/stream${"query" in how ? how.query : ""}`;
      const { res } = await open(h(), path, TOKENS.viewer, "headers" in how ? how.headers : {});
      const sse = sseReader(res);
      const got = await sse.events(expected.length);
      expect(got.map((e) => e.id)).toEqual(expected);
      await sse.comment("connected");
      await sse.cancel();
    }
    const bad = await open(h(), "/v1/events/stream", TOKENS.viewer, { "last-event-id": "abc" });
    expect(bad.res.status).toBe(422);
    expect(await bad.res.json()).toMatchObject({ details: { code: "validation_failed" } });
  });

  it("filters by session_id; an agent token must name a session of its own", async () => {
    const a = await h().cp.openSession({ agentId: "agent-a" });
    const b = await h().cp.openSession({ agentId: "agent-b" });
    const { res } = await open(h(), `/v1/events/stream?session_id=${a.id}&after=0`, TOKENS.agentA);
    expect(res.status).toBe(200);
    const sse = sseReader(res);
    await h().cp.propose({ sessionId: b.id, action: "read_file" });
    await h().cp.propose({ sessionId: a.id, action: "read_file" });
    const mine = (await h().cp.feed({ sessionId: a.id })).length;
    const got = await sse.events(mine);
    expect(got.every((e) => (JSON.parse(e.data!) as { session_id: string }).session_id === a.id)).toBe(true);
    await sse.cancel();
    expect((await open(h(), "/v1/events/stream", TOKENS.agentA)).res.status).toBe(403);
    expect((await open(h(), `/v1/events/stream?session_id=${b.id}`, TOKENS.agentA)).res.status).toBe(403);
    expect((await open(h(), "/v1/events/stream", "wrong-token")).res.status).toBe(401);
  });

  it("ends every open stream when the app closes", async () => {
    const { res } = await open(h(), "/v1/events/stream", TOKENS.viewer);
    const sse = sseReader(res);
    await sse.comment("connected");
    h().app.close();
    expect(await sse.rest()).toEqual([]);
  });
});

describe("SSE keep-alive", () => {
  const h = useHttp({ sse: { pollIntervalMs: 5, keepAliveMs: 20 } });

  it("sends a comment line while the feed is idle", async () => {
    const { res, controller } = await open(h(), "/v1/events/stream", TOKENS.viewer);
    const sse = sseReader(res);
    await sse.comment("keep-alive");
    expect(sse.comments).toContain("keep-alive");
    controller.abort();
  });
});

describe("SSE settings", () => {
  it("are checked when the app is created, naming the bad one", async () => {
    const { createHttpApp } = await import("../../src/http/create-http-app.js");
    const { createStaticAuth } = await import("../../src/auth/static-auth.js");
    const controlPlane = {} as never;
    const auth = createStaticAuth([]);
    expect(() => createHttpApp({ controlPlane, auth, sse: { pollIntervalMs: 0 } })).toThrow(
      /sse\.pollIntervalMs/,
    );
    expect(() => createHttpApp({ controlPlane, auth, sse: { keepAliveMs: 1.5 } })).toThrow(
      /sse\.keepAliveMs/,
    );
    expect(() => createHttpApp({ controlPlane, auth, sse: { pollIntervalMs: 100 } })).not.toThrow();
  });
});

describe("SSE and the request's signal", () => {
  const h = useHttp({ sse: { pollIntervalMs: 10 } });

  it("ends the stream when the client's request is aborted (the server stops polling)", async () => {
    const controller = new AbortController();
    const res = await h().app.fetch(
      new Request(`${h().url}/v1/events/stream`, {
        headers: { authorization: `Bearer ${TOKENS.viewer}` },
        signal: controller.signal,
      }),
    );
    expect(res.status).toBe(200);
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = "";
    while (!text.includes("connected")) text += (await reader.read()).value ?? "";
    controller.abort();
    // The loop sees the aborted signal, stops polling and closes the stream: the body ends (without the fix
    // this read never finishes and the test times out).
    let ended = false;
    while (!ended) ended = (await reader.read()).done;
    expect(ended).toBe(true);
  });
});

describe("SSE when the storage fails", () => {
  it("ends the stream with an error event that carries no detail", async () => {
    const { createSqliteStorage } = await import("../../src/storage/sqlite/index.js");
    const { mkdtempSync, rmSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const { join } = await import("node:path");
    const { startHttp } = await import("../support/http-server.js");
    const dir = mkdtempSync(join(tmpdir(), "acp-sse-"));
    const storage = await createSqliteStorage({ path: join(dir, "acp.db") });
    const h = await startHttp({ storage, sse: { pollIntervalMs: 10 } });
    try {
      const res = await fetch(`${h.url}/v1/events/stream`, {
        headers: { authorization: `Bearer ${TOKENS.viewer}` },
      });
      const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
      let text = "";
      while (!text.includes("connected")) text += (await reader.read()).value ?? "";
      await storage.close(); // the database goes away under the open stream
      for (;;) {
        const chunk = await reader.read();
        if (chunk.done) break;
        text += chunk.value;
      }
      expect(text).toContain("event: error\ndata: feed unavailable: reconnect with Last-Event-ID\n\n");
    } finally {
      await h.close().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
