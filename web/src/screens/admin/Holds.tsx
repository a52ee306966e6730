import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, must } from "../../api/client";
import { Alert, Field, formatTime } from "../../components/ui";
import { errorText } from "../../lib/errors";

/** Holds places and releases legal holds on members or conversations (they block erasure). */
export function Holds() {
  const { t, i18n } = useTranslation();
  const qc = useQueryClient();
  const q = useQuery({ queryKey: ["holds"], queryFn: () => must(api.GET("/api/v1/admin/legal-holds")) });
  const [kind, setKind] = useState("member");
  const [target, setTarget] = useState("");
  const [reason, setReason] = useState("");
  const place = useMutation({
    mutationFn: () =>
      must(api.POST("/api/v1/admin/legal-holds", { body: { target_kind: kind, target_id: target, reason } })),
    onSuccess: () => {
      setTarget("");
      setReason("");
      void qc.invalidateQueries({ queryKey: ["holds"] });
    },
  });
  const release = useMutation({
    mutationFn: (id: string) =>
      must(api.POST("/api/v1/admin/legal-holds/{id}/release", { params: { path: { id } } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: ["holds"] }),
  });
  return (
    <div className="stack">
      <section className="card" aria-labelledby="h-title">
        <h2 id="h-title">{t("holds.title")}</h2>
        <p className="muted">{t("holds.body")}</p>
        {(q.error || release.error) && <Alert>{errorText(t, q.error ?? release.error)}</Alert>}
        <ul className="list">
          {q.data?.items.map((h) => (
            <li key={h.id} className="row row-between">
              <div>
                <strong>{h.target_kind}</strong> <code>{h.target_id}</code>
                <div className="muted small">
                  {h.reason} · {formatTime(h.created_at, i18n.language)}
                </div>
              </div>
              {h.released_at ? (
                <span className="badge badge-muted">{t("holds.released")}</span>
              ) : (
                <button type="button" className="btn btn-small" onClick={() => release.mutate(h.id)}>
                  {t("holds.release")}
                </button>
              )}
            </li>
          ))}
        </ul>
      </section>
      <section className="card" aria-labelledby="h-new">
        <h2 id="h-new">{t("holds.place")}</h2>
        <form
          onSubmit={(e: FormEvent) => {
            e.preventDefault();
            place.mutate();
          }}
        >
          <Alert>{place.error ? errorText(t, place.error) : ""}</Alert>
          <div className="form-grid">
            <div className="field">
              <label className="field-label" htmlFor="h-kind">
                {t("holds.on")}
              </label>
              <select id="h-kind" value={kind} onChange={(e) => setKind(e.target.value)}>
                <option value="member">{t("holds.member")}</option>
                <option value="conversation">{t("holds.conversation")}</option>
              </select>
            </div>
            <Field label={t("holds.targetId")} value={target} onChange={(e) => setTarget(e.target.value)} />
            <Field label={t("holds.reason")} value={reason} onChange={(e) => setReason(e.target.value)} />
          </div>
          <button type="submit" className="btn btn-primary" disabled={!target || !reason || place.isPending}>
            {t("holds.place")}
          </button>
        </form>
      </section>
    </div>
  );
}
