import i18n from "i18next";
import { describe, expect, it } from "vitest";
import type { Message } from "./data";
import { lastFromMessage, previewLine, previewText, relativeTime } from "./preview";

describe("previewText", () => {
  it("writes mentions as @Name and drops Markdown", () => {
    expect(previewText("Hi @[李雷](acc_0123456789abcdef0123456789abcdef), **please** read")).toBe(
      "Hi @李雷, please read",
    );
    expect(previewText("# Plan\n\n> quoted\n- one\n- two\n1. three")).toBe("Plan quoted one two three");
    expect(previewText("see [the doc](https://example.test/x) and `code` ~~old~~ _new_")).toBe(
      "see the doc and code old new",
    );
    expect(previewText("```\nlet x = 1\n```")).toBe("let x = 1");
    expect(previewText("snake_case_name stays")).toBe("snake_case_name stays");
  });
  it("shortens long text", () => {
    const s = previewText("字".repeat(300), 20);
    expect([...s]).toHaveLength(20);
    expect(s.endsWith("…")).toBe(true);
  });
});

describe("last message of a new message", () => {
  const base = {
    id: "m1",
    sender_id: "acc_a",
    created_at: 5,
    body: "",
    deleted: false,
  } as unknown as Message;
  it("marks messages without text", () => {
    expect(lastFromMessage({ ...base, kind: "image" }).preview).toBe("[Image]");
    expect(lastFromMessage({ ...base, kind: "file" }).preview).toBe("[File]");
    expect(lastFromMessage({ ...base, kind: "text", body: "**hi**" }).preview).toBe("hi");
  });
  it("shows markers in the reader's language", async () => {
    const t = i18n.getFixedT("zh");
    await i18n.changeLanguage("zh");
    const lm = lastFromMessage({ ...base, kind: "image" });
    expect(previewLine(t, lm)).toBe("[图片]");
    expect(previewLine(t, { ...lm, preview: "[File]" })).toBe("[文件]");
    expect(previewLine(i18n.getFixedT("en"), { ...lm, deleted: true })).toBe("Message deleted");
    await i18n.changeLanguage("en");
  });
});

describe("relativeTime", () => {
  it("says minutes and hours, then days", () => {
    const now = Date.UTC(2026, 11, 6, 12);
    expect(relativeTime(now - 5 * 60_000, now, "en")).toMatch(/5/);
    expect(relativeTime(now - 3 * 3_600_000, now, "en")).toMatch(/3/);
    expect(relativeTime(now - 20 * 86_400_000, now, "en")).not.toMatch(/ago/);
  });
});
