import { useQuery } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, must } from "../../api/client";
import { Alert, Dialog, formatTime } from "../../components/ui";
import { errorText } from "../../lib/errors";
import { type PersonName, personName } from "../../lib/people";
import { type Message, newClientId, removedKey } from "./data";

/**
 * threadItems is a thread's replies, oldest first: those fetched when the
 * thread opened and those that arrived since through the stream (the
 * conversation's live window), each once.
 */
export function threadItems(rootId: string, fetched: Message[], live: Message[]): Message[] {
  const byId = new Map<string, Message>();
  for (const m of [...fetched, ...live]) {
    if (m.id && m.thread_root_id === rootId) byId.set(m.id, m);
  }
  return [...byId.values()].sort((a, b) => a.seq - b.seq);
}

/** ThreadDialog shows a message and the replies in its thread, and sends replies into it. */
export function ThreadDialog({
  conversationId,
  rootId,
  live,
  people,
  onClose,
}: {
  conversationId: string;
  rootId?: string;
  live: Message[];
  people: Map<string, PersonName>;
  onClose: () => void;
}) {
  const { t, i18n } = useTranslation();
  const [text, setText] = useState("");
  const [sent, setSent] = useState<Message[]>([]);
  const [error, setError] = useState<unknown>(null);
  const root = useQuery({
    queryKey: ["thread-root", conversationId, rootId],
    queryFn: () =>
      must(
        api.GET("/api/v1/conversations/{id}/messages/{message_id}", {
          params: { path: { id: conversationId, message_id: rootId ?? "" } },
        }),
      ),
    enabled: !!rootId,
  });
  const replies = useQuery({
    queryKey: ["thread", conversationId, rootId],
    queryFn: () =>
      must(
        api.GET("/api/v1/conversations/{id}/messages", {
          params: { path: { id: conversationId }, query: { thread_root_id: rootId, limit: 200 } as never },
        }),
      ),
    enabled: !!rootId,
  });
  const items = rootId ? threadItems(rootId, [...(replies.data?.items ?? []), ...sent], live) : [];
  const nameOf = (a: string) => personName(t, people.get(a));
  const send = async (e: FormEvent) => {
    e.preventDefault();
    const body = text.trim();
    if (!body || !rootId) return;
    setError(null);
    try {
      const m = await must(
        api.POST("/api/v1/conversations/{id}/messages", {
          params: { path: { id: conversationId } },
          body: { client_msg_id: newClientId(), body, thread_root_id: rootId },
        }),
      );
      setSent((s) => [...s, m]);
      setText("");
    } catch (err) {
      setError(err);
    }
  };
  const close = () => {
    setSent([]);
    setText("");
    setError(null);
    onClose();
  };
  const line = (m: Message) => (
    <li key={m.id} className="thread-item">
      <div className="muted small">
        <strong>{nameOf(m.sender_id)}</strong> · {formatTime(m.created_at, i18n.language)}
      </div>
      {removedKey(m) ? (
        <div className="muted">{t(removedKey(m) as string)}</div>
      ) : (
        // biome-ignore lint/security/noDangerouslySetInnerHtml: sanitized server-side (bluemonday)
        <div className="msg-text" dangerouslySetInnerHTML={{ __html: m.html }} />
      )}
    </li>
  );
  return (
    <Dialog open={!!rootId} title={t("chat.thread")} onClose={close} side>
      {(root.error || replies.error) && <Alert>{errorText(t, root.error ?? replies.error)}</Alert>}
      <ol className="thread-list" data-testid="thread">
        {root.data && line(root.data)}
        {items.length === 0 && replies.data && <li className="muted small">{t("chat.threadEmpty")}</li>}
        {items.map(line)}
      </ol>
      <form onSubmit={(e) => void send(e)} className="thread-form">
        {error ? <Alert>{errorText(t, error)}</Alert> : null}
        <label className="field-label" htmlFor="thread-reply">
          {t("chat.replyInThread")}
        </label>
        <textarea
          id="thread-reply"
          rows={2}
          value={text}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === "Enter" && !e.shiftKey && !e.nativeEvent.isComposing) {
              e.preventDefault();
              void send(e);
            }
          }}
        />
        <button type="submit" className="btn btn-primary" disabled={!text.trim()}>
          {t("chat.send")}
        </button>
      </form>
    </Dialog>
  );
}
