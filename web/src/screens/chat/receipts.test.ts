import { describe, expect, it } from "vitest";
import type { Message } from "./data";
import { receiptRunEnds } from "./receipts";

const msg = (id: string, sender: string, extra: Partial<Message> = {}): Message => ({
  id,
  seq: 1,
  body: id,
  html: id,
  client_msg_id: id,
  conversation_id: "cnv_1",
  created_at: 1,
  kind: "text",
  sender_id: sender,
  ...extra,
});

describe("receiptRunEnds", () => {
  it("puts one receipt on the last of each run of my messages", () => {
    const items = [
      msg("a1", "me"),
      msg("a2", "me"),
      msg("a3", "me"),
      msg("b1", "bob"),
      msg("a4", "me"),
      msg("b2", "bob"),
      msg("b3", "bob"),
      msg("a5", "me"),
      msg("a6", "me"),
    ];
    expect([...receiptRunEnds(items, "me")]).toEqual(["a3", "a4", "a6"]);
  });
  it("skips messages still sending, failed or deleted at the end of a run", () => {
    const items = [
      msg("a1", "me"),
      msg("a2", "me", { deleted: true }),
      msg("b1", "bob"),
      msg("a3", "me"),
      msg("", "me", { pending: true }),
      msg("a4", "me", { failed: true }),
    ];
    expect([...receiptRunEnds(items, "me")]).toEqual(["a1", "a3"]);
  });
  it("shows nothing for 30 messages but the last", () => {
    const items = Array.from({ length: 30 }, (_, i) => msg(`m${i}`, "me"));
    expect([...receiptRunEnds(items, "me")]).toEqual(["m29"]);
    expect(receiptRunEnds([msg("b", "bob")], "me").size).toBe(0);
  });
});
