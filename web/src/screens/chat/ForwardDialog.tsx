import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { api, must } from "../../api/client";
import { Alert, Avatar, Dialog } from "../../components/ui";
import { errorText } from "../../lib/errors";
import { useConversationName } from "./ConversationList";
import {
  type Conversation,
  conversationsKey,
  listConversations,
  newClientId,
  sortConversations,
} from "./data";
import { MAX_FORWARD_TARGETS, toggleId } from "./forward";

function Target({
  c,
  checked,
  onToggle,
  q,
}: {
  c: Conversation;
  checked: boolean;
  onToggle: () => void;
  q: string;
}) {
  const { name } = useConversationName(c);
  if (q && !name.toLowerCase().includes(q.toLowerCase())) return null;
  return (
    <li>
      <label className="forward-target">
        <input type="checkbox" checked={checked} onChange={onToggle} />
        <Avatar name={name} id={c.kind === "direct" ? c.peer_id : undefined} small />
        <span>{name}</span>
      </label>
    </li>
  );
}

/**
 * ForwardDialog picks the conversations to forward messages to and sends
 * them: one message as a copy, several as one chat record.
 */
export function ForwardDialog({
  conversationId,
  messageIds,
  onClose,
  onDone,
}: {
  conversationId: string;
  messageIds?: string[];
  onClose: () => void;
  onDone: (count: number) => void;
}) {
  const { t } = useTranslation();
  const list = useQuery({ queryKey: conversationsKey, queryFn: listConversations, enabled: !!messageIds });
  const [q, setQ] = useState("");
  const [targets, setTargets] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  // One client id per opening: a retried send gives the same messages.
  const [clientId, setClientId] = useState(newClientId);
  const open = !!messageIds?.length;
  const close = () => {
    setTargets([]);
    setQ("");
    setError(null);
    setClientId(newClientId());
    onClose();
  };
  const send = async () => {
    if (!messageIds?.length || !targets.length) return;
    setBusy(true);
    setError(null);
    try {
      await must(
        api.POST("/api/v1/conversations/{id}/forward", {
          params: { path: { id: conversationId } },
          body: { client_msg_id: clientId, message_ids: messageIds, targets },
        }),
      );
      const n = targets.length;
      close();
      onDone(n);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const convs = sortConversations(list.data?.items ?? []).filter(
    (c) => !c.dissolved && !(c.kind === "direct" && (c.peer_gone || !c.peer_id)),
  );
  return (
    <Dialog open={open} title={t("chat.forwardTitle", { count: messageIds?.length ?? 0 })} onClose={close}>
      <div className="forward-dialog" data-testid="forward-dialog">
        <input
          type="search"
          className="input"
          placeholder={t("chat.findConversation")}
          aria-label={t("chat.findConversation")}
          value={q}
          onChange={(e) => setQ(e.target.value)}
        />
        {list.error ? <Alert>{errorText(t, list.error)}</Alert> : null}
        <ul className="forward-targets">
          {convs.map((c) => (
            <Target
              key={c.id}
              c={c}
              q={q.trim()}
              checked={targets.includes(c.id)}
              onToggle={() => setTargets((x) => toggleId(x, c.id, MAX_FORWARD_TARGETS))}
            />
          ))}
        </ul>
        {(messageIds?.length ?? 0) > 1 && <p className="muted small">{t("chat.forwardAsRecord")}</p>}
        {error ? <Alert>{errorText(t, error)}</Alert> : null}
        <div className="dialog-actions">
          <button type="button" className="btn" onClick={close}>
            {t("common.cancel")}
          </button>
          <button
            type="button"
            className="btn btn-primary"
            disabled={!targets.length || busy}
            onClick={() => void send()}
          >
            {targets.length ? t("chat.forwardSendTo", { count: targets.length }) : t("chat.send")}
          </button>
        </div>
      </div>
    </Dialog>
  );
}
