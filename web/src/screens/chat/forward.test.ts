import type { TFunction } from "i18next";
import { describe, expect, it } from "vitest";
import type { Message } from "./data";
import { inHistoryOrder, recordLine, recordNames, recordTitle, toggleId } from "./forward";

const msg = (id: string, seq: number, extra: Partial<Message> = {}): Message => ({
  id,
  seq,
  body: id,
  html: id,
  client_msg_id: id,
  conversation_id: "cnv_1",
  created_at: seq,
  kind: "text",
  sender_id: "acc_1",
  ...extra,
});

// A t that shows the key and its values, to check which text is chosen.
const t = ((k: string, o?: Record<string, string>) =>
  o ? `${k}:${Object.values(o).join(",")}` : k) as TFunction;

const item = (sender_id: string, sender_name: string, body = "") => ({
  sender_id,
  sender_name,
  kind: "text",
  body,
  created_at: 1,
});

describe("forward selection", () => {
  it("toggles ids and stops at the limit", () => {
    expect(toggleId([], "a")).toEqual(["a"]);
    expect(toggleId(["a", "b"], "a")).toEqual(["b"]);
    expect(toggleId(["a", "b"], "c", 2)).toEqual(["a", "b"]);
    expect(toggleId(["a", "b"], "b", 2)).toEqual(["a"]);
  });
  it("sends the selection in history order, without what cannot be forwarded", () => {
    const items = [
      msg("m1", 1),
      msg("m2", 2, { deleted: true }),
      msg("m3", 3),
      msg("m4", 4, { pending: true }),
      msg("m5", 5, { content_erased: true }),
      msg("m6", 6),
    ];
    expect(inHistoryOrder(items, ["m6", "m2", "m1", "m4", "m5", "gone"])).toEqual(["m1", "m6"]);
  });
});

describe("chat record", () => {
  it("names its senders once each, in order", () => {
    expect(recordNames([item("a", "Ann"), item("b", "Bo"), item("a", "Ann"), item("c", "")], "?")).toEqual([
      "Ann",
      "Bo",
      "?",
    ]);
  });
  it("titles by one, two or more senders", () => {
    expect(recordTitle(t, { items: [] })).toBe("chat.record");
    expect(recordTitle(t, { items: [item("a", "Ann")] })).toBe("chat.recordTitleOne:Ann");
    expect(recordTitle(t, { items: [item("a", "Ann"), item("b", "Bo")] })).toBe("chat.recordTitleTwo:Ann,Bo");
    expect(recordTitle(t, { items: [item("a", "Ann"), item("b", "Bo"), item("c", "Cy")] })).toBe(
      "chat.recordTitleMore:Ann,Bo",
    );
  });
  it("previews a line per message, mentions as plain names", () => {
    expect(recordLine(t, item("a", "Ann", "hi @[Bo](acc_1) there"))).toBe("hi @Bo there");
    expect(recordLine(t, { ...item("a", "Ann"), kind: "image" })).toBe("chat.preview.image");
    expect(recordLine(t, { ...item("a", "Ann"), kind: "file", attachment: { name: "plan.pdf" } })).toBe(
      "chat.preview.file plan.pdf",
    );
    expect(recordLine(t, item("a", "Ann", "x".repeat(100)))).toHaveLength(81);
  });
});
