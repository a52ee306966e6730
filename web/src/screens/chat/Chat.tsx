import { useQuery } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { icons } from "../../components/icons";
import { Alert } from "../../components/ui";
import { errorText } from "../../lib/errors";
import { useRealtime } from "../../lib/realtime";
import { ConversationList } from "./ConversationList";
import { ConversationView } from "./ConversationView";
import { conversationsKey, listConversations, sortConversations } from "./data";
import { NewChat } from "./NewChat";
import { QuickSwitcher, ShortcutsHelp } from "./QuickSwitcher";
import { Saved } from "./Saved";
import { Search } from "./Search";
import { isField, shortcutFor } from "./shortcuts";
import { tabTitle, unreadTotal } from "./unread";

/** Chat is the messaging screen: the conversation list beside the open conversation (one at a time on phones). */
export function Chat({
  id,
  at,
  search,
  saved,
  conversation,
}: {
  id?: string;
  at?: string;
  search?: boolean;
  saved?: boolean;
  conversation?: string;
}) {
  const { t } = useTranslation();
  const { status } = useRealtime();
  const list = useQuery({ queryKey: conversationsKey, queryFn: listConversations });
  const [creating, setCreating] = useState(false);
  const items = sortConversations(list.data?.items ?? []);
  const open = !!id || !!search || !!saved;
  const [switcher, setSwitcher] = useState(false);
  const [help, setHelp] = useState(false);
  const unread = unreadTotal(items);
  useEffect(() => {
    document.title = tabTitle("Atrium", unread);
    return () => {
      document.title = "Atrium";
    };
  }, [unread]);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const s = shortcutFor({
        key: e.key,
        ctrlKey: e.ctrlKey,
        metaKey: e.metaKey,
        altKey: e.altKey,
        inField: isField(e.target),
        inDialog: !!document.querySelector("dialog[open], [role=menu]"),
      });
      if (!s || e.defaultPrevented) return;
      e.preventDefault();
      if (s === "switcher") setSwitcher(true);
      else if (s === "help") setHelp(true);
      else window.dispatchEvent(new Event("atrium:mark-read"));
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);
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
          <Link to="/chat/saved" className="icon-button" aria-label={t("chat.saved.title")}>
            {icons.bookmark}
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
        ) : saved ? (
          <Saved />
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
      <QuickSwitcher
        open={switcher}
        items={items.filter((c) => !c.dissolved)}
        onClose={() => setSwitcher(false)}
      />
      <ShortcutsHelp open={help} onClose={() => setHelp(false)} />
    </div>
  );
}
