import { describe, expect, it } from "vitest";
import { createServerLog } from "../../src/server/request-log.js";
import { describeStorage } from "../../src/server/run-serve.js";
import type { EventRecord } from "../../src/types/event.js";

const EVENT: EventRecord = {
  id: 42,
  sessionId: "s-1",
  seq: 7,
  kind: "proposal_decided",
  agentId: "bot",
  proposalId: "p-1",
  ticketId: null,
  payload: { args: { email: "ann@example.com" } },
  at: Date.UTC(2026, 0, 2, 3, 4, 5),
};

describe("server log lines", () => {
  it("writes state changes with their ids and never their payload, as JSON or text", () => {
    const lines: string[] = [];
    createServerLog("json", (l) => lines.push(l)).stateChange(EVENT);
    createServerLog("text", (l) => lines.push(l)).stateChange(EVENT);
    expect(JSON.parse(lines[0]!)).toEqual({
      at: "2026-01-02T03:04:05.000Z",
      type: "state_change",
      event_id: 42,
      kind: "proposal_decided",
      session_id: "s-1",
      seq: 7,
      agent_id: "bot",
      proposal_id: "p-1",
      ticket_id: null,
    });
    expect(lines[1]).toBe(
      "2026-01-02T03:04:05.000Z event proposal_decided event_id=42 session_id=s-1 seq=7 agent_id=bot proposal_id=p-1",
    );
    expect(lines.join("\n")).not.toContain("ann@example.com");
  });

  it("writes requests without a principal as '-' and errors with their fields", () => {
    const lines: string[] = [];
    const log = createServerLog(
      "text",
      (l) => lines.push(l),
      () => 0,
    );
    log.request({
      at: 0,
      method: "GET",
      path: "/v1/sessions",
      status: 401,
      durationMs: 0.5,
      requestId: "r-1",
      principal: null,
    });
    log.error("maintenance pass failed", { error: "boom" });
    expect(lines).toEqual([
      "1970-01-01T00:00:00.000Z GET /v1/sessions 401 0.5ms - req=r-1",
      "1970-01-01T00:00:00.000Z ERROR maintenance pass failed error=boom",
    ]);
  });

  it("describes the storage without credentials", () => {
    expect(describeStorage({ kind: "sqlite", path: "./acp.db" })).toBe("sqlite ./acp.db");
    const pg = describeStorage({
      kind: "postgres",
      url: "postgres://acp:s3cret@db.internal:5433/gov",
      schema: "g",
    });
    expect(pg).toBe("postgres db.internal:5433/gov schema g");
    expect(describeStorage({ kind: "postgres", url: "host=db password=s3cret" })).toBe("postgres");
  });
});
