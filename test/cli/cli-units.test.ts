import { describe, expect, it } from "vitest";
import { describeErrorBody, exitCodeForStatus } from "../../src/cli/api-client.js";
import { approveBody } from "../../src/cli/commands/tickets.js";
import { formatRecord, formatTable } from "../../src/cli/output.js";
import { readSse } from "../../src/cli/sse.js";
import { dryRunDecision } from "../../src/control-plane/dry-run-decision.js";
import { loadPolicy } from "../../src/engines/policy/load-policy.js";
import { TEST_POLICY } from "../support/control-plane-fixture.js";

/** A stream that delivers `chunks` one by one (to split lines and CRLF pairs across reads). */
function streamOf(chunks: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const c of chunks) controller.enqueue(encoder.encode(c));
      controller.close();
    },
  });
}

async function collect(chunks: string[]) {
  const out = [];
  for await (const m of readSse(streamOf(chunks))) out.push(m);
  return out;
}

describe("readSse", () => {
  it("parses ids, event names, multi-line data and comments, across chunk boundaries", async () => {
    const messages = await collect([
      ": keep-alive\n\n",
      'id: 7\nevent: proposal_decided\ndata: {"a":',
      "1}\n\nid: 8\r",
      "\ndata: line one\r\ndata: line two\r\n\r\n",
      "data:no space\n\n",
      "event: only-event\n\n",
    ]);
    expect(messages).toEqual([
      { id: "7", event: "proposal_decided", data: '{"a":1}' },
      { id: "8", event: "message", data: "line one\nline two" },
      // The last id stays in force (as EventSource's lastEventId).
      { id: "8", event: "message", data: "no space" },
    ]);
  });

  it("drops an unterminated last message (the connection dropped mid-message)", async () => {
    expect(await collect(["id: 1\ndata: x\n\nid: 2\ndata: half"])).toEqual([
      { id: "1", event: "message", data: "x" },
    ]);
  });
});

describe("formatTable / formatRecord", () => {
  it("aligns columns to the widest cell and shows missing values as -", () => {
    const rows = [
      { id: "a", name: "short", n: null },
      { id: "bbbbbb", name: "a much longer name", n: 3 },
    ];
    const text = formatTable(rows, [
      { header: "ID", value: (r) => r.id },
      { header: "NAME", value: (r) => r.name },
      { header: "N", value: (r) => r.n },
    ]);
    expect(text.split("\n")).toEqual([
      "ID      NAME                N",
      "a       short               -",
      "bbbbbb  a much longer name  3",
    ]);
    expect(formatRecord({ id: "x", nested: { a: 1 } })).toBe('id      x\nnested  {"a":1}');
  });
});

describe("the API client's error mapping", () => {
  it("maps statuses to exit codes", () => {
    expect([401, 403, 404, 409, 400, 422, 413, 429, 500, 501, 503].map(exitCodeForStatus)).toEqual([
      5, 5, 3, 4, 2, 2, 2, 1, 1, 1, 1,
    ]);
  });

  it("prints the envelope's message, code and each field issue", () => {
    const d = describeErrorBody(422, {
      error: "invalid request body",
      details: { code: "validation_failed", issues: [{ path: "body.reason", message: "expected a string" }] },
    });
    expect(d.message).toBe("HTTP 422: invalid request body (validation_failed)");
    expect(d.lines).toEqual(["  body.reason: expected a string"]);
    expect(describeErrorBody(502, undefined).message).toBe("HTTP 502: the server answered HTTP 502");
    // A validation message that lists its issues itself is shortened to its first line; issues printed once.
    const listed = describeErrorBody(422, {
      error: "invalid input (1 problem):\n  limit: too big",
      details: { code: "validation_failed", issues: [{ path: "limit", message: "too big" }] },
    });
    expect(listed).toEqual({
      message: "HTTP 422: invalid input (1 problem) (validation_failed)",
      lines: ["  limit: too big"],
    });
    expect(describeErrorBody(400, { error: "bad:\n  detail one", details: { code: "x" } }).lines).toEqual([
      "  detail one",
    ]);
  });
});

describe("approveBody", () => {
  it("maps the options onto the contract's ApproveTicketRequest", () => {
    const now = Date.UTC(2026, 0, 1);
    expect(approveBody({}, now)).toEqual({ decision_type: "allow_once" });
    expect(
      approveBody(
        {
          reason: "ok",
          sessionScope: true,
          actions: ["deploy"],
          resources: ["a"],
          maxCost: "2.5",
          maxUses: 3,
          expires: 3_600_000,
        },
        now,
      ),
    ).toEqual({
      reason: "ok",
      decision_type: "allow_for_session",
      scope_actions: ["deploy"],
      scope_resource_ids: ["a"],
      scope_max_cost: "2.5",
      scope_max_action_count: 3,
      scope_expiry: "2026-01-01T01:00:00.000Z",
    });
    expect(() => approveBody({ maxUses: 3 }, now)).toThrow("--session-scope");
  });
});

describe("dryRunDecision", () => {
  const policy = loadPolicy(TEST_POLICY);

  it("gives each tier's outcome with a trace, with no session and nothing stored", async () => {
    const cases = [
      ["deploy", "pending_approval", "approval_required"],
      ["read_file", "allowed", "auto_approved"],
      ["log_note", "allowed", "unrestricted"],
      ["delete_database", "denied", "blocked_action"],
      ["force_push", "steered", "steered"],
      ["never_heard_of", "denied", "unlisted_action"],
    ] as const;
    for (const [action, outcome, code] of cases) {
      const d = await dryRunDecision(policy, { action });
      expect({ action, outcome: d.outcome, code: d.code }).toEqual({ action, outcome, code });
      expect(d.trace.length).toBeGreaterThan(0);
    }
    expect((await dryRunDecision(policy, { action: "force_push" })).steering).toBeDefined();
  });

  it("checks identity only when given an agent record", async () => {
    const d = await dryRunDecision(policy, { action: "read_file", agentId: "x" }, { agent: null });
    expect(d).toMatchObject({ outcome: "denied", code: "unknown_agent" });
  });

  it("rejects a malformed proposal naming the field", async () => {
    await expect(dryRunDecision(policy, { action: "x", cost: "lots" })).rejects.toThrow(/cost/);
  });
});
