import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, must, type Schemas } from "../../api/client";
import { Alert, formatTime } from "../../components/ui";
import { enumText, errorText } from "../../lib/errors";
import { dayProblem, daysText, policiesOf } from "./retention";

type Policy = Schemas["PrivacyPolicy"];

/**
 * Retention sets how long each class of data is kept. "Preview" is a dry
 * run: it counts what the edited policies would delete now, before saving.
 */
export function Retention() {
  const { t, i18n } = useTranslation();
  const qc = useQueryClient();
  const q = useQuery({ queryKey: ["retention"], queryFn: () => must(api.GET("/api/v1/admin/retention")) });
  const runs = useQuery({
    queryKey: ["retention", "runs"],
    queryFn: () => must(api.GET("/api/v1/admin/retention/runs")),
  });
  const [days, setDays] = useState<Record<string, string>>({});
  useEffect(() => {
    if (!q.data) return;
    const d: Record<string, string> = {};
    for (const p of q.data.policies) d[p.class] = daysText(p.days);
    setDays(d);
  }, [q.data]);
  const policies = (): Policy[] => policiesOf(days);
  const problems = new Map(
    (q.data?.classes ?? []).flatMap((c) => {
      const p = dayProblem(days[c.id] ?? "", c.min_days ?? 1);
      return p ? [[c.id, p] as const] : [];
    }),
  );
  const invalid = problems.size > 0;
  const preview = useMutation({
    mutationFn: () =>
      must(
        api.POST("/api/v1/admin/retention/preview", {
          body: { policies: policies(), overrides: q.data?.overrides ?? [] },
        }),
      ),
  });
  const save = useMutation({
    mutationFn: () => must(api.PUT("/api/v1/admin/retention/policies", { body: { policies: policies() } })),
    onSuccess: (s) => qc.setQueryData(["retention"], s),
  });
  const run = useMutation({
    mutationFn: () => must(api.POST("/api/v1/admin/retention/runs")),
    onSuccess: () => qc.invalidateQueries({ queryKey: ["retention", "runs"] }),
  });
  const error = q.error ?? preview.error ?? save.error ?? run.error;
  return (
    <div className="stack">
      <section className="card" aria-labelledby="ret-title">
        <h2 id="ret-title">{t("retention.title")}</h2>
        <p className="muted">{t("retention.body")}</p>
        {error && <Alert>{errorText(t, error)}</Alert>}
        {save.isSuccess && <Alert kind="ok">{t("common.saved")}</Alert>}
        <div className="table-wrap">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">{t("retention.class")}</th>
                <th scope="col">{t("retention.keepDays")}</th>
              </tr>
            </thead>
            <tbody>
              {q.data?.classes.map((c) => (
                <tr key={c.id}>
                  <td>
                    <span>{enumText(t, "retention_class", c.id)}</span>
                    <div className="muted small">
                      {enumText(t, "retention_class_description", c.id, c.description)}
                    </div>
                  </td>
                  <td>
                    <input
                      className="input days-input"
                      type="number"
                      min={c.min_days ?? 1}
                      step={1}
                      aria-label={t("retention.daysFor", { name: enumText(t, "retention_class", c.id) })}
                      aria-invalid={problems.has(c.id) || undefined}
                      aria-describedby={problems.has(c.id) ? `ret-err-${c.id}` : undefined}
                      placeholder={t("retention.forever")}
                      value={days[c.id] ?? ""}
                      onChange={(e) => {
                        setDays({ ...days, [c.id]: e.target.value });
                        preview.reset();
                        save.reset();
                      }}
                    />
                    {problems.has(c.id) && (
                      <div id={`ret-err-${c.id}`} className="error-text small" role="alert">
                        {t("retention.tooFew", { min: problems.get(c.id)?.min ?? 1 })}
                      </div>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        <div className="row">
          <button
            type="button"
            className="btn"
            onClick={() => preview.mutate()}
            disabled={preview.isPending || invalid}
          >
            {t("retention.preview")}
          </button>
          <button
            type="button"
            className="btn btn-primary"
            onClick={() => save.mutate()}
            disabled={save.isPending || invalid}
          >
            {t("common.save")}
          </button>
          <button
            type="button"
            className="btn btn-danger"
            onClick={() => run.mutate()}
            disabled={run.isPending}
          >
            {t("retention.runNow")}
          </button>
        </div>
        {preview.data && (
          <div className="alert alert-info" role="status" data-testid="retention-preview">
            <strong>
              {preview.data.total > 0
                ? t("retention.previewResult", { total: preview.data.total })
                : policies().length > 0
                  ? t("retention.previewNothing")
                  : t("retention.previewNoPolicy")}
            </strong>
            <ul>
              {preview.data.counts
                .filter((c) => c.count > 0)
                .map((c) => (
                  <li key={`${c.class}-${c.table}`}>
                    {t("retention.previewLine", {
                      count: c.count,
                      table: c.table,
                      class: enumText(t, "retention_class", c.class),
                    })}
                  </li>
                ))}
            </ul>
          </div>
        )}
      </section>
      <section className="card" aria-labelledby="runs-title">
        <h2 id="runs-title">{t("retention.runs")}</h2>
        <ul className="list">
          {runs.data?.items.map((r) => (
            <li key={r.id} className="row row-between">
              <span>{formatTime(r.started_at, i18n.language)}</span>
              <span className="row">
                <span className="badge">{enumText(t, "job_state", r.state)}</span>
                <span className="muted small">
                  {t("retention.deleted", {
                    count: Object.values(r.deleted ?? {}).reduce((a, b) => a + b, 0),
                  })}
                </span>
              </span>
            </li>
          ))}
        </ul>
      </section>
    </div>
  );
}
