// Reading: once the newest message of a conversation is on screen (the
// window reaches the end and the tab is visible), tell the server it was
// read, and clear the unread count in the caches at once.
import { type QueryClient, useQueryClient } from "@tanstack/react-query";
import { useEffect } from "react";
import { api, must } from "../../api/client";
import { type Conversation, conversationsKey, type Message } from "./data";

/** READ_DELAY lets a burst of arriving messages end in one read call. */
export const READ_DELAY = 300;

/**
 * readTarget is the message to mark read up to, or undefined when there is
 * nothing new: the last message the server has (not a pending draft), when
 * the window holds the end of the history and the message is past read_seq
 * (or the conversation was marked unread).
 */
export function readTarget(
  items: Message[],
  conv: (Pick<Conversation, "read_seq"> & { marked_unread?: boolean }) | undefined,
  hasAfter: boolean | undefined,
): Message | undefined {
  const last = items.filter((m) => !m.pending).at(-1);
  if (!last || !conv || hasAfter) return undefined;
  // A conversation I marked unread is read again once its end is on screen.
  if (last.seq <= conv.read_seq && !conv.marked_unread) return undefined;
  return last;
}

/** markReadInCache records a new read position in the conversation and the list. */
export function markReadInCache(qc: QueryClient, id: string, readSeq: number) {
  qc.setQueryData<Conversation>(["conversation", id], (c) =>
    c ? { ...c, read_seq: readSeq, unread_count: 0, marked_unread: false } : c,
  );
  qc.setQueryData<{
    items: { id: string; unread_count: number; read_seq: number; marked_unread: boolean }[];
  }>(conversationsKey, (l) =>
    l
      ? {
          ...l,
          items: l.items.map((c) =>
            c.id === id ? { ...c, unread_count: 0, read_seq: readSeq, marked_unread: false } : c,
          ),
        }
      : l,
  );
}

/** useMarkRead marks a conversation read while its newest messages are shown. */
export function useMarkRead(
  id: string,
  conv: Conversation | undefined,
  items: Message[],
  hasAfter: boolean | undefined,
) {
  const qc = useQueryClient();
  const lastSeen = items.filter((m) => !m.pending).at(-1);
  useEffect(() => {
    if (!lastSeen || document.hidden) return;
    const target = readTarget([lastSeen], conv, hasAfter);
    if (!target) return;
    const timer = setTimeout(() => {
      void must(
        api.POST("/api/v1/conversations/{id}/read", {
          params: { path: { id } },
          body: { up_to_message_id: target.id },
        }),
      )
        .then((r) => markReadInCache(qc, id, r.read_seq))
        .catch(() => undefined);
    }, READ_DELAY);
    return () => clearTimeout(timer);
  }, [lastSeen, conv, hasAfter, id, qc]);
}
