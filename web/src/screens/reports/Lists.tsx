import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import type { TFunction } from "i18next";
import { useTranslation } from "react-i18next";
import { api, must, withQuery } from "../../api/client";
import { Alert, formatTime } from "../../components/ui";
import { errorText } from "../../lib/errors";
import { type PersonName, personName, usePeople } from "../../lib/people";
import { type Report, reportsKey, shown, type Template, templatesQuery } from "./data";
import { ReportTabs } from "./Tabs";

const PAGE = 20;

/** ReportInbox lists the reports I received, newest first, the unread ones marked. */
export function ReportInbox() {
  const { t } = useTranslation();
  const list = useInfiniteQuery({
    queryKey: [...reportsKey, "inbox", "list"],
    queryFn: ({ pageParam }) =>
      must(api.GET("/api/v1/reports/inbox", withQuery({ cursor: pageParam || undefined, limit: PAGE }))),
    initialPageParam: "",
    getNextPageParam: (p) => p.next_cursor || undefined,
  });
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];
  const unread = list.data?.pages[0]?.unread ?? 0;
  const people = usePeople(items.map((r) => r.author_id));
  const templates = useTemplateNames();
  return (
    <section className="page rep-wrap" aria-labelledby="page-title">
      <h1 id="page-title">{t("reports.title")}</h1>
      <ReportTabs />
      {unread > 0 && <p className="muted">{t("reports.unreadCount", { count: unread })}</p>}
      {list.error && <Alert>{errorText(t, list.error)}</Alert>}
      {list.data && items.length === 0 && <p className="muted">{t("reports.inboxEmpty")}</p>}
      <ul className="note-list" aria-label={t("reports.inbox")}>
        {items.map((r) => (
          <Row key={r.id} r={r} template={templates.get(r.template_id)} who={people.get(r.author_id)} inbox />
        ))}
      </ul>
      <More list={list} />
    </section>
  );
}

/** MyReports lists the reports I wrote, drafts included, newest first. */
export function MyReports() {
  const { t } = useTranslation();
  const list = useInfiniteQuery({
    queryKey: [...reportsKey, "mine"],
    queryFn: ({ pageParam }) =>
      must(api.GET("/api/v1/reports", withQuery({ cursor: pageParam || undefined, limit: PAGE }))),
    initialPageParam: "",
    getNextPageParam: (p) => p.next_cursor || undefined,
  });
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];
  const templates = useTemplateNames();
  return (
    <section className="page rep-wrap" aria-labelledby="page-title">
      <h1 id="page-title">{t("reports.title")}</h1>
      <ReportTabs />
      {list.error && <Alert>{errorText(t, list.error)}</Alert>}
      {list.data && items.length === 0 && <p className="muted">{t("reports.mineEmpty")}</p>}
      <ul className="note-list" aria-label={t("reports.mine")}>
        {items.map((r) => (
          <Row key={r.id} r={r} template={templates.get(r.template_id)} />
        ))}
      </ul>
      <More list={list} />
    </section>
  );
}

function More({
  list,
}: {
  list: { hasNextPage: boolean; isFetchingNextPage: boolean; fetchNextPage: () => Promise<unknown> };
}) {
  const { t } = useTranslation();
  if (!list.hasNextPage) return null;
  return (
    <button
      type="button"
      className="btn"
      disabled={list.isFetchingNextPage}
      onClick={() => void list.fetchNextPage()}
    >
      {t("common.more")}
    </button>
  );
}

/** useTemplateNames maps template ids to names (archived ones too when I may see them). */
function useTemplateNames(): Map<string, Template> {
  const q = useQuery(templatesQuery);
  return new Map((q.data?.items ?? []).map((tp) => [tp.id, tp]));
}

function Row({
  r,
  template,
  who,
  inbox,
}: {
  r: Report;
  template?: Template;
  who?: PersonName;
  inbox?: boolean;
}) {
  const { t, i18n } = useTranslation();
  const unread = inbox && !r.read_at;
  const when = r.submitted_at || r.updated_at;
  const first = template?.fields.find((f) => shown(r.values[f.id]));
  return (
    <li className={unread ? "note note-unread" : "note"} data-testid="report">
      <Link to="/reports/$id" params={{ id: r.id }} className="note-link">
        <span className="note-main">
          <span className="note-top">
            <span className="note-head">
              {inbox ? personName(t, who) : (template?.name ?? t("reports.report"))}
            </span>
            <time className="muted small" dateTime={new Date(when).toISOString()}>
              {formatTime(when, i18n.language)}
            </time>
          </span>
          <span className="ann-badges">
            {inbox && template && <span className="muted small">{template.name}</span>}
            <span className="muted small">{r.period}</span>
            {!inbox && <StatusBadge t={t} status={r.status} />}
            {r.late && <span className="badge badge-danger">{t("reports.late")}</span>}
            {r.edited_at > 0 && <span className="muted small">{t("reports.edited")}</span>}
          </span>
          {first && <span className="note-text">{shown(r.values[first.id]).slice(0, 140)}</span>}
        </span>
        {unread && <span className="note-dot" role="img" aria-label={t("reports.unreadMark")} />}
      </Link>
    </li>
  );
}

/** StatusBadge names a report's status: draft or submitted. */
export function StatusBadge({ t, status }: { t: TFunction; status: string }) {
  return status === "draft" ? (
    <span className="badge badge-muted">{t("reports.draft")}</span>
  ) : (
    <span className="badge">{t("reports.submitted")}</span>
  );
}
