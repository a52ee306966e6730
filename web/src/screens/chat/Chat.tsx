import { useQuery } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { icons } from "../../components/icons";
import { Alert } from "../../components/ui";
import { errorText } from "../../lib/errors";
import { useRealtime } from "../../lib/realtime";
import { ConversationList } from "./ConversationList";
import { ConversationView } from "./ConversationView";
import { conversationsKey, listConversations, sortConversations } from "./data";
import { NewChat } from "./NewChat";
import { Search } from "./Search";

/** Chat is the messaging screen: the conversation list beside the open conversation (one at a time on phones). */
export function Chat({
  id,
  at,
  search,
  conversation,
}: {
  id?: string;
  at?: string;
  search?: boolean;
  conversation?: string;
}) {
  const { t } = useTranslation();
  const { status } = useRealtime();
  const list = useQuery({ queryKey: conversationsKey, queryFn: listConversations });
  const [creating, setCreating] = useState(false);
  const items = sortConversations(list.data?.items ?? []);
  const open = !!id || !!search;
  return (
    <div className={open ? "chat has-open" : "chat"}>
      <aside className="chat-side" aria-labelledby="chat-title">
        <div className="chat-side-head">
          <h1 id="chat-title" className="chat-title">
            {t("nav.chat")}
          </h1>
          {status !== "live" && (
            <span className="badge badge-muted" role="status">
              {status === "connecting" ? t("chat.connecting") : t("chat.reconnecting")}
            </span>
          )}
          <Link to="/chat/search" search={{}} className="icon-button" aria-label={t("chat.search")}>
            {icons.search}
          </Link>
          <button
            type="button"
            className="icon-button"
            aria-label={t("chat.newChat")}
            onClick={() => setCreating(true)}
          >
            {icons.plus}
          </button>
        </div>
        {list.error && <Alert>{errorText(t, list.error)}</Alert>}
        <ConversationList items={items} activeId={id} />
      </aside>
      <div className="chat-main">
        {search ? (
          <Search conversation={conversation} />
        ) : id ? (
          <ConversationView key={id} id={id} at={at} />
        ) : (
          <div className="chat-empty">
            <p className="muted">{t("chat.pick")}</p>
            <button type="button" className="btn btn-primary" onClick={() => setCreating(true)}>
              {t("chat.newChat")}
            </button>
          </div>
        )}
      </div>
      <NewChat open={creating} onClose={() => setCreating(false)} />
    </div>
  );
}
