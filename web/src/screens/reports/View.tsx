import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { type FormEvent, useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { ApiError, api, must } from "../../api/client";
import { Alert, formatTime } from "../../components/ui";
import { errorText } from "../../lib/errors";
import { personName, usePeople } from "../../lib/people";
import { useMe } from "../../lib/session";
import { type Report, reportsKey, shown } from "./data";
import { FileList } from "./Files";
import { filesOf } from "./files";
import { StatusBadge } from "./Lists";

/** oneKey is the query key of one report. */
export const oneKey = (id: string) => [...reportsKey, "one", id];

/**
 * ReportView shows one report: its fields, whether it was late, and its
 * comments. A recipient's opening it marks it read; its author sees who
 * read it and may edit it within the window.
 */
export function ReportView({ id }: { id: string }) {
  const { t, i18n } = useTranslation();
  const qc = useQueryClient();
  const me = useMe().data;
  const q = useQuery({
    queryKey: oneKey(id),
    queryFn: () => must(api.GET("/api/v1/reports/{id}", { params: { path: { id } } })),
  });
  const r = q.data;
  const tq = useQuery({
    queryKey: [...reportsKey, "template", r?.template_id],
    queryFn: () =>
      must(api.GET("/api/v1/report-templates/{id}", { params: { path: { id: r?.template_id ?? "" } } })),
    enabled: !!r,
    retry: false,
  });
  const mine = !!r && !!me && r.author_id === me.id;
  const read = useMutation({
    mutationFn: () => must(api.POST("/api/v1/reports/{id}/read", { params: { path: { id } } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: reportsKey }),
  });
  const unread = !!r && !mine && r.status === "submitted" && !r.read_at;
  // biome-ignore lint/correctness/useExhaustiveDependencies: once per report
  useEffect(() => {
    if (unread && !read.isPending && !read.isSuccess) read.mutate();
  }, [unread, id]);
  const people = usePeople([r?.author_id ?? "", ...(r?.readers ?? []).map((x) => x.account_id)]);
  const fields: { id: string; label: string; kind?: string }[] =
    tq.data?.fields ?? Object.keys(r?.values ?? {}).map((k) => ({ id: k, label: k }));
  const editable = mine && (r.status === "draft" || Date.now() < r.editable_until);
  const missing = q.error instanceof ApiError && q.error.status === 404;
  return (
    <section className="page rep-wrap" aria-labelledby="page-title">
      <p>
        <Link to={mine ? "/reports/mine" : "/reports"} className="btn-link">
          ← {t("reports.back")}
        </Link>
      </p>
      {missing ? (
        <>
          <h1 id="page-title">{t("reports.title")}</h1>
          <Alert kind="info">{t("reports.notFound")}</Alert>
        </>
      ) : (
        q.error && <Alert>{errorText(t, q.error)}</Alert>
      )}
      {r && (
        <article className="card rep-article" data-testid="report-view">
          <h1 id="page-title" className="ann-title">
            {tq.data?.name ?? t("reports.report")}
          </h1>
          <p className="muted small">
            {personName(t, people.get(r.author_id))} · {t("reports.period", { period: r.period })}
            {r.submitted_at > 0 && <> · {formatTime(r.submitted_at, i18n.language)}</>}
            {r.edited_at > 0 && (
              <> · {t("reports.editedAt", { time: formatTime(r.edited_at, i18n.language) })}</>
            )}
          </p>
          <div className="ann-badges">
            <StatusBadge t={t} status={r.status} />
            {r.late && <span className="badge badge-danger">{t("reports.late")}</span>}
          </div>
          <dl className="rep-values">
            {fields.map((f) => (
              <div key={f.id}>
                <dt>{f.label}</dt>
                <dd>
                  {f.kind === "attachment" || Array.isArray(r.values[f.id]) ? (
                    filesOf(r.values[f.id], r.files).length > 0 ? (
                      <FileList files={filesOf(r.values[f.id], r.files)} />
                    ) : (
                      <span className="muted">{t("reports.empty")}</span>
                    )
                  ) : (
                    shown(r.values[f.id]) || <span className="muted">{t("reports.empty")}</span>
                  )}
                </dd>
              </div>
            ))}
            {(tq.data?.plans || r.plans) && (
              <div>
                <dt>{t("reports.plans")}</dt>
                <dd>{r.plans || <span className="muted">{t("reports.empty")}</span>}</dd>
              </div>
            )}
          </dl>
          {mine && (
            <div className="row">
              {editable ? (
                <Link to="/reports/$id/edit" params={{ id: r.id }} className="btn btn-small">
                  {t("reports.edit")}
                </Link>
              ) : (
                <span className="muted small">{t("reports.windowClosed")}</span>
              )}
              {r.status === "submitted" && editable && (
                <span className="muted small">
                  {t("reports.editableUntil", { time: formatTime(r.editable_until, i18n.language) })}
                </span>
              )}
            </div>
          )}
        </article>
      )}
      {r && mine && r.status === "submitted" && <Readers r={r} names={people} />}
      {r && r.status === "submitted" && <Comments r={r} myId={me?.id ?? ""} />}
    </section>
  );
}

function Readers({ r, names }: { r: Report; names: ReturnType<typeof usePeople> }) {
  const { t, i18n } = useTranslation();
  const readers = r.readers ?? [];
  const n = readers.filter((x) => x.read_at > 0).length;
  return (
    <section className="card rep-readers" aria-labelledby="rep-readers">
      <h2 id="rep-readers">{t("reports.readers", { read: n, total: readers.length })}</h2>
      {readers.length === 0 && <p className="muted small">{t("reports.noRecipients")}</p>}
      <ul className="rep-people" aria-label={t("reports.readersList")}>
        {readers.map((x) => (
          <li key={x.account_id} data-testid="report-reader">
            <span>{personName(t, names.get(x.account_id))}</span>
            <span className={x.read_at ? "ok-text small" : "muted small"}>
              {x.read_at
                ? t("reports.readAt", { time: formatTime(x.read_at, i18n.language) })
                : t("reports.notRead")}
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}

function Comments({ r, myId }: { r: Report; myId: string }) {
  const { t, i18n } = useTranslation();
  const qc = useQueryClient();
  const key = [...reportsKey, "comments", r.id];
  const q = useQuery({
    queryKey: key,
    queryFn: () => must(api.GET("/api/v1/reports/{id}/comments", { params: { path: { id: r.id } } })),
  });
  const items = q.data?.items ?? [];
  // Mentions may name the report's author and recipients: those I know of.
  const known = [r.author_id, ...(r.readers ?? []).map((x) => x.account_id)].filter(
    (id) => id && id !== myId,
  );
  const people = usePeople([...items.map((c) => c.author_id), ...known]);
  const [body, setBody] = useState("");
  const [mentions, setMentions] = useState<string[]>([]);
  const send = useMutation({
    mutationFn: () =>
      must(
        api.POST("/api/v1/reports/{id}/comments", {
          params: { path: { id: r.id } },
          body: { body: body.trim(), mentions },
        }),
      ),
    onSuccess: () => {
      setBody("");
      setMentions([]);
      void qc.invalidateQueries({ queryKey: key });
    },
  });
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    if (body.trim()) send.mutate();
  };
  return (
    <section className="card rep-comments" aria-labelledby="rep-comments">
      <h2 id="rep-comments">{t("reports.comments")}</h2>
      {q.error && <Alert>{errorText(t, q.error)}</Alert>}
      {q.data && items.length === 0 && <p className="muted small">{t("reports.noComments")}</p>}
      <ul className="rep-comment-list">
        {items.map((c) => (
          <li key={c.id} data-testid="report-comment">
            <p className="small">
              <strong>{personName(t, people.get(c.author_id))}</strong>{" "}
              <time className="muted" dateTime={new Date(c.created_at).toISOString()}>
                {formatTime(c.created_at, i18n.language)}
              </time>
            </p>
            <p className="rep-comment-body">{c.body}</p>
          </li>
        ))}
      </ul>
      <form className="stack" onSubmit={onSubmit}>
        <div className="field">
          <label htmlFor="rep-comment" className="field-label">
            {t("reports.addComment")}
          </label>
          <textarea
            id="rep-comment"
            rows={3}
            maxLength={5000}
            value={body}
            onChange={(e) => setBody(e.target.value)}
          />
        </div>
        {known.length > 0 && (
          <fieldset className="checks">
            <legend>{t("reports.mention")}</legend>
            {[...new Set(known)].map((id) => (
              <label key={id} className="checkbox">
                <input
                  type="checkbox"
                  checked={mentions.includes(id)}
                  onChange={(e) =>
                    setMentions(e.target.checked ? [...mentions, id] : mentions.filter((x) => x !== id))
                  }
                />
                {personName(t, people.get(id))}
              </label>
            ))}
          </fieldset>
        )}
        <Alert>{send.error ? errorText(t, send.error) : ""}</Alert>
        <div className="row">
          <button type="submit" className="btn btn-primary" disabled={send.isPending || !body.trim()}>
            {t("reports.send")}
          </button>
        </div>
      </form>
    </section>
  );
}
