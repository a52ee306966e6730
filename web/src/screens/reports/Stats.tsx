import { useQuery } from "@tanstack/react-query";
import { useId, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, must } from "../../api/client";
import { Alert, Field } from "../../components/ui";
import { errorText } from "../../lib/errors";
import { useCan, useLedDepartments } from "../../lib/org";
import { personName, usePeople } from "../../lib/people";
import { reportsKey, templatesQuery } from "./data";
import { ReportTabs } from "./Tabs";

/** csvHref is the address of a template's statistics as CSV for the dates (and department) chosen. */
export function csvHref(id: string, from: string, to: string, dept = ""): string {
  const q = new URLSearchParams();
  if (dept) q.set("department_id", dept);
  if (from) q.set("from", from);
  if (to) q.set("to", to);
  const s = q.toString();
  return `/api/v1/report-templates/${encodeURIComponent(id)}/stats.csv${s ? `?${s}` : ""}`;
}

/**
 * ReportStats shows, for a template and a range of dates, who submitted on
 * time, late or not at all (never what they wrote), with a CSV download.
 * Managers see the whole organization or one department; a department's
 * leaders see the departments they lead.
 */
export function ReportStats() {
  const { t } = useTranslation();
  const selectId = useId();
  const deptId = useId();
  const manager = useCan("manage_reports");
  const led = useLedDepartments();
  const [deptChosen, setDept] = useState("");
  const dept = deptChosen || (manager ? "" : (led[0]?.id ?? ""));
  const templates = useQuery(templatesQuery);
  const items = templates.data?.items ?? [];
  const [chosen, setChosen] = useState("");
  const [from, setFrom] = useState("");
  const [to, setTo] = useState("");
  const id = chosen || items[0]?.id || "";
  const stats = useQuery({
    queryKey: [...reportsKey, "stats", id, from, to, dept],
    queryFn: () =>
      must(
        api.GET("/api/v1/report-templates/{id}/stats", {
          params: {
            path: { id },
            query: { from: from || undefined, to: to || undefined, department_id: dept || undefined },
          },
        }),
      ),
    enabled: !!id && (manager || dept !== ""),
  });
  const s = stats.data;
  const people = usePeople((s?.people ?? []).map((p) => p.account_id));
  return (
    <section className="page rep-wrap" aria-labelledby="page-title">
      <h1 id="page-title">{t("reports.title")}</h1>
      <ReportTabs />
      {templates.error && <Alert>{errorText(t, templates.error)}</Alert>}
      {templates.data && items.length === 0 && <p className="muted">{t("reports.noTemplates")}</p>}
      {id && (
        <div className="rep-filters">
          <div className="field">
            <label htmlFor={selectId} className="field-label">
              {t("reports.template")}
            </label>
            <select id={selectId} value={id} onChange={(e) => setChosen(e.target.value)}>
              {items.map((tp) => (
                <option key={tp.id} value={tp.id}>
                  {tp.name}
                </option>
              ))}
            </select>
          </div>
          {(led.length > 1 || (manager && led.length > 0)) && (
            <div className="field">
              <label htmlFor={deptId} className="field-label">
                {t("reports.department")}
              </label>
              <select id={deptId} value={dept} onChange={(e) => setDept(e.target.value)}>
                {manager && <option value="">{t("reports.wholeOrg")}</option>}
                {led.map((d) => (
                  <option key={d.id} value={d.id}>
                    {d.name}
                  </option>
                ))}
              </select>
            </div>
          )}
          <Field
            label={t("reports.from")}
            type="date"
            value={from}
            onChange={(e) => setFrom(e.target.value)}
          />
          <Field label={t("reports.to")} type="date" value={to} onChange={(e) => setTo(e.target.value)} />
        </div>
      )}
      {stats.error && <Alert>{errorText(t, stats.error)}</Alert>}
      {s && (
        <>
          <p className="muted small">
            {t("reports.range", { from: s.from, to: s.to, count: s.periods.length })}
          </p>
          <dl className="rep-counts" data-testid="report-counts">
            <div>
              <dt>{t("reports.onTime")}</dt>
              <dd>{s.counts.on_time}</dd>
            </div>
            <div>
              <dt>{t("reports.late")}</dt>
              <dd>{s.counts.late}</dd>
            </div>
            <div>
              <dt>{t("reports.missing")}</dt>
              <dd>{s.counts.missing}</dd>
            </div>
            <div>
              <dt>{t("reports.pending")}</dt>
              <dd>{s.counts.pending}</dd>
            </div>
          </dl>
          <div className="rep-table-wrap">
            <table className="rep-table">
              <caption className="sr-only">{t("reports.perPerson")}</caption>
              <thead>
                <tr>
                  <th scope="col">{t("reports.person")}</th>
                  <th scope="col">{t("reports.onTime")}</th>
                  <th scope="col">{t("reports.late")}</th>
                  <th scope="col">{t("reports.missing")}</th>
                  <th scope="col">{t("reports.pending")}</th>
                </tr>
              </thead>
              <tbody>
                {s.people.map((p) => (
                  <tr key={p.member_id} data-testid="report-stats-person">
                    <th scope="row">{personName(t, people.get(p.account_id))}</th>
                    <td>{p.counts.on_time}</td>
                    <td>{p.counts.late}</td>
                    <td>{p.counts.missing}</td>
                    <td>{p.counts.pending}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <p>
            <a className="btn" href={csvHref(id, from, to, dept)} download>
              {t("reports.downloadCsv")}
            </a>
          </p>
        </>
      )}
    </section>
  );
}
