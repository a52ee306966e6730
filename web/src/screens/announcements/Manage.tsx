import { useInfiniteQuery, useMutation, useQueryClient } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import type { TFunction } from "i18next";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { api, must, withQuery } from "../../api/client";
import { Alert, ConfirmDialog, formatTime } from "../../components/ui";
import { errorText } from "../../lib/errors";
import { useCan, usePermissions } from "../../lib/org";
import { type Announcement, announcementsKey, STATUSES, type Status } from "./data";
import { statusLabel } from "./View";

const PAGE = 30;

function tabLabel(t: TFunction, s: Status): string {
  switch (s) {
    case "draft":
      return t("announcements.tabs.draft");
    case "scheduled":
      return t("announcements.tabs.scheduled");
    case "withdrawn":
      return t("announcements.tabs.withdrawn");
    default:
      return t("announcements.tabs.published");
  }
}

/** Publisher wraps the publishers' screens: others are told they may not. */
export function Publisher({ children }: { children: React.ReactNode }) {
  const { t } = useTranslation();
  const perms = usePermissions();
  const can = useCan("publish_announcements");
  if (perms.isPending) return null;
  if (!can)
    return (
      <section className="page">
        <h1>{t("announcements.manage")}</h1>
        <p>{t("errors.forbidden")}</p>
      </section>
    );
  return <>{children}</>;
}

/**
 * ManageAnnouncements lists the organization's announcements by status,
 * with what a publisher can do to each: edit, publish, withdraw, delete,
 * see who has read it.
 */
export function ManageAnnouncements({ status }: { status: Status }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const list = useInfiniteQuery({
    queryKey: [...announcementsKey, "manage", status],
    queryFn: ({ pageParam }) =>
      must(
        api.GET(
          "/api/v1/admin/announcements",
          withQuery({ status, cursor: pageParam || undefined, limit: PAGE }),
        ),
      ),
    initialPageParam: "",
    getNextPageParam: (p) => p.next_cursor || undefined,
  });
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];
  const [ask, setAsk] = useState<{ a: Announcement; what: "withdraw" | "delete" } | null>(null);
  const refresh = () => qc.invalidateQueries({ queryKey: announcementsKey });
  const publish = useMutation({
    mutationFn: (id: string) =>
      must(api.POST("/api/v1/announcements/{id}/publish", { params: { path: { id } } })),
    onSuccess: refresh,
  });
  const act = useMutation({
    mutationFn: ({ a, what }: { a: Announcement; what: "withdraw" | "delete" }) => {
      const path = { params: { path: { id: a.id } } };
      return what === "withdraw"
        ? must(api.POST("/api/v1/announcements/{id}/withdraw", path))
        : must(api.DELETE("/api/v1/announcements/{id}", path));
    },
    onSuccess: () => {
      setAsk(null);
      void refresh();
    },
  });
  return (
    <section className="page page-wide ann-wrap" aria-labelledby="page-title">
      <p>
        <Link to="/announcements" className="btn-link">
          ← {t("announcements.back")}
        </Link>
      </p>
      <div className="page-header">
        <h1 id="page-title">{t("announcements.manage")}</h1>
        <Link to="/announcements/new" className="btn btn-primary btn-small">
          {t("announcements.new")}
        </Link>
      </div>
      <nav className="tabs" aria-label={t("announcements.byStatus")}>
        {STATUSES.map((s) => (
          <Link
            key={s}
            to="/announcements/manage"
            search={{ status: s }}
            className={s === status ? "tab active" : "tab"}
            aria-current={s === status ? "page" : undefined}
          >
            {tabLabel(t, s)}
          </Link>
        ))}
      </nav>
      {list.error && <Alert>{errorText(t, list.error)}</Alert>}
      {publish.error && <Alert>{errorText(t, publish.error)}</Alert>}
      {list.data && items.length === 0 && <p className="muted">{t("announcements.noneHere")}</p>}
      <ul className="list ann-manage" aria-label={tabLabel(t, status)}>
        {items.map((a) => (
          <ManageRow
            key={a.id}
            a={a}
            busy={publish.isPending}
            onPublish={() => publish.mutate(a.id)}
            onAsk={(what) => {
              act.reset();
              setAsk({ a, what });
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
      <ConfirmDialog
        open={!!ask}
        title={
          ask?.what === "withdraw"
            ? t("announcements.withdrawAsk", { title: ask.a.title })
            : t("announcements.deleteAsk", { title: ask?.a.title ?? "" })
        }
        confirm={ask?.what === "withdraw" ? t("announcements.withdraw") : t("common.delete")}
        danger
        pending={act.isPending}
        error={act.error ? errorText(t, act.error) : undefined}
        onConfirm={() => ask && act.mutate(ask)}
        onClose={() => setAsk(null)}
      >
        <p>{ask?.what === "withdraw" ? t("announcements.withdrawBody") : t("announcements.deleteBody")}</p>
      </ConfirmDialog>
    </section>
  );
}

function ManageRow({
  a,
  busy,
  onPublish,
  onAsk,
}: {
  a: Announcement;
  busy: boolean;
  onPublish: () => void;
  onAsk: (what: "withdraw" | "delete") => void;
}) {
  const { t, i18n } = useTranslation();
  const when =
    a.status === "scheduled"
      ? t("announcements.scheduledFor", { time: formatTime(a.publish_at, i18n.language) })
      : a.status === "withdrawn"
        ? t("announcements.withdrawnAt", { time: formatTime(a.withdrawn_at, i18n.language) })
        : a.status === "published"
          ? t("announcements.publishedAt", { time: formatTime(a.published_at, i18n.language) })
          : t("announcements.updatedAt", { time: formatTime(a.updated_at, i18n.language) });
  return (
    <li className="ann-manage-row" data-testid="managed-announcement">
      <div className="ann-manage-main">
        <Link to="/announcements/$id" params={{ id: a.id }} className="ann-manage-title">
          {a.title}
        </Link>
        <span className="ann-badges">
          <span className="badge badge-muted">{statusLabel(t, a.status)}</span>
          {a.pinned && <span className="badge">{t("announcements.pinned")}</span>}
          {a.category && <span className="badge badge-muted">{a.category}</span>}
          {a.require_confirm && <span className="badge">{t("announcements.confirmRequired")}</span>}
          {a.edited_at > 0 && <span className="muted small">{t("announcements.edited")}</span>}
        </span>
        <span className="muted small">
          {when}
          {a.status === "published" && <> · {t("announcements.recipients", { count: a.recipient_count })}</>}
        </span>
      </div>
      <div className="row-actions">
        {a.status !== "withdrawn" && (
          <Link to="/announcements/$id/edit" params={{ id: a.id }} className="btn btn-small">
            {t("announcements.edit")}
          </Link>
        )}
        {(a.status === "draft" || a.status === "scheduled") && (
          <>
            <button type="button" className="btn btn-small" disabled={busy} onClick={onPublish}>
              {t("announcements.publishNow")}
            </button>
            <button type="button" className="btn btn-small btn-danger" onClick={() => onAsk("delete")}>
              {t("common.delete")}
            </button>
          </>
        )}
        {(a.status === "published" || a.status === "withdrawn") && (
          <Link to="/announcements/$id/receipts" params={{ id: a.id }} className="btn btn-small">
            {t("announcements.readList")}
          </Link>
        )}
        {a.status === "published" && (
          <button type="button" className="btn btn-small btn-danger" onClick={() => onAsk("withdraw")}>
            {t("announcements.withdraw")}
          </button>
        )}
      </div>
    </li>
  );
}
