import { describe, expect, it } from "vitest";
import { intersectCapabilities } from "./session-authority.js";

describe("intersectCapabilities", () => {
  it("keeps only what both sides may do; * stands for every action", () => {
    expect(intersectCapabilities(["read", "write"], ["read", "deploy"])).toEqual(["read"]);
    expect(intersectCapabilities(["read", "write"], ["*"])).toEqual(["read", "write"]);
    expect(intersectCapabilities(["*"], ["read"])).toEqual(["read"]);
    expect(intersectCapabilities(["*"], ["*"])).toEqual(["*"]);
    expect(intersectCapabilities(["read"], [])).toEqual([]);
    expect(intersectCapabilities([], ["*"])).toEqual([]);
  });
});
