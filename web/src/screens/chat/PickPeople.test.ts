import { describe, expect, it } from "vitest";
import { togglePicked } from "./PickPeople";

describe("togglePicked", () => {
  const a = { id: "a", name: "Ada" };
  const b = { id: "b", name: "Bo" };
  it("adds and removes people, or keeps one for a direct chat", () => {
    expect(togglePicked([], a, false)).toEqual([a]);
    expect(togglePicked([a], b, false)).toEqual([a, b]);
    expect(togglePicked([a, b], a, false)).toEqual([b]);
    expect(togglePicked([a], b, true)).toEqual([b]);
  });
});
