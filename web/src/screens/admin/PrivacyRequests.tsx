import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { api, must, withQuery } from "../../api/client";
import { Alert, formatTime } from "../../components/ui";
import { enumText, errorText } from "../../lib/errors";
import { usePeople } from "../../lib/people";

/** PrivacyRequests is the queue of people's privacy requests, with due dates and decisions. */
export function PrivacyRequests() {
  const { t, i18n } = useTranslation();
  const qc = useQueryClient();
  const [status, setStatus] = useState("open");
  const q = useQuery({
    queryKey: ["privacy-requests", status],
    queryFn: () => must(api.GET("/api/v1/admin/privacy-requests", withQuery({ status }))),
  });
  const people = usePeople(q.data?.items.map((r) => r.account_id) ?? []);
  const [note, setNote] = useState<Record<string, string>>({});
  const decide = useMutation({
    mutationFn: ({ id, s }: { id: string; s: string }) =>
      must(
        api.POST("/api/v1/admin/privacy-requests/{id}/decision", {
          params: { path: { id } },
          body: { status: s, note: note[id] ?? "" },
        }),
      ),
    onSuccess: () => qc.invalidateQueries({ queryKey: ["privacy-requests"] }),
  });
  return (
    <section className="card" aria-labelledby="pr-title">
      <div className="row row-between">
        <h2 id="pr-title">{t("privacyRequests.title")}</h2>
        <select aria-label={t("admin.status")} value={status} onChange={(e) => setStatus(e.target.value)}>
          <option value="open">{t("privacyRequests.open")}</option>
          <option value="completed">{t("privacyRequests.completed")}</option>
          <option value="rejected">{t("privacyRequests.rejected")}</option>
          <option value="">{t("privacyRequests.all")}</option>
        </select>
      </div>
      {(q.error || decide.error) && <Alert>{errorText(t, q.error ?? decide.error)}</Alert>}
      {q.data?.items.length === 0 && <p className="muted">{t("admin.noRequests")}</p>}
      <ul className="list">
        {q.data?.items.map((r) => (
          <li key={r.id} className="stack">
            <div className="row row-between">
              <span>
                <strong>{enumText(t, "privacy_request_kind", r.kind)}</strong> ·{" "}
                {people.get(r.account_id)?.name ?? r.account_id}
              </span>
              <span className="row">
                <span className="badge">{enumText(t, "privacy_request_status", r.status)}</span>
                <span className={r.due_at < Date.now() ? "badge badge-danger" : "muted small"}>
                  {t("privacy.due", { time: formatTime(r.due_at, i18n.language, { dateStyle: "medium" }) })}
                </span>
              </span>
            </div>
            {r.note && <p className="small">“{r.note}”</p>}
            {(r.status === "open" || r.status === "in_progress") && (
              <div className="row">
                <input
                  className="input grow"
                  aria-label={t("privacyRequests.note")}
                  placeholder={t("privacyRequests.note")}
                  value={note[r.id] ?? ""}
                  onChange={(e) => setNote({ ...note, [r.id]: e.target.value })}
                />
                <button
                  type="button"
                  className="btn btn-small"
                  onClick={() => decide.mutate({ id: r.id, s: "in_progress" })}
                >
                  {t("privacyRequests.start")}
                </button>
                <button
                  type="button"
                  className="btn btn-small btn-primary"
                  onClick={() => decide.mutate({ id: r.id, s: "completed" })}
                >
                  {t("privacyRequests.complete")}
                </button>
                <button
                  type="button"
                  className="btn btn-small btn-danger"
                  onClick={() => decide.mutate({ id: r.id, s: "rejected" })}
                >
                  {t("admin.reject")}
                </button>
              </div>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
