import { QueryClient } from "@tanstack/react-query";
import { describe, expect, it } from "vitest";
import type { StreamEvent } from "../../lib/stream";
import {
  applyEvent,
  conversationsKey,
  type Message,
  mergeMessages,
  messagesKey,
  readCounts,
  type Window,
} from "./data";

const msg = (seq: number, extra: Partial<Message> = {}): Message => ({
  id: `msg_${seq}`,
  seq,
  body: `m${seq}`,
  html: `m${seq}`,
  client_msg_id: `c${seq}`,
  conversation_id: "cnv_1",
  created_at: seq,
  kind: "text",
  sender_id: "acc_b",
  ...extra,
});

const ev = (event: string, data: unknown, pos = 1): StreamEvent => ({
  type: "event",
  pos,
  event,
  scope_kind: "conversation",
  scope_id: "cnv_1",
  data: data as Record<string, unknown>,
  created_at: 0,
});

describe("mergeMessages", () => {
  it("orders by seq, replaces by id, and confirms a pending send by its client id", () => {
    const pending = msg(0, { id: "", client_msg_id: "mine", pending: true });
    let items = mergeMessages([msg(1), msg(3)], [msg(2), pending]);
    expect(items.map((m) => m.seq)).toEqual([1, 2, 3, 0]);
    items = mergeMessages(items, [msg(4, { client_msg_id: "mine", id: "msg_4" })]);
    expect(items.map((m) => m.id)).toEqual(["msg_1", "msg_2", "msg_3", "msg_4"]);
    expect(items[3].pending).toBe(false);
    items = mergeMessages(items, [msg(2, { body: "edited" })]);
    expect(items).toHaveLength(4);
    expect(items[1].body).toBe("edited");
  });
});

describe("applyEvent", () => {
  function setup() {
    const qc = new QueryClient();
    qc.setQueryData<Window>(messagesKey("cnv_1"), {
      items: [msg(1), msg(2)],
      hasBefore: false,
      hasAfter: false,
    });
    qc.setQueryData(conversationsKey, {
      items: [
        { id: "cnv_0", pinned: true, last_message_at: 1, created_at: 0, unread_count: 0, last_seq: 1 },
        { id: "cnv_1", pinned: false, last_message_at: 2, created_at: 0, unread_count: 0, last_seq: 2 },
        { id: "cnv_2", pinned: false, last_message_at: 5, created_at: 0, unread_count: 0, last_seq: 9 },
      ],
    });
    return qc;
  }
  const win = (qc: QueryClient) => qc.getQueryData<Window>(messagesKey("cnv_1"));

  it("adds a new message, counts it unread and moves the conversation up", () => {
    const qc = setup();
    const m = applyEvent(qc, ev("message.created", msg(3, { created_at: 10 })), "acc_me", "");
    expect(m?.id).toBe("msg_3");
    expect(win(qc)?.items.map((x) => x.seq)).toEqual([1, 2, 3]);
    const list = qc.getQueryData<{ items: { id: string; unread_count: number }[] }>(conversationsKey);
    expect(list?.items.map((c) => c.id)).toEqual(["cnv_0", "cnv_1", "cnv_2"]);
    expect(list?.items[1].unread_count).toBe(1);
    // My own message, or one in the open conversation, is not unread.
    expect(
      applyEvent(qc, ev("message.created", msg(4, { sender_id: "acc_me" })), "acc_me", ""),
    ).toBeUndefined();
  });

  it("applies edits, deletions, reactions and hiding", () => {
    const qc = setup();
    applyEvent(qc, ev("message.edited", msg(2, { body: "fixed", edited_at: 5 })), "acc_me", "");
    expect(win(qc)?.items[1].body).toBe("fixed");
    applyEvent(
      qc,
      ev("reaction.added", {
        conversation_id: "cnv_1",
        message_id: "msg_1",
        account_id: "acc_x",
        emoji: "👍",
      }),
      "acc_me",
      "",
    );
    applyEvent(
      qc,
      ev("reaction.added", {
        conversation_id: "cnv_1",
        message_id: "msg_1",
        account_id: "acc_me",
        emoji: "👍",
      }),
      "acc_me",
      "",
    );
    expect(win(qc)?.items[0].reactions).toEqual([{ emoji: "👍", count: 2, mine: true }]);
    applyEvent(
      qc,
      ev("reaction.removed", {
        conversation_id: "cnv_1",
        message_id: "msg_1",
        account_id: "acc_x",
        emoji: "👍",
      }),
      "acc_me",
      "",
    );
    expect(win(qc)?.items[0].reactions).toEqual([{ emoji: "👍", count: 1, mine: true }]);
    applyEvent(
      qc,
      ev("message.deleted", { conversation_id: "cnv_1", message_id: "msg_2", deleted_by: "acc_b" }),
      "acc_me",
      "",
    );
    expect(win(qc)?.items[1]).toMatchObject({ deleted: true, body: "" });
    applyEvent(
      qc,
      { ...ev("message.hidden", { conversation_id: "cnv_1", message_id: "msg_1" }), scope_kind: "account" },
      "acc_me",
      "",
    );
    expect(win(qc)?.items.map((x) => x.id)).toEqual(["msg_2"]);
  });

  it("counts readers from read positions", () => {
    const members = [
      { account_id: "acc_b", read_seq: 0, role: "", joined_at: 0 },
      { account_id: "acc_c", read_seq: 5, role: "", joined_at: 0 },
      { account_id: "acc_d", read_seq: 1, role: "", joined_at: 0 },
    ];
    expect(readCounts(msg(3), members)).toEqual({ read: 1, unread: 1 });
  });
});
