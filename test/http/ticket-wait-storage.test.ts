import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Storage } from "../../src/storage/storage.js";
import { type HttpHarness, startHttp, TOKENS } from "../support/http-server.js";
import { withAllStorageCases } from "../support/postgres-case.js";

const cases = await withAllStorageCases();

/** The storage, except that closing it is left to the storage case's own cleanup. */
function keepOpen(storage: Storage): Storage {
  return new Proxy(storage, {
    get(target, key) {
      if (key === "close") return async () => undefined;
      const value = Reflect.get(target, key);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

describe.each(cases)("long poll and SSE over $name storage", (storageCase) => {
  let h: HttpHarness;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    const created = await storageCase.create();
    cleanup = created.cleanup;
    h = await startHttp({ storage: keepOpen(created.storage), sse: { pollIntervalMs: 10 } });
  });
  afterEach(async () => {
    await h.close();
    await cleanup();
  });

  it("an approval wakes the waiting agent, whose retry proceeds and completes", async () => {
    const s = await h.cp.openSession({ agentId: "agent-a" });
    const body = { session_id: s.id, action: "deploy", resource_id: "svc-1", cost: "1.5" };
    const first = (await (await h.call("/v1/proposals", { token: TOKENS.agentA, body })).json()) as {
      ticket_id: string;
      proposal_id: string;
    };
    const waiting = h.call(`/v1/tickets/${first.ticket_id}/wait?timeout_ms=60000`, { token: TOKENS.agentA });
    await new Promise((r) => setTimeout(r, 50));
    await h.cp.approve(first.ticket_id, { decidedBy: "alice" });
    expect(await (await waiting).json()).toMatchObject({ status: "approved", timed_out: false });
    const retry = await h.call("/v1/proposals", { token: TOKENS.agentA, body });
    expect(await retry.json()).toMatchObject({ outcome: "allowed", proposal_id: first.proposal_id });
    const done = await h.call(`/v1/proposals/${first.proposal_id}/complete`, {
      token: TOKENS.agentA,
      body: { ok: true },
    });
    expect(await done.json()).toMatchObject({ status: "succeeded", actual_cost: "1.5" });
  });

  it("the event stream resumed with Last-Event-ID gives exactly the later events", async () => {
    const s = await h.cp.openSession({ agentId: "agent-a" });
    for (let i = 0; i < 3; i++)
      await h.cp.propose({ sessionId: s.id, action: "log_note", resourceId: `n${i}` });
    const feed = await h.cp.feed();
    const cut = feed[1]!.id;
    const expected = feed.filter((e) => e.id > cut).map((e) => String(e.id));
    const res = await fetch(`${h.url}/v1/events/stream`, {
      headers: { authorization: `Bearer ${TOKENS.viewer}`, "last-event-id": String(cut) },
    });
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = "";
    const ids = () => [...text.matchAll(/^id: (\d+)$/gm)].map((m) => m[1]);
    while (ids().length < expected.length) {
      const chunk = await reader.read();
      if (chunk.done) break;
      text += chunk.value;
    }
    expect(ids()).toEqual(expected);
    await reader.cancel();
  });
});
