// Opening a conversation with unread messages: a "New messages" line goes
// before the first of them and the list starts there; the browser tab says
// how many messages wait in all.
import type { Conversation, Message } from "./data";

/**
 * firstUnreadIndex is the index of the first message past readSeq that
 * someone else sent, or -1 when nothing is unread.
 */
export function firstUnreadIndex(items: Message[], readSeq: number, myId: string): number {
  return items.findIndex((m) => !m.pending && m.seq > readSeq && m.sender_id !== myId && !m.deleted);
}

/** unreadTotal is the number of unread messages in conversations that are not muted. */
export function unreadTotal(items: Pick<Conversation, "unread_count" | "muted" | "dissolved">[]): number {
  return items.reduce((n, c) => n + (c.muted || c.dissolved ? 0 : c.unread_count), 0);
}

/** tabTitle is the browser tab's title with the unread total in front: "(3) Atrium". */
export function tabTitle(base: string, unread: number): string {
  if (unread <= 0) return base;
  return `(${unread > 99 ? "99+" : unread}) ${base}`;
}
