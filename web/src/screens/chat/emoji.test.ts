import native from "@emoji-mart/data/sets/15/native.json";
import { describe, expect, it } from "vitest";
import {
  addRecent,
  type EmojiData,
  gridMove,
  groupsOf,
  loadRecent,
  MAX_RECENT,
  rememberEmoji,
  searchEmoji,
  withNames,
} from "./emoji";
import zh from "./emoji-zh.json";

class MemStorage {
  m = new Map<string, string>();
  getItem(k: string) {
    return this.m.get(k) ?? null;
  }
  setItem(k: string, v: string) {
    this.m.set(k, v);
  }
}

const data = {
  categories: [
    { id: "people", emojis: ["+1", "joy", "astronaut", "missing"] },
    { id: "places", emojis: ["rocket"] },
    { id: "flags", emojis: ["flag-cn"] },
  ],
  emojis: {
    "+1": { name: "Thumbs Up", keywords: ["like", "yes"], skins: [{ native: "👍" }, { native: "👍🏽" }] },
    joy: { name: "Face with Tears of Joy", keywords: ["laugh"], skins: [{ native: "😂" }] },
    astronaut: { name: "Astronaut", keywords: ["space", "rocket"], skins: [{ native: "🧑‍🚀" }] },
    rocket: { name: "Rocket", keywords: ["launch"], skins: [{ native: "🚀" }] },
    "flag-cn": { name: "China Flag", keywords: ["cn"], skins: [{ native: "🇨🇳" }] },
  },
};

describe("emoji recents", () => {
  it("keeps the most recent first, once each, at most MAX_RECENT", () => {
    expect(addRecent(["😂", "👍"], "👍")).toEqual(["👍", "😂"]);
    let list: string[] = [];
    for (let i = 0; i < MAX_RECENT + 5; i++) list = addRecent(list, String(i));
    expect(list).toHaveLength(MAX_RECENT);
    expect(list[0]).toBe(String(MAX_RECENT + 4));
  });
  it("is kept per person in storage and survives bad values", () => {
    const s = new MemStorage() as unknown as Storage;
    rememberEmoji("acc_a", "👍", s);
    rememberEmoji("acc_a", "🎉", s);
    rememberEmoji("acc_b", "😂", s);
    expect(loadRecent("acc_a", s)).toEqual(["🎉", "👍"]);
    expect(loadRecent("acc_b", s)).toEqual(["😂"]);
    expect(loadRecent("", s)).toEqual([]);
    s.setItem("atrium.emoji.recent.acc_c", "{nope");
    expect(loadRecent("acc_c", s)).toEqual([]);
    s.setItem("atrium.emoji.recent.acc_c", JSON.stringify(["👍", 3, null]));
    expect(loadRecent("acc_c", s)).toEqual(["👍"]);
  });
});

describe("emoji search", () => {
  const groups = groupsOf(data);
  it("builds categories with the default skin, skipping unknown ids", () => {
    expect(groups.map((g) => g.emojis.map((e) => e.native))).toEqual([["👍", "😂", "🧑‍🚀"], ["🚀"], ["🇨🇳"]]);
  });
  it("matches names and keywords, every word, prefix matches first", () => {
    expect(searchEmoji(groups, "thumbs").map((e) => e.native)).toEqual(["👍"]);
    expect(searchEmoji(groups, "LAUGH").map((e) => e.native)).toEqual(["😂"]);
    expect(searchEmoji(groups, "face joy").map((e) => e.native)).toEqual(["😂"]);
    expect(searchEmoji(groups, "face nope")).toEqual([]);
    expect(searchEmoji(groups, "  ")).toEqual([]);
    expect(searchEmoji(groups, "c").map((e) => e.native)).toEqual(["🇨🇳", "😂", "🧑‍🚀", "🚀"]);
    expect(searchEmoji(groups, "👍").map((e) => e.native)).toEqual(["👍"]);
    // The emoji named so comes before one that only has the word as a keyword.
    expect(searchEmoji(groups, "rocket").map((e) => e.native)).toEqual(["🚀", "🧑‍🚀"]);
  });
  it("moves in the grid and leaves it upwards from the first row", () => {
    expect(gridMove(0, "ArrowRight", 8, 20)).toBe(1);
    expect(gridMove(0, "ArrowLeft", 8, 20)).toBe(0);
    expect(gridMove(3, "ArrowDown", 8, 20)).toBe(11);
    expect(gridMove(15, "ArrowDown", 8, 20)).toBe(19);
    expect(gridMove(3, "ArrowUp", 8, 20)).toBe(-1);
    expect(gridMove(5, "End", 8, 20)).toBe(19);
  });
});

describe("emoji search in Chinese", () => {
  const all = withNames(groupsOf(native as unknown as EmojiData), zh);
  const found = (q: string) => searchEmoji(all, q).map((e) => e.native);
  it("finds emoji by Chinese words", () => {
    expect(found("笑")).toContain("😄");
    expect(found("心").slice(0, 8)).toContain("❤️");
    expect(found("火箭")[0]).toBe("🚀");
    expect(found("中国")).toContain("🇨🇳");
    expect(found("赞").slice(0, 8)).toContain("👍");
    expect(found("谢谢")).toContain("🙏");
  });
  it("shows Chinese names and still finds English words", () => {
    const rocket = all.flatMap((g) => g.emojis).find((e) => e.native === "🚀");
    expect(rocket?.name).toBe("火箭");
    expect(found("rocket")).toContain("🚀");
  });
  it("has Chinese words for nearly every emoji of the picker", () => {
    const list = all.flatMap((g) => g.emojis);
    const named = list.filter((e) => /[\u4e00-\u9fff]/.test(e.name));
    expect(named.length / list.length).toBeGreaterThan(0.98);
  });
});
