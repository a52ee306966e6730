import { Link } from "@tanstack/react-router";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { icons } from "../../components/icons";
import { StatusBadge } from "../../components/StatusBadge";
import type { PersonStatus } from "../../lib/notifySettings";
import { usePresence } from "../../lib/realtime";
import { useSetMine } from "./ConversationDetails";
import type { Conversation } from "./data";

/**
 * ConversationHeader is the bar above a conversation: its name, presence or
 * member count and topic, and the buttons to enable notifications, search
 * it, pin or mute it, and open its details.
 */
export function ConversationHeader({
  id,
  conv,
  name,
  onDetails,
  peerStatus,
}: {
  id: string;
  conv?: Conversation;
  name: string;
  onDetails: () => void;
  /** peerStatus is the other person's status in a direct conversation. */
  peerStatus?: PersonStatus | null;
}) {
  const { t } = useTranslation();
  const direct = conv?.kind === "direct";
  const presence = usePresence(direct ? conv?.peer_id : undefined);
  const setMine = useSetMine(id);
  const [notifyAsk, setNotifyAsk] = useState(
    typeof Notification !== "undefined" && Notification.permission === "default",
  );
  return (
    <header className="conv-header">
      <Link to="/chat" className="icon-button back-button" aria-label={t("chat.backToList")}>
        ←
      </Link>
      <div className="grow conv-title-wrap">
        <h1 id="conv-title" className="conv-title">
          {name}
        </h1>
        <div className="muted small">
          {direct
            ? presence === "online"
              ? t("chat.online")
              : presence === "away"
                ? t("chat.away")
                : t("chat.offline")
            : t("chat.members", { count: conv?.member_count ?? 0 })}
          {conv?.topic && ` · ${conv.topic}`}
          {direct && <StatusBadge status={peerStatus} />}
        </div>
      </div>
      {notifyAsk && (
        <button
          type="button"
          className="btn btn-small notify-button"
          onClick={async () => {
            await Notification.requestPermission();
            setNotifyAsk(false);
          }}
        >
          {t("chat.enableNotifications")}
        </button>
      )}
      {conv && (
        <Link
          to="/calendar"
          search={{ new: "1", conversation: id }}
          className="icon-button"
          aria-label={t("chat.scheduleMeeting")}
          title={t("chat.scheduleMeeting")}
        >
          {icons.calendar}
        </Link>
      )}
      <Link
        to="/chat/search"
        search={{ conversation: id }}
        className="icon-button"
        aria-label={t("chat.searchHere")}
      >
        {icons.search}
      </Link>
      <button
        type="button"
        className={conv?.pinned ? "icon-button on" : "icon-button"}
        aria-pressed={conv?.pinned ?? false}
        aria-label={t("chat.pinConversation")}
        onClick={() => setMine.mutate({ pinned: !conv?.pinned })}
      >
        {icons.pin}
      </button>
      <button
        type="button"
        className={conv?.muted ? "icon-button on" : "icon-button"}
        aria-pressed={conv?.muted ?? false}
        aria-label={t("chat.muteConversation")}
        onClick={() => setMine.mutate({ muted: !conv?.muted })}
      >
        {icons.mute}
      </button>
      <button
        type="button"
        className="icon-button"
        aria-label={direct ? t("chat.details.chatTitle") : t("chat.details.groupTitle")}
        aria-haspopup="dialog"
        onClick={onDetails}
        disabled={!conv}
      >
        {icons.info}
      </button>
    </header>
  );
}
