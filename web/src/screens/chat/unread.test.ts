import { describe, expect, it } from "vitest";
import type { Message } from "./data";
import { firstUnreadIndex, tabTitle, unreadTotal } from "./unread";
import { scrollStep } from "./useListScroll";

const msg = (seq: number, sender = "acc_b", extra: Partial<Message> = {}) =>
  ({ id: `m${seq}`, seq, sender_id: sender, created_at: seq, kind: "text", body: "", ...extra }) as Message;

describe("the new-messages line", () => {
  const items = [msg(1), msg(2, "acc_me"), msg(3), msg(4, "acc_me"), msg(5), msg(6)];
  it("goes before the first message past the read position that someone else sent", () => {
    expect(firstUnreadIndex(items, 2, "acc_me")).toBe(2);
    expect(firstUnreadIndex(items, 3, "acc_me")).toBe(4);
    expect(firstUnreadIndex(items, 6, "acc_me")).toBe(-1);
    expect(firstUnreadIndex([msg(1), msg(2, "acc_b", { deleted: true }), msg(3)], 1, "acc_me")).toBe(2);
  });
  it("is where the list starts, unless a message is jumped to", () => {
    const ctx = { highlight: "", atBottom: true, myId: "acc_me", unreadIndex: 2 };
    expect(scrollStep({ total: 0, length: 0 }, items, 500, ctx)).toEqual({
      kind: "to",
      index: 2,
      align: "start",
    });
    expect(scrollStep({ total: 0, length: 0 }, items, 500, { ...ctx, highlight: "m5" })).toEqual({
      kind: "to",
      index: 4,
      align: "center",
    });
    expect(scrollStep({ total: 0, length: 0 }, items, 500, { ...ctx, unreadIndex: -1 })).toEqual({
      kind: "to",
      index: 5,
      align: "end",
    });
  });
});

describe("the tab title", () => {
  it("counts unread messages of conversations that are not muted", () => {
    const n = unreadTotal([
      { unread_count: 2, muted: false, dissolved: false },
      { unread_count: 5, muted: true, dissolved: false },
      { unread_count: 1, muted: false, dissolved: false },
    ]);
    expect(n).toBe(3);
    expect(tabTitle("Atrium", n)).toBe("(3) Atrium");
    expect(tabTitle("Atrium", 0)).toBe("Atrium");
    expect(tabTitle("Atrium", 120)).toBe("(99+) Atrium");
  });
});
