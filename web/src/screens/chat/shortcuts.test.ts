import { describe, expect, it } from "vitest";
import { resolveTheme } from "../../lib/theme";
import { type KeyInput, lastOwnMessage, matchConversations, moveActive, shortcutFor } from "./shortcuts";

const key = (k: string, extra: Partial<KeyInput> = {}): KeyInput => ({
  key: k,
  ctrlKey: false,
  metaKey: false,
  altKey: false,
  inField: false,
  inDialog: false,
  ...extra,
});

describe("shortcutFor", () => {
  it("opens the switcher with Ctrl+K or ⌘+K, even in a field", () => {
    expect(shortcutFor(key("k", { ctrlKey: true }))).toBe("switcher");
    expect(shortcutFor(key("K", { metaKey: true, inField: true }))).toBe("switcher");
    expect(shortcutFor(key("k"))).toBeUndefined();
  });
  it("leaves ? and Escape to fields and dialogs", () => {
    expect(shortcutFor(key("?"))).toBe("help");
    expect(shortcutFor(key("?", { inField: true }))).toBeUndefined();
    expect(shortcutFor(key("Escape"))).toBe("markRead");
    expect(shortcutFor(key("Escape", { inDialog: true }))).toBeUndefined();
  });
});

describe("the quick switcher", () => {
  const items = [
    { id: "1", name: "Design review" },
    { id: "2", name: "Launch team" },
    { id: "3", name: "Team lunch" },
  ];
  it("filters by name, names that start with the query first", () => {
    const found = matchConversations(items, (c) => c.name, "team");
    expect(found.map((c) => c.id)).toEqual(["3", "2"]);
    expect(matchConversations(items, (c) => c.name, "  ")).toHaveLength(3);
    expect(matchConversations(items, (c) => c.name, "zzz")).toHaveLength(0);
  });
  it("moves with the arrows, wrapping around", () => {
    expect(moveActive(0, 3, "ArrowDown")).toBe(1);
    expect(moveActive(2, 3, "ArrowDown")).toBe(0);
    expect(moveActive(0, 3, "ArrowUp")).toBe(2);
    expect(moveActive(5, 0, "ArrowUp")).toBe(0);
  });
});

describe("↑ edits my last message", () => {
  it("finds my newest text message that can be edited", () => {
    const ms = [
      { id: "a", sender_id: "me", kind: "text" },
      { id: "b", sender_id: "me", kind: "text" },
      { id: "c", sender_id: "me", kind: "image" },
      { id: "d", sender_id: "me", kind: "text", deleted: true },
      { id: "e", sender_id: "you", kind: "text" },
    ];
    expect(lastOwnMessage(ms, "me")?.id).toBe("b");
    expect(lastOwnMessage(ms, "nobody")).toBeUndefined();
  });
});

describe("theme", () => {
  it("follows the system unless chosen", () => {
    expect(resolveTheme("system", true)).toBe("dark");
    expect(resolveTheme("system", false)).toBe("light");
    expect(resolveTheme("light", true)).toBe("light");
    expect(resolveTheme("dark", false)).toBe("dark");
  });
});
