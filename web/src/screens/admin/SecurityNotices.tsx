import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, must, withQuery } from "../../api/client";
import { Alert, Field, formatTime } from "../../components/ui";
import { errorText } from "../../lib/errors";

/** SecurityNotices tells affected members about a security incident: what happened, the impact, what to do. */
export function SecurityNotices() {
  const { t, i18n } = useTranslation();
  const qc = useQueryClient();
  const q = useQuery({
    queryKey: ["admin-notices"],
    queryFn: () => must(api.GET("/api/v1/admin/security-notices")),
  });
  const members = useQuery({
    queryKey: ["members", "all-active"],
    queryFn: () => must(api.GET("/api/v1/members", withQuery({ limit: 200 }))),
  });
  const [title, setTitle] = useState("");
  const [what, setWhat] = useState("");
  const [impact, setImpact] = useState("");
  const [remedies, setRemedies] = useState("");
  const send = useMutation({
    mutationFn: () =>
      must(
        api.POST("/api/v1/admin/security-notices", {
          body: {
            title,
            what_happened: what,
            impact,
            remedies,
            account_ids: members.data?.items.map((m) => m.account_id) ?? [],
          },
        }),
      ),
    onSuccess: () => {
      setTitle("");
      setWhat("");
      setImpact("");
      setRemedies("");
      void qc.invalidateQueries({ queryKey: ["admin-notices"] });
    },
  });
  return (
    <div className="stack">
      <section className="card" aria-labelledby="sn-new">
        <h2 id="sn-new">{t("notices.new")}</h2>
        <p className="muted">{t("notices.body", { count: members.data?.items.length ?? 0 })}</p>
        <form
          onSubmit={(e: FormEvent) => {
            e.preventDefault();
            send.mutate();
          }}
        >
          <Alert>{send.error ? errorText(t, send.error) : ""}</Alert>
          <Field label={t("notices.title")} value={title} onChange={(e) => setTitle(e.target.value)} />
          <Field label={t("notices.what")} value={what} onChange={(e) => setWhat(e.target.value)} />
          <Field label={t("privacy.impact")} value={impact} onChange={(e) => setImpact(e.target.value)} />
          <Field
            label={t("privacy.remedies")}
            value={remedies}
            onChange={(e) => setRemedies(e.target.value)}
          />
          <button type="submit" className="btn btn-primary" disabled={!title || !what || send.isPending}>
            {t("notices.send")}
          </button>
        </form>
      </section>
      <section className="card" aria-labelledby="sn-list">
        <h2 id="sn-list">{t("notices.sent")}</h2>
        <ul className="list">
          {q.data?.items.map((n) => (
            <li key={n.id}>
              <strong>{n.title}</strong>{" "}
              <span className="muted small">
                {formatTime(n.created_at, i18n.language)} · {t("notices.recipients", { count: n.recipients })}
              </span>
            </li>
          ))}
        </ul>
      </section>
    </div>
  );
}
