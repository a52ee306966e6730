import { useInfiniteQuery } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { useTranslation } from "react-i18next";
import { api, must, withQuery } from "../../api/client";
import { Alert, formatTime } from "../../components/ui";
import { errorText } from "../../lib/errors";
import { useCan } from "../../lib/org";
import { type PersonName, personName, usePeople } from "../../lib/people";
import { plainText } from "../../lib/text";
import { type Announcement, announcementsKey, needsConfirm, useDepartmentNames } from "./data";

const PAGE = 20;

/**
 * AnnouncementList lists the announcements that reached me: pinned ones
 * first, then the newest, with what I have not read or still have to
 * confirm marked.
 */
export function AnnouncementList() {
  const { t } = useTranslation();
  const publisher = useCan("publish_announcements");
  const list = useInfiniteQuery({
    queryKey: [...announcementsKey, "list"],
    queryFn: ({ pageParam }) =>
      must(api.GET("/api/v1/announcements", withQuery({ cursor: pageParam || undefined, limit: PAGE }))),
    initialPageParam: "",
    getNextPageParam: (p) => p.next_cursor || undefined,
  });
  const pinned = list.data?.pages[0]?.pinned ?? [];
  const items = [...pinned, ...(list.data?.pages.flatMap((p) => p.items) ?? [])];
  const unread = list.data?.pages[0]?.unread ?? 0;
  const depts = useDepartmentNames();
  const people = usePeople(items.filter((a) => !a.signature_department_id).map((a) => a.author_id));
  return (
    <section className="page ann-wrap" aria-labelledby="page-title">
      <div className="page-header">
        <h1 id="page-title">{t("announcements.title")}</h1>
        {publisher && (
          <Link to="/announcements/manage" search={{}} className="btn btn-small">
            {t("announcements.manage")}
          </Link>
        )}
      </div>
      {unread > 0 && <p className="muted">{t("announcements.unreadCount", { count: unread })}</p>}
      {list.error && <Alert>{errorText(t, list.error)}</Alert>}
      {list.data && items.length === 0 && <p className="muted">{t("announcements.none")}</p>}
      <ul className="note-list" aria-label={t("announcements.title")}>
        {items.map((a) => (
          <Row
            key={a.id}
            a={a}
            from={a.signature_department_id ? depts.get(a.signature_department_id) : undefined}
            author={people.get(a.author_id)}
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

function Row({ a, from, author }: { a: Announcement; from?: string; author?: PersonName }) {
  const { t, i18n } = useTranslation();
  const unread = !a.read_at;
  const who = a.signature_department_id ? (from ?? "…") : personName(t, author);
  return (
    <li className={unread || needsConfirm(a) ? "note note-unread" : "note"} data-testid="announcement">
      <Link to="/announcements/$id" params={{ id: a.id }} className="note-link">
        <span className="note-main">
          <span className="note-top">
            <span className="note-head">{a.title}</span>
            <time className="muted small" dateTime={new Date(a.published_at).toISOString()}>
              {formatTime(a.published_at, i18n.language)}
            </time>
          </span>
          <span className="ann-badges">
            {a.pinned && <span className="badge">{t("announcements.pinned")}</span>}
            {a.category && <span className="badge badge-muted">{a.category}</span>}
            {needsConfirm(a) && <span className="badge badge-danger">{t("announcements.toConfirm")}</span>}
            {a.edited_at > 0 && <span className="muted small">{t("announcements.edited")}</span>}
            <span className="muted small">{who}</span>
          </span>
          <span className="note-text">{plainText(a.body.replace(/[#>*_`~[\]]/g, ""), 140)}</span>
        </span>
        {unread && <span className="note-dot" role="img" aria-label={t("announcements.unreadMark")} />}
      </Link>
    </li>
  );
}
