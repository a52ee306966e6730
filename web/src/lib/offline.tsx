// Being offline: the banner every screen shows, and the messages written
// meanwhile, kept in the outbox (lib/outbox.ts) and sent when the network
// is back.
import type { QueryClient } from "@tanstack/react-query";
import { useEffect, useState, useSyncExternalStore } from "react";
import { useTranslation } from "react-i18next";
import { api, must } from "../api/client";
import {
  conversationsKey,
  type Message,
  mergeMessages,
  messagesKey,
  type Window,
} from "../screens/chat/data";
import { IdbStore, MemoryStore, Outbox, type Queued } from "./outbox";

function subscribeOnline(f: () => void) {
  window.addEventListener("online", f);
  window.addEventListener("offline", f);
  return () => {
    window.removeEventListener("online", f);
    window.removeEventListener("offline", f);
  };
}

/** isOnline is the browser's idea of the network (true when it cannot tell). */
export function isOnline(): boolean {
  return typeof navigator === "undefined" || navigator.onLine !== false;
}

/** useOnline follows the browser's online state. */
export function useOnline(): boolean {
  return useSyncExternalStore(subscribeOnline, isOnline, () => true);
}

/** OfflineBanner tells that what shows is what was kept, and that sends wait. */
export function OfflineBanner() {
  const { t } = useTranslation();
  const online = useOnline();
  if (online) return null;
  return (
    <div className="offline-banner" role="status" data-testid="offline-banner">
      <strong>{t("offline.title")}</strong> {t("offline.body")}
    </div>
  );
}

/** queuedMessage is how a waiting message shows in its conversation. */
export function queuedMessage(q: Queued): Message {
  return {
    id: "",
    seq: Number.MAX_SAFE_INTEGER,
    client_msg_id: q.client_msg_id,
    conversation_id: q.conversation_id,
    sender_id: q.sender_id,
    created_at: q.queued_at,
    kind: "text",
    body: q.body,
    html: "",
    reply_to_id: q.reply_to_id,
    pending: true,
    queued: true,
  } as Message;
}

export const outbox = new Outbox<Message>(
  typeof indexedDB !== "undefined" ? new IdbStore() : new MemoryStore(),
  (q) =>
    must(
      api.POST("/api/v1/conversations/{id}/messages", {
        params: { path: { id: q.conversation_id } },
        body: { client_msg_id: q.client_msg_id, body: q.body, reply_to_id: q.reply_to_id },
      }),
    ),
);

/** withQueued adds a conversation's waiting messages to a window of its history. */
export async function withQueued(id: string, w: Window): Promise<Window> {
  try {
    const q = await outbox.forConversation(id);
    return q.length ? { ...w, items: mergeMessages(w.items, q.map(queuedMessage)) } : w;
  } catch {
    return w;
  }
}

/** flushOutbox sends what waits and puts the server's answers in place of the drafts. */
export async function flushOutbox(qc: QueryClient) {
  if (!isOnline()) return;
  const done = await outbox.flush();
  for (const s of done) {
    const m: Message = s.message
      ? { ...s.message, pending: false, failed: false, queued: false }
      : { ...queuedMessage(s.queued), queued: false, failed: true };
    qc.setQueryData<Window>(messagesKey(s.queued.conversation_id), (w) =>
      w ? { ...w, items: mergeMessages(w.items, [m]) } : w,
    );
  }
  if (done.length) void qc.invalidateQueries({ queryKey: conversationsKey });
}

/** useOutboxFlush sends waiting messages when the network comes back (and now and then while any wait). */
export function useOutboxFlush(qc: QueryClient) {
  const online = useOnline();
  const [waiting, setWaiting] = useState(0);
  useEffect(() => {
    const count = () =>
      void outbox.store.all().then(
        (a) => setWaiting(a.length),
        () => setWaiting(0),
      );
    count();
    return outbox.subscribe(count);
  }, []);
  useEffect(() => {
    if (!online || waiting === 0) return;
    void flushOutbox(qc);
    const timer = window.setInterval(() => void flushOutbox(qc), 15_000);
    return () => window.clearInterval(timer);
  }, [online, waiting, qc]);
}
