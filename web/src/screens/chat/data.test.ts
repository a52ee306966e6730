import { QueryClient } from "@tanstack/react-query";
import { describe, expect, it } from "vitest";
import type { StreamEvent } from "../../lib/stream";
import {
  applyEvent,
  bumpThread,
  type Conversation,
  conversationsKey,
  keepNewer,
  keepReadPositions,
  type Message,
  mergeMessages,
  messagesKey,
  notificationsKey,
  pinsKey,
  readCounts,
  removedKey,
  sortMembers,
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

  it("refreshes pins, notifications and edit histories when the stream says they changed", () => {
    const qc = setup();
    const stale = (key: readonly unknown[]) => qc.getQueryState(key)?.isInvalidated ?? false;
    const seed = () => {
      qc.setQueryData(pinsKey("cnv_1"), { items: [] });
      qc.setQueryData([...notificationsKey, "count"], { items: [], unread_count: 0 });
      qc.setQueryData(["edits", "cnv_1", "msg_2"], { items: [] });
    };
    seed();
    applyEvent(qc, ev("message.pinned", { conversation_id: "cnv_1", message_id: "msg_1" }), "acc_me", "");
    expect(win(qc)?.items[0].pinned).toBe(true);
    expect(stale(pinsKey("cnv_1"))).toBe(true);
    expect(stale([...notificationsKey, "count"])).toBe(false);

    seed();
    applyEvent(
      qc,
      {
        ...ev("notification.created", { conversation_id: "cnv_1", message_id: "msg_2" }),
        scope_kind: "account",
      },
      "acc_me",
      "",
    );
    expect(stale([...notificationsKey, "count"])).toBe(true);

    // Someone else reading changes nothing of mine; my own reading reads my notifications.
    seed();
    applyEvent(qc, ev("receipt.updated", { account_id: "acc_b", read_seq: 2 }), "acc_me", "");
    expect(stale([...notificationsKey, "count"])).toBe(false);
    applyEvent(qc, ev("receipt.updated", { account_id: "acc_me", read_seq: 2 }), "acc_me", "");
    expect(stale([...notificationsKey, "count"])).toBe(true);

    // A delete for everyone, or my leaving, takes notifications away.
    seed();
    applyEvent(qc, ev("message.deleted", { conversation_id: "cnv_1", message_id: "msg_2" }), "acc_me", "");
    expect(stale([...notificationsKey, "count"])).toBe(true);
    seed();
    applyEvent(
      qc,
      { ...ev("conversation.member_removed", { conversation_id: "cnv_1" }), scope_kind: "account" },
      "acc_me",
      "",
    );
    expect(stale([...notificationsKey, "count"])).toBe(true);

    seed();
    applyEvent(qc, ev("message.edited", msg(2, { body: "v2", edited_at: 9 })), "acc_me", "");
    expect(stale(["edits", "cnv_1", "msg_2"])).toBe(true);
    expect(stale(pinsKey("cnv_1"))).toBe(false);
  });
});

describe("sortMembers", () => {
  it("lists the owner, then admins, then members by when they joined", () => {
    const ms = [
      { account_id: "late", role: "member", read_seq: 0, joined_at: 30 },
      { account_id: "admin2", role: "admin", read_seq: 0, joined_at: 20 },
      { account_id: "early", role: "member", read_seq: 0, joined_at: 1 },
      { account_id: "owner", role: "owner", read_seq: 0, joined_at: 10 },
      { account_id: "admin1", role: "admin", read_seq: 0, joined_at: 5 },
    ];
    expect(sortMembers(ms).map((m) => m.account_id)).toEqual(["owner", "admin1", "admin2", "early", "late"]);
    expect(ms[0].account_id).toBe("late"); // the input is left as it was
  });
});

describe("keepReadPositions", () => {
  it("keeps a read position the stream moved while the list was being fetched", () => {
    const m = (account_id: string, read_seq: number) => ({
      account_id,
      read_seq,
      role: "member",
      joined_at: 0,
    });
    const cached = { items: [m("a", 7), m("b", 2), m("gone", 9)] };
    const fresh = { items: [m("a", 5), m("b", 4), m("new", 1)] };
    expect(keepReadPositions(cached, fresh).items).toEqual([m("a", 7), m("b", 4), m("new", 1)]);
    expect(keepReadPositions(undefined, fresh)).toBe(fresh);
  });
});

describe("removedKey", () => {
  it("tells a deleted message from an erased one, and shows any other", () => {
    expect(removedKey(msg(1, { deleted: true, content_erased: true }))).toBe("chat.deletedMessage");
    expect(removedKey(msg(1, { content_erased: true, body: "", html: "" }))).toBe("chat.erasedMessage");
    expect(removedKey(msg(1, { kind: "image", content_erased: true }))).toBe("chat.erasedMessage");
    expect(removedKey(msg(1, { body: "", html: "" }))).toBe("chat.deletedMessage");
    expect(removedKey(msg(1, { body: "", html: "", pending: true }))).toBeUndefined();
    expect(removedKey(msg(1, { kind: "image", body: "", html: "" }))).toBeUndefined();
    expect(removedKey(msg(1))).toBeUndefined();
  });
});

describe("keepNewer", () => {
  it("keeps what the stream counted after the server computed the list", () => {
    const base = { items: [] as Conversation[] };
    const conv = (id: string, last_seq: number, unread_count: number) =>
      ({ id, last_seq, unread_count, last_message_at: last_seq }) as unknown as Conversation;
    const fresh = { ...base, items: [conv("a", 29, 29), conv("b", 5, 0)] };
    const cached = { items: [conv("a", 30, 30), conv("b", 4, 1)] };
    const got = keepNewer(fresh, cached).items;
    expect(got[0]).toMatchObject({ id: "a", last_seq: 30, unread_count: 30 });
    // Where the server is as new or newer, the server wins.
    expect(got[1]).toMatchObject({ id: "b", last_seq: 5, unread_count: 0 });
    expect(keepNewer(fresh)).toBe(fresh);
  });
});

describe("bumpThread", () => {
  const m = (id: string, seq: number, root?: string, extra: Partial<Message> = {}): Message => ({
    id,
    seq,
    body: id,
    html: id,
    client_msg_id: id,
    conversation_id: "cnv_1",
    created_at: seq * 1000,
    kind: "text",
    sender_id: "acc_1",
    thread_root_id: root,
    ...extra,
  });
  it("counts a new reply on its root once, with the latest time", () => {
    const items = [m("root", 1, undefined, { thread_replies: 2, thread_last_reply_at: 1500 }), m("x", 2)];
    const once = bumpThread(items, m("r3", 5, "root"));
    expect(once[0].thread_replies).toBe(3);
    expect(once[0].thread_last_reply_at).toBe(5000);
    expect(bumpThread([...once, m("r3", 5, "root")], m("r3", 5, "root"))[0].thread_replies).toBe(3);
    expect(bumpThread(items, m("y", 6))).toBe(items);
    expect(bumpThread([m("root", 1)], m("r1", 2, "root"))[0].thread_replies).toBe(1);
  });
});
