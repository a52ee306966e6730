import { Link } from "@tanstack/react-router";
import { useTranslation } from "react-i18next";
import { icons } from "../../components/icons";
import { Avatar, formatTime } from "../../components/ui";
import { usePerson } from "../../lib/people";
import { usePresence } from "../../lib/realtime";
import { useMe } from "../../lib/session";
import type { Conversation } from "./data";
import { loadDraft, useDraftVersion } from "./drafts";
import { previewLine, previewText, relativeTime } from "./preview";

/** useConversationName is a conversation's display name: the group's name, or the other person's. */
export function useConversationName(c: Conversation | undefined): { name: string; gone: boolean } {
  const { t } = useTranslation();
  const peer = usePerson(c?.kind === "direct" ? c.peer_id : undefined);
  if (!c) return { name: "", gone: false };
  if (c.kind !== "direct") return { name: c.name || t("chat.unnamedGroup"), gone: false };
  // A direct conversation whose other person is no longer in it: their account is gone.
  if (!c.peer_id) return { name: t("chat.deletedAccount"), gone: true };
  if (!peer) return { name: "…", gone: false };
  return peer.gone ? { name: t("chat.deletedAccount"), gone: true } : { name: peer.name, gone: false };
}

function Row({ c, active, myId, draft }: { c: Conversation; active: boolean; myId: string; draft: string }) {
  const { t, i18n } = useTranslation();
  const { name, gone } = useConversationName(c);
  const presence = usePresence(c.kind === "direct" ? c.peer_id : undefined);
  const lm = c.last_message ?? undefined;
  const sender = usePerson(lm && !lm.sender_name && c.kind !== "direct" ? lm.sender_id : undefined);
  const at = lm?.created_at || c.last_message_at;
  const who = !lm
    ? ""
    : lm.sender_id === myId
      ? t("chat.preview.you")
      : c.kind === "direct"
        ? ""
        : lm.sender_name || (sender?.gone ? t("chat.deletedAccount") : sender?.name) || "…";
  return (
    <li>
      <Link
        to="/chat/$id"
        params={{ id: c.id }}
        className={active ? "conv active" : "conv"}
        aria-current={active ? "page" : undefined}
        data-testid="conversation"
      >
        <span className="avatar-wrap">
          <Avatar name={name} gone={gone} id={c.kind === "direct" ? c.peer_id : undefined} />
          {presence && presence !== "offline" && (
            <span className={`presence-dot ${presence}`} aria-hidden="true" />
          )}
        </span>
        <span className="conv-main">
          <span className="conv-top">
            <span className="conv-name">{name}</span>
            <span className="conv-time muted small">
              {at ? (
                <time dateTime={new Date(at).toISOString()} title={formatTime(at, i18n.language)}>
                  {relativeTime(at, Date.now(), i18n.language)}
                </time>
              ) : (
                ""
              )}
            </span>
          </span>
          <span className="conv-bottom">
            {draft ? (
              <span className="muted small conv-preview" data-testid="preview">
                <span className="conv-draft" data-testid="draft-marker">
                  {t("chat.draft")}
                </span>{" "}
                {previewText(draft, 80)}
              </span>
            ) : lm ? (
              <span className="muted small conv-preview" data-testid="preview">
                {who && <span className="conv-sender">{who}: </span>}
                <span className={lm.deleted || lm.content_erased ? "conv-gone" : undefined}>
                  {previewLine(t, lm)}
                </span>
              </span>
            ) : (
              <span className="muted small conv-kind">
                {c.kind === "direct"
                  ? t("chat.kind.direct")
                  : c.kind === "internal"
                    ? t("chat.kind.internal")
                    : c.kind === "external"
                      ? t("chat.kind.external")
                      : t("chat.kind.general")}
                {c.kind !== "direct" && ` · ${t("chat.members", { count: c.member_count })}`}
              </span>
            )}
            {c.pinned && (
              <span className="conv-flag" title={t("chat.pinned")}>
                {icons.pin}
                <span className="sr-only">{t("chat.pinned")}</span>
              </span>
            )}
            {c.muted && (
              <span className="conv-flag" title={t("chat.muted")}>
                {icons.mute}
                <span className="sr-only">{t("chat.muted")}</span>
              </span>
            )}
            {c.unread_count > 0 ? (
              <span className={c.muted ? "unread muted-unread" : "unread"} data-testid="unread">
                {c.unread_count > 99 ? "99+" : c.unread_count}
                <span className="sr-only"> {t("chat.unread")}</span>
              </span>
            ) : (
              c.marked_unread && (
                <span
                  className="unread unread-dot"
                  data-testid="marked-unread"
                  title={t("chat.markedUnread")}
                >
                  <span className="sr-only">{t("chat.markedUnread")}</span>
                </span>
              )
            )}
          </span>
        </span>
      </Link>
    </li>
  );
}

/** ConversationList lists my conversations: pinned first, unread counts, muted shown. */
export function ConversationList({ items, activeId }: { items: Conversation[]; activeId?: string }) {
  const { t } = useTranslation();
  const myId = useMe().data?.id ?? "";
  useDraftVersion();
  if (items.length === 0) return <p className="muted empty-list">{t("chat.noConversations")}</p>;
  return (
    <ul className="conv-list" aria-label={t("chat.conversations")}>
      {items
        .filter((c) => !c.dissolved)
        .map((c) => (
          <Row
            key={c.id}
            c={c}
            active={c.id === activeId}
            myId={myId}
            draft={c.id === activeId ? "" : loadDraft(myId, c.id)}
          />
        ))}
    </ul>
  );
}
