import { describe, expect, it } from "vitest";
import { buildTree, flatten, isDescendant } from "./tree";

describe("buildTree", () => {
  it("nests departments under their parents, sorted", () => {
    const t = buildTree([
      { id: "b", parent_id: "a", name: "Sales", sort_order: 2 },
      { id: "a", parent_id: "", name: "HQ" },
      { id: "c", parent_id: "a", name: "Engineering", sort_order: 1 },
      { id: "d", parent_id: "c", name: "Web" },
      { id: "e", parent_id: "gone", name: "Orphan" },
    ]);
    expect(flatten(t).map((n) => `${n.depth}:${n.name}`)).toEqual([
      "0:HQ",
      "1:Engineering",
      "2:Web",
      "1:Sales",
      "0:Orphan",
    ]);
    expect(isDescendant(t[0], "d")).toBe(true);
    expect(isDescendant(t[0].children[0], "b")).toBe(false);
  });
});
