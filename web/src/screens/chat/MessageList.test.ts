import { describe, expect, it } from "vitest";
import type { Message } from "./data";
import { GROUP_GAP, startsGroup } from "./MessageList";

const msg = (extra: Partial<Message> = {}): Message => ({
  id: "msg_1",
  seq: 1,
  body: "x",
  html: "x",
  client_msg_id: "c1",
  conversation_id: "cnv_1",
  created_at: 1_000_000,
  kind: "text",
  sender_id: "acc_a",
  ...extra,
});

describe("startsGroup", () => {
  it("shows the sender on the first message, a new sender, after a pause, and on a reply", () => {
    const a = msg();
    expect(startsGroup(undefined, a)).toBe(true);
    expect(startsGroup(a, msg({ created_at: a.created_at + 1000 }))).toBe(false);
    expect(startsGroup(a, msg({ sender_id: "acc_b" }))).toBe(true);
    expect(startsGroup(a, msg({ created_at: a.created_at + GROUP_GAP + 1 }))).toBe(true);
    expect(startsGroup(a, msg({ reply_to_id: "msg_0" }))).toBe(true);
  });
});
