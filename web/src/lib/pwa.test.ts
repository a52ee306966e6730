import { describe, expect, it } from "vitest";
import { NAVIGATE } from "../sw/logic";
import { isNavigateMessage } from "./pwa";

describe("isNavigateMessage", () => {
  it("follows only the worker's navigate messages to a page of the app", () => {
    expect(isNavigateMessage({ type: NAVIGATE, url: "/chat/c1?m=m1", org_id: "o1" })).toBe(true);
    expect(isNavigateMessage({ type: NAVIGATE, url: "//evil.example/" })).toBe(false);
    expect(isNavigateMessage({ type: NAVIGATE, url: "https://evil.example/" })).toBe(false);
    expect(isNavigateMessage({ type: "other", url: "/chat" })).toBe(false);
    expect(isNavigateMessage(null)).toBe(false);
  });
});
