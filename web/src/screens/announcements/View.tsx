import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import type { TFunction } from "i18next";
import { useEffect } from "react";
import { useTranslation } from "react-i18next";
import { ApiError, api, must } from "../../api/client";
import { Alert, formatTime } from "../../components/ui";
import { errorText } from "../../lib/errors";
import { useCan } from "../../lib/org";
import { personName, usePerson } from "../../lib/people";
import { AttachmentList } from "./Attachments";
import { Comments } from "./Comments";
import { announcementsKey, needsConfirm, useDepartmentNames } from "./data";
import { fileURL } from "./files";

/** oneKey is the query key of one announcement. */
export const oneKey = (id: string) => [...announcementsKey, "one", id];

/**
 * AnnouncementView shows one announcement with its Markdown body. Opening
 * it marks it read; one that asks for confirmation keeps its "I have read
 * this" button highlighted until pressed.
 */
export function AnnouncementView({ id }: { id: string }) {
  const { t, i18n } = useTranslation();
  const qc = useQueryClient();
  const publisher = useCan("publish_announcements");
  const q = useQuery({
    queryKey: oneKey(id),
    queryFn: () => must(api.GET("/api/v1/announcements/{id}", { params: { path: { id } } })),
  });
  const a = q.data;
  const depts = useDepartmentNames();
  const author = usePerson(a && !a.signature_department_id ? a.author_id : undefined);
  const refresh = () => qc.invalidateQueries({ queryKey: announcementsKey });
  const read = useMutation({
    mutationFn: () => must(api.POST("/api/v1/announcements/{id}/read", { params: { path: { id } } })),
    onSuccess: refresh,
  });
  const confirm = useMutation({
    mutationFn: () => must(api.POST("/api/v1/announcements/{id}/confirm", { params: { path: { id } } })),
    onSuccess: refresh,
  });
  // Opening it reads it (a publisher it did not reach is told 404, and that is all).
  const unread = a?.status === "published" && !a.read_at;
  // biome-ignore lint/correctness/useExhaustiveDependencies: once per announcement
  useEffect(() => {
    if (unread && !read.isPending && !read.isSuccess) read.mutate();
  }, [unread, id]);

  const missing = q.error instanceof ApiError && q.error.status === 404;
  return (
    <section className="page ann-wrap" aria-labelledby="page-title">
      <p>
        <Link to="/announcements" className="btn-link">
          ← {t("announcements.back")}
        </Link>
      </p>
      {missing ? (
        <>
          <h1 id="page-title">{t("announcements.title")}</h1>
          <Alert kind="info">{t("announcements.notFound")}</Alert>
        </>
      ) : (
        q.error && <Alert>{errorText(t, q.error)}</Alert>
      )}
      {a && (
        <article className="card ann-article" data-testid="announcement-view">
          {a.cover_file_id && (
            <img className="ann-cover" src={fileURL(a.cover_file_id)} alt="" data-testid="ann-cover" />
          )}
          <div className="ann-badges">
            {a.pinned && <span className="badge">{t("announcements.pinned")}</span>}
            {a.category && <span className="badge badge-muted">{a.category}</span>}
            {a.status !== "published" && (
              <span className="badge badge-muted">{statusLabel(t, a.status)}</span>
            )}
          </div>
          <h1 id="page-title" className="ann-title">
            {a.title}
          </h1>
          <p className="muted small">
            {a.signature_department_id
              ? (depts.get(a.signature_department_id) ?? "…")
              : personName(t, author)}
            {a.published_at > 0 && <> · {formatTime(a.published_at, i18n.language)}</>}
            {a.edited_at > 0 && (
              <> · {t("announcements.editedAt", { time: formatTime(a.edited_at, i18n.language) })}</>
            )}
          </p>
          {/* The server renders the Markdown through the allowlist sanitizer of messages. */}
          {/* biome-ignore lint/security/noDangerouslySetInnerHtml: sanitized server-side (bluemonday) */}
          <div className="msg-text ann-body" dangerouslySetInnerHTML={{ __html: a.body_html ?? "" }} />
          <AttachmentList files={a.attachments ?? []} />
          {a.require_confirm && a.status === "published" && (
            <div className={needsConfirm(a) ? "ann-confirm ann-confirm-due" : "ann-confirm"}>
              {needsConfirm(a) ? (
                <>
                  <p>{t("announcements.confirmAsk")}</p>
                  <Alert>{confirm.error ? errorText(t, confirm.error) : ""}</Alert>
                  <button
                    type="button"
                    className="btn btn-primary"
                    disabled={confirm.isPending}
                    onClick={() => confirm.mutate()}
                  >
                    {t("announcements.confirm")}
                  </button>
                </>
              ) : (
                <p className="ok-text" role="status">
                  {t("announcements.confirmedAt", { time: formatTime(a.confirmed_at, i18n.language) })}
                </p>
              )}
            </div>
          )}
          {publisher && (
            <div className="row">
              {a.status !== "withdrawn" && (
                <Link to="/announcements/$id/edit" params={{ id: a.id }} className="btn btn-small">
                  {t("announcements.edit")}
                </Link>
              )}
              {a.status !== "draft" && a.status !== "scheduled" && (
                <Link to="/announcements/$id/receipts" params={{ id: a.id }} className="btn btn-small">
                  {t("announcements.readList")}
                </Link>
              )}
            </div>
          )}
        </article>
      )}
      {a?.allow_comments && a.status === "published" && <Comments id={a.id} publisher={publisher} />}
    </section>
  );
}

/** statusLabel names an announcement's status. */
export function statusLabel(t: TFunction, status: string): string {
  switch (status) {
    case "draft":
      return t("announcements.status.draft");
    case "scheduled":
      return t("announcements.status.scheduled");
    case "withdrawn":
      return t("announcements.status.withdrawn");
    default:
      return t("announcements.status.published");
  }
}
