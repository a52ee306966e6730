import { describe, expect, it } from "vitest";
import type { Message } from "./data";
import { scrollStep } from "./useListScroll";

const msg = (seq: number, extra: Partial<Message> = {}): Message => ({
  id: `msg_${seq}`,
  seq,
  body: "x",
  html: "x",
  client_msg_id: `c${seq}`,
  conversation_id: "cnv_1",
  created_at: seq,
  kind: "text",
  sender_id: "acc_b",
  ...extra,
});
const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => msg(a + i));
const ctx = { highlight: "", atBottom: false, myId: "acc_me" };

describe("scrollStep", () => {
  it("starts at the bottom, or at the message jumped to", () => {
    const first = { total: 0, length: 0 };
    expect(scrollStep(first, range(1, 5), 360, ctx)).toEqual({ kind: "to", index: 4, align: "end" });
    expect(scrollStep(first, range(1, 5), 360, { ...ctx, highlight: "msg_2" })).toEqual({
      kind: "to",
      index: 1,
      align: "center",
    });
    expect(scrollStep(first, [], 0, ctx)).toEqual({ kind: "none" });
  });

  it("keeps the view steady when older messages arrive above", () => {
    const prev = { first: "msg_6", total: 360, length: 5 };
    expect(scrollStep(prev, range(1, 10), 720, ctx)).toEqual({ kind: "by", delta: 360 });
  });

  it("follows a new message only when at the bottom, or when I sent it", () => {
    const prev = { first: "msg_1", total: 360, length: 5 };
    expect(scrollStep(prev, range(1, 6), 432, ctx)).toEqual({ kind: "none" });
    expect(scrollStep(prev, range(1, 6), 432, { ...ctx, atBottom: true })).toEqual({
      kind: "to",
      index: 5,
      align: "end",
    });
    const mine = [...range(1, 5), msg(6, { sender_id: "acc_me" })];
    expect(scrollStep(prev, mine, 432, ctx)).toEqual({ kind: "to", index: 5, align: "end" });
    const pending = [...range(1, 5), msg(6, { pending: true })];
    expect(scrollStep(prev, pending, 432, ctx)).toEqual({ kind: "to", index: 5, align: "end" });
  });

  it("stays put when a message changes in place", () => {
    const prev = { first: "msg_1", total: 360, length: 5 };
    expect(scrollStep(prev, range(1, 5), 380, { ...ctx, atBottom: true })).toEqual({ kind: "none" });
  });
});
