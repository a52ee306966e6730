// Sending a drive item into a chat: a download link to it, posted as a
// card in the conversation chosen (its members open it through the link).
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { api, must } from "../../api/client";
import { Alert, Dialog } from "../../components/ui";
import { errorText } from "../../lib/errors";
import { useConversationName } from "../chat/ConversationList";
import {
  type Conversation,
  conversationsKey,
  listConversations,
  newClientId,
  sortConversations,
} from "../chat/data";
import { drive, formatBytes, type Item, linkURL } from "./api";
import { useDriveSettings } from "./data";

function Target({ c, q, onPick, busy }: { c: Conversation; q: string; onPick: () => void; busy: boolean }) {
  const { name } = useConversationName(c);
  if (q && !name.toLowerCase().includes(q.toLowerCase())) return null;
  return (
    <li>
      <button type="button" className="drive-picker-folder" disabled={busy} onClick={onPick}>
        {name}
      </button>
    </li>
  );
}

/** SendToChat picks a conversation and posts a link to item there. */
export function SendToChat({ item, onClose }: { item: Item | null; onClose: () => void }) {
  const { t } = useTranslation();
  const settings = useDriveSettings();
  const list = useQuery({ queryKey: conversationsKey, queryFn: listConversations, enabled: !!item });
  const [q, setQ] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [sent, setSent] = useState(false);
  const close = () => {
    setQ("");
    setError(null);
    setSent(false);
    onClose();
  };
  const send = async (c: Conversation) => {
    if (!item) return;
    setBusy(true);
    setError(null);
    try {
      const l = await drive.createLink(item.id, { permission: item.kind === "file" ? "download" : "view" });
      await must(
        api.POST("/api/v1/conversations/{id}/messages", {
          params: { path: { id: c.id } },
          body: {
            client_msg_id: newClientId(),
            kind: "card",
            card: {
              url: linkURL(l.token ?? ""),
              title: item.name,
              description: item.kind === "file" ? formatBytes(item.size) : t("drive.folder"),
            },
          },
        }),
      );
      setSent(true);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const off = settings.data?.link_sharing === "none";
  const convs = sortConversations(list.data?.items ?? []).filter((c) => !c.dissolved);
  return (
    <Dialog open={!!item} title={t("drive.sendTitle", { name: item?.name ?? "" })} onClose={close}>
      <div className="forward-dialog" data-testid="drive-send">
        {off ? (
          <Alert kind="info">{t("drive.linksOff")}</Alert>
        ) : sent ? (
          <Alert kind="ok">{t("drive.sent")}</Alert>
        ) : (
          <>
            <p className="muted small">{t("drive.sendHint")}</p>
            <input
              type="search"
              className="input"
              placeholder={t("chat.findConversation")}
              aria-label={t("chat.findConversation")}
              value={q}
              onChange={(e) => setQ(e.target.value)}
            />
            <ul className="drive-picker-list">
              {convs.map((c) => (
                <Target key={c.id} c={c} q={q.trim()} busy={busy} onPick={() => void send(c)} />
              ))}
            </ul>
          </>
        )}
        {error ? <Alert>{errorText(t, error)}</Alert> : null}
        <div className="dialog-actions">
          <button type="button" className="btn" onClick={close}>
            {t("common.close")}
          </button>
        </div>
      </div>
    </Dialog>
  );
}
