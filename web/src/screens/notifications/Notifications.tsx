import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { useTranslation } from "react-i18next";
import { api, must, type Schemas, withQuery } from "../../api/client";
import { Alert, Avatar, formatTime } from "../../components/ui";
import { errorText } from "../../lib/errors";
import { usePendingJoinRequests } from "../../lib/org";
import { type PersonName, personName, usePeople } from "../../lib/people";
import { plainText } from "../../lib/text";
import { useConversationName } from "../chat/ConversationList";
import { type Conversation, conversationsKey, listConversations, notificationsKey } from "../chat/data";

type Note = Schemas["ChatNotification"];

const PAGE = 30;

/**
 * Notifications lists my mentions and direct messages, newest first: who,
 * where, what they wrote, and whether I have read it. Opening one marks it
 * read and jumps to the message.
 */
export function Notifications({ unreadOnly }: { unreadOnly: boolean }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const list = useInfiniteQuery({
    queryKey: [...notificationsKey, "list", unreadOnly],
    queryFn: ({ pageParam }) =>
      must(
        api.GET(
          "/api/v1/notifications",
          withQuery({ unread: unreadOnly || undefined, cursor: pageParam || undefined, limit: PAGE }),
        ),
      ),
    initialPageParam: "",
    getNextPageParam: (p) => p.next_cursor || undefined,
  });
  const convs = useQuery({ queryKey: conversationsKey, queryFn: listConversations });
  const byConv = new Map((convs.data?.items ?? []).map((c) => [c.id, c]));
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];
  const unread = list.data?.pages[0]?.unread_count ?? 0;
  const people = usePeople(items.map((n) => n.sender_id));
  const joins = usePendingJoinRequests();
  const markRead = useMutation({
    mutationFn: (body: { message_ids?: string[]; all?: boolean }) =>
      must(api.POST("/api/v1/notifications/read", { body })),
    onSuccess: () => qc.invalidateQueries({ queryKey: notificationsKey }),
  });

  return (
    <section className="page" aria-labelledby="page-title">
      <div className="page-header">
        <h1 id="page-title">{t("notifications.title")}</h1>
        <button
          type="button"
          className="btn btn-small"
          disabled={unread === 0 || markRead.isPending}
          onClick={() => markRead.mutate({ all: true })}
        >
          {t("notifications.markAllRead")}
        </button>
      </div>
      <nav className="tabs" aria-label={t("notifications.filter")}>
        <Link
          to="/notifications"
          search={{}}
          className={unreadOnly ? "tab" : "tab active"}
          aria-current={unreadOnly ? undefined : "page"}
        >
          {t("notifications.all")}
        </Link>
        <Link
          to="/notifications"
          search={{ unread: true }}
          className={unreadOnly ? "tab active" : "tab"}
          aria-current={unreadOnly ? "page" : undefined}
        >
          {t("notifications.unread", { count: unread })}
        </Link>
      </nav>
      {joins > 0 && (
        <p className="note-joins" data-testid="join-requests-note">
          <Link to="/admin/$section" params={{ section: "requests" }} className="btn btn-small">
            {t("notifications.joinRequestsReview", { count: joins })}
          </Link>
        </p>
      )}
      {list.error && <Alert>{errorText(t, list.error)}</Alert>}
      {markRead.error && <Alert>{errorText(t, markRead.error)}</Alert>}
      {list.data && items.length === 0 && (
        <p className="muted">{unreadOnly ? t("notifications.noneUnread") : t("notifications.none")}</p>
      )}
      <ul className="note-list" aria-label={t("notifications.title")}>
        {items.map((n) => (
          <NoteRow
            key={`${n.message_id}`}
            n={n}
            conv={byConv.get(n.conversation_id)}
            sender={people.get(n.sender_id)}
            onOpen={() => {
              if (!n.read) markRead.mutate({ message_ids: [n.message_id] });
            }}
          />
        ))}
      </ul>
      {list.hasNextPage && (
        <button
          type="button"
          className="btn"
          disabled={list.isFetchingNextPage}
          onClick={() => void list.fetchNextPage()}
        >
          {t("common.more")}
        </button>
      )}
    </section>
  );
}

function NoteRow({
  n,
  conv,
  sender,
  onOpen,
}: {
  n: Note;
  conv?: Conversation;
  sender?: PersonName;
  onOpen: () => void;
}) {
  const { t, i18n } = useTranslation();
  const where = useConversationName(conv);
  const m = n.message;
  const who = personName(t, sender);
  const what = !m
    ? t("notifications.unavailable")
    : m.deleted
      ? t("chat.deletedMessage")
      : m.content_erased
        ? t("chat.erasedMessage")
        : m.body
          ? plainText(m.body)
          : m.kind === "location"
            ? t("chat.location")
            : t("chat.newAttachment");
  const headline =
    n.kind === "mention"
      ? t("notifications.mentioned", { name: who, where: where.name || "…" })
      : t("notifications.direct", { name: who });
  return (
    <li className={n.read ? "note" : "note note-unread"} data-testid="notification">
      <Link
        to="/chat/$id"
        params={{ id: n.conversation_id }}
        search={m ? { at: n.message_id } : {}}
        className="note-link"
        onClick={onOpen}
      >
        <Avatar name={who} gone={sender?.gone} id={sender?.id} photo={sender?.photo ?? ""} small />
        <span className="note-main">
          <span className="note-top">
            <span className="note-head">{headline}</span>
            <time className="muted small" dateTime={new Date(n.created_at).toISOString()}>
              {formatTime(n.created_at, i18n.language)}
            </time>
          </span>
          <span className={m && !m.deleted ? "note-text" : "note-text muted"}>{what}</span>
        </span>
        {!n.read && <span className="note-dot" role="img" aria-label={t("notifications.unreadMark")} />}
      </Link>
    </li>
  );
}
