import { describe, expect, it } from "vitest";
import { formatBytes, type Item, isText, rangeSelect, sortItems } from "./api";
import { Folders, splitRelative } from "./upload";

const item = (name: string, kind: "file" | "folder", size: number, updated: number): Item => ({
  id: name,
  space_id: "s",
  parent_id: "p",
  kind,
  name,
  size,
  version: 1,
  etag: "",
  created_by: "",
  updated_by: "",
  created_at: 0,
  updated_at: updated,
  my_role: "editor",
});

describe("drive helpers", () => {
  const items = [
    item("b10.txt", "file", 5, 3),
    item("B2.txt", "file", 50, 1),
    item("zeta", "folder", 0, 2),
    item("alpha", "folder", 0, 9),
  ];

  it("sorts folders first, names as people read them, and by size or date", () => {
    expect(sortItems(items, "name", false).map((i) => i.name)).toEqual([
      "alpha",
      "zeta",
      "B2.txt",
      "b10.txt",
    ]);
    expect(sortItems(items, "name", true).map((i) => i.name)).toEqual(["zeta", "alpha", "b10.txt", "B2.txt"]);
    expect(sortItems(items, "size", true).map((i) => i.name)).toEqual(["zeta", "alpha", "B2.txt", "b10.txt"]);
    expect(sortItems(items, "modified", false).map((i) => i.name)).toEqual([
      "zeta",
      "alpha",
      "B2.txt",
      "b10.txt",
    ]);
  });

  it("selects a range either way from the anchor", () => {
    const order = ["a", "b", "c", "d"];
    expect(rangeSelect(order, "b", "d")).toEqual(["b", "c", "d"]);
    expect(rangeSelect(order, "d", "b")).toEqual(["b", "c", "d"]);
    expect(rangeSelect(order, "x", "c")).toEqual(["c"]);
  });

  it("keeps a dropped file's folders", () => {
    expect(splitRelative("Plans/drafts/v1.txt")).toEqual(["Plans", "drafts"]);
    expect(splitRelative("v1.txt")).toEqual([]);
  });

  it("renders sizes and tells text files", () => {
    expect(formatBytes(512)).toBe("512 B");
    expect(formatBytes(1536)).toBe("1.5 KB");
    expect(formatBytes(5 * 1024 ** 3)).toBe("5.0 GB");
    expect(isText("text/plain; charset=utf-8", "a")).toBe(true);
    expect(isText("application/octet-stream", "notes.md")).toBe(true);
    expect(isText("image/png", "a.png")).toBe(false);
  });

  it("creates each folder of an upload once, reusing one that exists", async () => {
    const made: string[] = [];
    const f = new Folders("root");
    const calls = (globalThis as { fetch: typeof fetch }).fetch;
    (globalThis as { fetch: unknown }).fetch = async (_url: string, init: RequestInit) => {
      const body = JSON.parse(String(init.body));
      made.push(`${body.parent_id}/${body.name}`);
      return new Response(JSON.stringify({ id: `${body.parent_id}/${body.name}` }), { status: 201 });
    };
    try {
      const [x, y] = await Promise.all([f.ensure(["A", "B"]), f.ensure(["A", "C"])]);
      expect(x).toBe("root/A/B");
      expect(y).toBe("root/A/C");
      expect(made.sort()).toEqual(["root/A", "root/A/B", "root/A/C"]);
    } finally {
      (globalThis as { fetch: unknown }).fetch = calls;
    }
  });
});
