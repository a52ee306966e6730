import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { api, must, withQuery } from "../../api/client";
import { Alert, formatTime } from "../../components/ui";
import { errorText } from "../../lib/errors";

/** JoinRequests is the queue of people asking to join (when approval is required). */
export function JoinRequests() {
  const { t, i18n } = useTranslation();
  const qc = useQueryClient();
  const list = useQuery({
    queryKey: ["join-requests"],
    queryFn: () => must(api.GET("/api/v1/join-requests", withQuery({ status: "pending" }))),
  });
  const decide = useMutation({
    mutationFn: ({ id, ok }: { id: string; ok: boolean }) =>
      ok
        ? must(api.POST("/api/v1/join-requests/{id}/approve", { params: { path: { id } } }))
        : must(api.POST("/api/v1/join-requests/{id}/reject", { params: { path: { id } } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: ["join-requests"] }),
  });
  return (
    <section className="card" aria-labelledby="jr-title">
      <h2 id="jr-title">{t("admin.joinRequests")}</h2>
      {(list.error || decide.error) && <Alert>{errorText(t, list.error ?? decide.error)}</Alert>}
      {list.data?.items.length === 0 && <p className="muted">{t("admin.noRequests")}</p>}
      <ul className="list">
        {list.data?.items.map((r) => (
          <li key={r.id} className="row row-between">
            <div>
              <strong>{r.display_name}</strong>
              <div className="muted small">
                {formatTime(r.created_at, i18n.language)} {r.message && `· ${r.message}`}
              </div>
            </div>
            <div className="row">
              <button
                type="button"
                className="btn btn-small btn-primary"
                onClick={() => decide.mutate({ id: r.id, ok: true })}
              >
                {t("admin.approve")}
              </button>
              <button
                type="button"
                className="btn btn-small"
                onClick={() => decide.mutate({ id: r.id, ok: false })}
              >
                {t("admin.reject")}
              </button>
            </div>
          </li>
        ))}
      </ul>
    </section>
  );
}
