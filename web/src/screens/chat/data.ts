// Chat state in the TanStack Query cache, and how stream events change it.
//
// ["conversations"]            the conversation list (GET /conversations)
// ["messages", id]             a window of a conversation's history:
//                              { items (ascending seq), hasBefore, hasAfter }
// ["conv-members", id]         members with their read positions (receipts)
// ["pins", id]                 a conversation's pinned messages
// ["edits", id, message id]    earlier versions of an edited message
// ["notifications", …]         my notifications (pages and the unread count)
import type { QueryClient } from "@tanstack/react-query";
import { api, must, type Schemas } from "../../api/client";
import { queryClient } from "../../lib/query";
import type { StreamEvent } from "../../lib/stream";
import { type LastMessage, lastFromMessage } from "./preview";

export type Conversation = Schemas["ChatConversation"];
export type Message = Schemas["ChatMessage"] & {
  pending?: boolean;
  failed?: boolean;
  progress?: number;
  /** queued: written offline, waiting in the outbox for the network. */
  queued?: boolean;
};
export type Window = { items: Message[]; hasBefore: boolean; hasAfter: boolean };
export type Member = Schemas["ChatMember"];
export type MemberList = { items: Member[] };

export const PAGE = 50;
export const messagesKey = (id: string) => ["messages", id] as const;
export const membersKey = (id: string) => ["conv-members", id] as const;
export const conversationsKey = ["conversations"] as const;
export const pinsKey = (id: string) => ["pins", id] as const;
export const editsKey = (conversationId: string, messageId: string) =>
  ["edits", conversationId, messageId] as const;
export const notificationsKey = ["notifications"] as const;

export async function loadLatest(id: string): Promise<Window> {
  const h = await must(
    api.GET("/api/v1/conversations/{id}/messages", {
      params: { path: { id }, query: { limit: PAGE } as never },
    }),
  );
  return { items: h.items, hasBefore: h.has_before, hasAfter: h.has_after };
}

export async function loadBefore(id: string, seq: number) {
  return must(
    api.GET("/api/v1/conversations/{id}/messages", {
      params: { path: { id }, query: { before: seq, limit: PAGE } as never },
    }),
  );
}

export async function loadAfter(id: string, seq: number) {
  return must(
    api.GET("/api/v1/conversations/{id}/messages", {
      params: { path: { id }, query: { after: seq, limit: PAGE } as never },
    }),
  );
}

export async function loadAround(id: string, messageId: string): Promise<Window> {
  const h = await must(
    api.GET("/api/v1/conversations/{id}/messages", {
      params: { path: { id }, query: { around: messageId, limit: PAGE } as never },
    }),
  );
  return { items: h.items, hasBefore: h.has_before, hasAfter: h.has_after };
}

export async function listConversations() {
  const fresh = await must(api.GET("/api/v1/conversations"));
  return keepNewer(fresh, queryClient.getQueryData<{ items: Conversation[] }>(conversationsKey));
}

/**
 * keepNewer mends a list the server computed before messages the cache has
 * already counted from the stream (a refetch crossing an event): where the
 * cache knows a later message, its last message, sequence and unread count
 * stand, so a count never slips back by the message that raced the refetch.
 */
export function keepNewer<L extends { items: Conversation[] }>(
  fresh: L,
  cached?: { items: Conversation[] },
): L {
  if (!cached) return fresh;
  const old = new Map(cached.items.map((c) => [c.id, c]));
  return {
    ...fresh,
    items: fresh.items.map((c) => {
      const o = old.get(c.id);
      return o && o.last_seq > c.last_seq
        ? {
            ...c,
            last_seq: o.last_seq,
            last_message_at: o.last_message_at,
            last_message: o.last_message,
            unread_count: o.unread_count,
          }
        : c;
    }),
  };
}

/** mergeMessages inserts or replaces messages by id (and pending ones by client id), keeping seq order. */
export function mergeMessages(items: Message[], add: Message[]): Message[] {
  const out = items.slice();
  for (const m of add) {
    const i = out.findIndex(
      (x) => x.id === m.id || (!!m.client_msg_id && x.client_msg_id === m.client_msg_id),
    );
    if (i >= 0) out[i] = { ...out[i], ...m, pending: m.pending ?? false, failed: m.failed ?? false };
    else out.push(m);
  }
  // Pending messages stay last until the server gives them a place (a stable sort).
  return out.sort(
    (a, b) => (a.pending ? 1 : 0) - (b.pending ? 1 : 0) || (a.pending || b.pending ? 0 : a.seq - b.seq),
  );
}

/**
 * bumpThread counts a reply that just arrived on its thread's first
 * message, when the reply is new to items (the stream may repeat it).
 */
export function bumpThread(items: Message[], m: Message): Message[] {
  if (!m.thread_root_id || items.some((x) => x.id === m.id)) return items;
  return items.map((x) =>
    x.id === m.thread_root_id
      ? {
          ...x,
          thread_replies: (x.thread_replies ?? 0) + 1,
          thread_last_reply_at: Math.max(x.thread_last_reply_at ?? 0, m.created_at),
        }
      : x,
  );
}

function updateWindow(qc: QueryClient, convId: string, fn: (w: Window) => Window) {
  qc.setQueryData<Window>(messagesKey(convId), (w) => (w ? fn(w) : w));
}

function updateMessage(qc: QueryClient, convId: string, id: string, fn: (m: Message) => Message) {
  updateWindow(qc, convId, (w) => ({ ...w, items: w.items.map((m) => (m.id === id ? fn(m) : m)) }));
}

/** updateLast changes a conversation's last message in the list when it is the message id. */
function updateLast(qc: QueryClient, convId: string, id: string, fn: (lm: LastMessage) => LastMessage) {
  qc.setQueryData<{ items: Conversation[] }>(conversationsKey, (l) =>
    l
      ? {
          ...l,
          items: l.items.map((c) =>
            c.id === convId && c.last_message?.id === id ? { ...c, last_message: fn(c.last_message) } : c,
          ),
        }
      : l,
  );
}

/**
 * applyEvent folds one stream event into the cache. It returns the message
 * when the event is a new message (for notifications).
 */
export function applyEvent(
  qc: QueryClient,
  e: StreamEvent,
  me: string,
  openConversation: string,
): Message | undefined {
  const d = e.data as Record<string, unknown>;
  const convId = (d.conversation_id as string) ?? (e.scope_kind === "conversation" ? e.scope_id : "");
  switch (e.event) {
    case "message.created": {
      const m = d as unknown as Message;
      // Only a window that already reaches the newest message grows.
      updateWindow(qc, m.conversation_id, (w) => {
        const items = bumpThread(w.items, m);
        return w.hasAfter ? { ...w, items } : { ...w, items: mergeMessages(items, [m]) };
      });
      qc.setQueryData<{ items: Conversation[] }>(conversationsKey, (l) => {
        if (!l) return l;
        const found = l.items.some((c) => c.id === m.conversation_id);
        if (!found) {
          void qc.invalidateQueries({ queryKey: conversationsKey });
          return l;
        }
        const items = l.items.map((c) =>
          c.id === m.conversation_id
            ? {
                ...c,
                last_seq: Math.max(c.last_seq, m.seq),
                last_message_at: m.created_at,
                last_message:
                  !c.last_message || c.last_message.created_at <= m.created_at
                    ? lastFromMessage(m)
                    : c.last_message,
                unread_count:
                  m.sender_id === me || openConversation === c.id ? c.unread_count : c.unread_count + 1,
              }
            : c,
        );
        return { ...l, items: sortConversations(items) };
      });
      return m.sender_id === me ? undefined : m;
    }
    case "message.edited": {
      const m = d as unknown as Message;
      updateMessage(qc, m.conversation_id, m.id, (x) => ({ ...x, ...m }));
      updateLast(qc, m.conversation_id, m.id, (lm) => ({ ...lm, preview: lastFromMessage(m).preview }));
      void qc.invalidateQueries({ queryKey: editsKey(m.conversation_id, m.id) });
      if (m.pinned) void qc.invalidateQueries({ queryKey: pinsKey(m.conversation_id) });
      return undefined;
    }
    case "message.deleted":
      updateLast(qc, convId, d.message_id as string, (lm) => ({ ...lm, deleted: true, preview: "" }));
      updateMessage(qc, convId, d.message_id as string, (x) => ({
        ...x,
        deleted: true,
        body: "",
        html: "",
        attachment: null,
        reactions: [],
        deleted_by: d.deleted_by as string,
      }));
      void qc.invalidateQueries({ queryKey: pinsKey(convId) });
      // A message deleted for everyone takes its notifications with it.
      void qc.invalidateQueries({ queryKey: notificationsKey });
      return undefined;
    case "message.hidden":
      updateWindow(qc, convId, (w) => ({ ...w, items: w.items.filter((m) => m.id !== d.message_id) }));
      // The list's last message was deleted for me: the server knows the one before.
      if (
        qc
          .getQueryData<{ items: Conversation[] }>(conversationsKey)
          ?.items.some((c) => c.id === convId && c.last_message?.id === d.message_id)
      )
        void qc.invalidateQueries({ queryKey: conversationsKey });
      return undefined;
    case "message.pinned":
    case "message.unpinned":
      updateMessage(qc, convId, d.message_id as string, (x) => ({
        ...x,
        pinned: e.event === "message.pinned",
      }));
      void qc.invalidateQueries({ queryKey: pinsKey(convId) });
      return undefined;
    case "reaction.added":
    case "reaction.removed": {
      const on = e.event === "reaction.added";
      const emoji = d.emoji as string;
      const mine = d.account_id === me;
      updateMessage(qc, convId, d.message_id as string, (x) => {
        const rs = (x.reactions ?? []).map((r) => ({ ...r }));
        let r = rs.find((y) => y.emoji === emoji);
        if (!r) {
          r = { emoji, count: 0, mine: false };
          rs.push(r);
        }
        if (mine && r.mine === on) return x; // already applied optimistically
        r.count += on ? 1 : -1;
        if (mine) r.mine = on;
        return { ...x, reactions: rs.filter((y) => y.count > 0) };
      });
      return undefined;
    }
    case "receipt.updated":
      qc.setQueryData<MemberList>(membersKey(convId), (l) =>
        l
          ? {
              ...l,
              items: l.items.map((m) =>
                m.account_id === d.account_id
                  ? { ...m, read_seq: Math.max(m.read_seq, d.read_seq as number) }
                  : m,
              ),
            }
          : l,
      );
      if (d.account_id === me) {
        qc.setQueryData<{ items: Conversation[] }>(conversationsKey, (l) =>
          l
            ? {
                ...l,
                items: l.items.map((c) =>
                  c.id === convId ? { ...c, read_seq: d.read_seq as number, unread_count: 0 } : c,
                ),
              }
            : l,
        );
      }
      void qc.invalidateQueries({ queryKey: ["receipts", convId] });
      // Reading a conversation reads its notifications too.
      if (d.account_id === me) void qc.invalidateQueries({ queryKey: notificationsKey });
      return undefined;
    case "message.saved":
    case "message.unsaved":
      // My saved messages, changed on another device (Saved.tsx: savedKey).
      void qc.invalidateQueries({ queryKey: ["saved-messages"] });
      return undefined;
    case "notification.created":
    case "notification.read":
      void qc.invalidateQueries({ queryKey: notificationsKey });
      return undefined;
    case "conversation.cleared":
      void qc.invalidateQueries({ queryKey: messagesKey(convId) });
      void qc.invalidateQueries({ queryKey: conversationsKey });
      void qc.invalidateQueries({ queryKey: pinsKey(convId) });
      void qc.invalidateQueries({ queryKey: notificationsKey });
      return undefined;
    default:
      if (e.event.startsWith("conversation.")) {
        void qc.invalidateQueries({ queryKey: conversationsKey });
        // Leaving or being removed hides that conversation's notifications.
        if (e.event === "conversation.member_removed")
          void qc.invalidateQueries({ queryKey: notificationsKey });
        if (convId) {
          void qc.invalidateQueries({ queryKey: ["conversation", convId] });
          void qc.invalidateQueries({ queryKey: membersKey(convId) });
        }
      }
      return undefined;
  }
}

/** sortConversations: pinned first, then the most recent activity. */
export function sortConversations(items: Conversation[]): Conversation[] {
  return items
    .slice()
    .sort(
      (a, b) =>
        Number(b.pinned) - Number(a.pinned) ||
        (b.last_message_at || b.created_at) - (a.last_message_at || a.created_at),
    );
}

/** readCounts tells, for a message, how many other members have read it and how many have not. */
export function readCounts(m: Message, members: Member[]): { read: number; unread: number } {
  let read = 0;
  let unread = 0;
  for (const x of members) {
    if (x.account_id === m.sender_id) continue;
    if (x.read_seq >= m.seq) read++;
    else unread++;
  }
  return { read, unread };
}

/**
 * keepReadPositions merges a fresh member list with the cached one: a read
 * position only moves forward, so one the stream applied while the list
 * was being fetched is kept rather than overwritten by the older answer.
 */
export function keepReadPositions(cached: MemberList | undefined, fresh: MemberList): MemberList {
  if (!cached) return fresh;
  const seen = new Map(cached.items.map((m) => [m.account_id, m.read_seq]));
  return {
    ...fresh,
    items: fresh.items.map((m) => {
      const r = seen.get(m.account_id) ?? 0;
      return r > m.read_seq ? { ...m, read_seq: r } : m;
    }),
  };
}

const ROLE_ORDER: Record<string, number> = { owner: 0, admin: 1 };

/** sortMembers puts the owner first, then admins, then the others by when they joined. */
export function sortMembers(members: Member[]): Member[] {
  return members
    .slice()
    .sort((a, b) => (ROLE_ORDER[a.role] ?? 2) - (ROLE_ORDER[b.role] ?? 2) || a.joined_at - b.joined_at);
}

/** newClientId is a unique id for a send, so retries never post twice. */
export function newClientId(): string {
  return `web-${crypto.randomUUID()}`;
}

/**
 * removedKey is the i18n key of the text shown instead of a message that
 * has no content to show: deleted for everyone, or erased (the key that
 * sealed it was destroyed, content_erased). Undefined for a message to show.
 */
export function removedKey(
  m: Pick<Message, "deleted" | "content_erased" | "kind" | "body" | "html" | "pending">,
): "chat.deletedMessage" | "chat.erasedMessage" | undefined {
  if (m.deleted) return "chat.deletedMessage";
  if (m.content_erased) return "chat.erasedMessage";
  // Erased with its author's account before content_erased existed.
  if (m.kind === "text" && !m.body && !m.html && !m.pending) return "chat.deletedMessage";
  return undefined;
}
