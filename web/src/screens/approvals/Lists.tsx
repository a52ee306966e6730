import { useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { Link, useNavigate } from "@tanstack/react-router";
import { useId, useState } from "react";
import { useTranslation } from "react-i18next";
import { Alert, formatTime } from "../../components/ui";
import { errorText } from "../../lib/errors";
import { approvalsKey, type ListFilter, listPage, templatesQuery } from "./data";
import { statusClass, statusText } from "./labels";
import { ApprovalTabs } from "./Tabs";
import type { Box, RequestSummary } from "./types";

const PAGE = 20;
const STATUSES = ["pending", "approved", "rejected", "withdrawn", "returned"];

/**
 * ApprovalList is one of the four lists — waiting for me, mine, copied to
 * me, decided by me — with filters by status and template and a search.
 */
export function ApprovalList({ box, filter }: { box: Box; filter: ListFilter }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const list = useInfiniteQuery({
    queryKey: [...approvalsKey, "list", box, filter],
    queryFn: ({ pageParam }) => listPage(box, filter, pageParam, PAGE),
    initialPageParam: "",
    getNextPageParam: (p) => p.next_cursor || undefined,
  });
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];
  const templates = useQuery(templatesQuery).data?.items ?? [];
  const [q, setQ] = useState(filter.q ?? "");
  const statusId = useId();
  const templateId = useId();
  const searchId = useId();
  const go = (f: ListFilter) =>
    void navigate({
      to: "/approvals",
      search: {
        box,
        status: f.status || undefined,
        template: f.template_id || undefined,
        q: f.q || undefined,
      },
    });
  const empty: Record<Box, string> = {
    todo: t("approvals.empty.todo"),
    mine: t("approvals.empty.mine"),
    cc: t("approvals.empty.cc"),
    done: t("approvals.empty.done"),
  };
  return (
    <section className="page rep-wrap" aria-labelledby="page-title">
      <h1 id="page-title">{t("approvals.title")}</h1>
      <ApprovalTabs />
      <form
        className="rep-filters"
        aria-label={t("approvals.search")}
        onSubmit={(e) => {
          e.preventDefault();
          go({ ...filter, q: q.trim() });
        }}
      >
        <div className="field">
          <label htmlFor={statusId} className="field-label">
            {t("approvals.filterStatus")}
          </label>
          <select
            id={statusId}
            value={filter.status ?? ""}
            onChange={(e) => go({ ...filter, status: e.target.value })}
          >
            <option value="">{t("approvals.any")}</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {statusText(t, s)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={templateId} className="field-label">
            {t("approvals.filterTemplate")}
          </label>
          <select
            id={templateId}
            value={filter.template_id ?? ""}
            onChange={(e) => go({ ...filter, template_id: e.target.value })}
          >
            <option value="">{t("approvals.any")}</option>
            {templates.map((tp) => (
              <option key={tp.id} value={tp.id}>
                {tp.name}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={searchId} className="field-label">
            {t("approvals.search")}
          </label>
          <input
            id={searchId}
            type="search"
            value={q}
            placeholder={t("approvals.searchHint")}
            onChange={(e) => setQ(e.target.value)}
          />
        </div>
      </form>
      {list.error && <Alert>{errorText(t, list.error)}</Alert>}
      {list.data && items.length === 0 && <p className="muted">{empty[box]}</p>}
      <ul className="note-list" aria-label={t("approvals.requests")}>
        {items.map((r) => (
          <Row key={r.id} r={r} box={box} />
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

function Row({ r, box }: { r: RequestSummary; box: Box }) {
  const { t, i18n } = useTranslation();
  const when = r.updated_at || r.submitted_at;
  return (
    <li className={box === "todo" ? "note note-unread" : "note"} data-testid="approval-row">
      <Link to="/approvals/$id" params={{ id: r.id }} className="note-link">
        <span className="note-main">
          <span className="note-top">
            <span className="note-head">{r.title || r.template_name}</span>
            <time className="muted small" dateTime={new Date(when).toISOString()}>
              {formatTime(when, i18n.language)}
            </time>
          </span>
          <span className="ann-badges">
            <span className={statusClass(r.status)}>{statusText(t, r.status)}</span>
            <span className="muted small">{r.template_name}</span>
            {box !== "mine" && <span className="muted small">{r.applicant.name}</span>}
            {r.status === "pending" && r.current_step && (
              <span className="muted small">{t("approvals.atStep", { step: r.current_step.name })}</span>
            )}
          </span>
        </span>
      </Link>
    </li>
  );
}
