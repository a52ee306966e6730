import { useQuery } from "@tanstack/react-query";
import { useId, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, must } from "../../api/client";
import { Alert } from "../../components/ui";
import { errorText } from "../../lib/errors";
import { useCan, useLedDepartments } from "../../lib/org";
import { addMonths, attendanceKey, monthOf, reportHref } from "./data";
import { AttendanceTabs } from "./Tabs";

/**
 * MonthlyReport is the month's numbers per member (late, early leave,
 * absent, missing, out of area, leave, trips, overtime) with CSV and XLSX
 * downloads: everyone for managers, their departments for leaders.
 */
export function MonthlyReport() {
  const { t } = useTranslation();
  const deptId = useId();
  const manager = useCan("manage_attendance");
  const led = useLedDepartments();
  const [month, setMonth] = useState(monthOf(new Date()));
  const [deptChosen, setDept] = useState("");
  const dept = deptChosen || (manager ? "" : (led[0]?.id ?? ""));
  const q = useQuery({
    queryKey: [...attendanceKey, "report", month, dept],
    queryFn: () =>
      must(
        api.GET("/api/v1/attendance/report", {
          params: { query: { month, department_id: dept || undefined } },
        }),
      ),
    enabled: manager || dept !== "",
  });
  const r = q.data;
  return (
    <section className="page rep-wrap att-wrap" aria-labelledby="page-title">
      <h1 id="page-title">{t("attendance.title")}</h1>
      <AttendanceTabs />
      <div className="att-monthbar">
        <button
          type="button"
          className="btn btn-small"
          aria-label={t("attendance.prevMonth")}
          onClick={() => setMonth(addMonths(month, -1))}
        >
          ‹
        </button>
        <h2 className="rep-sub">{t("attendance.report.of", { month })}</h2>
        <button
          type="button"
          className="btn btn-small"
          aria-label={t("attendance.nextMonth")}
          onClick={() => setMonth(addMonths(month, 1))}
        >
          ›
        </button>
      </div>
      {(led.length > 1 || (manager && led.length > 0)) && (
        <div className="field">
          <label htmlFor={deptId} className="field-label">
            {t("attendance.report.department")}
          </label>
          <select id={deptId} value={dept} onChange={(e) => setDept(e.target.value)}>
            {manager && <option value="">{t("attendance.report.wholeOrg")}</option>}
            {led.map((d) => (
              <option key={d.id} value={d.id}>
                {d.name}
              </option>
            ))}
          </select>
        </div>
      )}
      {!manager && led.length === 0 && <Alert>{t("errors.forbidden")}</Alert>}
      {q.error && <Alert>{errorText(t, q.error)}</Alert>}
      {r && (
        <>
          <p className="row">
            <a className="btn" href={reportHref("csv", month, dept)} download>
              {t("attendance.report.csv")}
            </a>
            <a className="btn" href={reportHref("xlsx", month, dept)} download>
              {t("attendance.report.xlsx")}
            </a>
          </p>
          {r.members.length === 0 ? (
            <p className="muted">{t("attendance.report.empty")}</p>
          ) : (
            <div className="rep-table-wrap">
              <table className="rep-table" data-testid="att-report">
                <caption className="sr-only">{t("attendance.report.of", { month })}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t("attendance.report.member")}</th>
                    <th scope="col">{t("attendance.report.workdays")}</th>
                    <th scope="col">{t("attendance.status.normal")}</th>
                    <th scope="col">{t("attendance.report.late")}</th>
                    <th scope="col">{t("attendance.report.early")}</th>
                    <th scope="col">{t("attendance.status.absent")}</th>
                    <th scope="col">{t("attendance.report.missingIn")}</th>
                    <th scope="col">{t("attendance.report.missingOut")}</th>
                    <th scope="col">{t("attendance.outOfArea")}</th>
                    <th scope="col">{t("attendance.report.leaveDays")}</th>
                    <th scope="col">{t("attendance.report.tripDays")}</th>
                    <th scope="col">{t("attendance.report.overtimeHours")}</th>
                  </tr>
                </thead>
                <tbody>
                  {r.members.map((m) => (
                    <tr key={m.member_id} data-testid="att-report-member">
                      <th scope="row">{m.name}</th>
                      <td>{m.workdays}</td>
                      <td>{m.normal}</td>
                      <td>
                        {m.late}
                        {m.late_minutes > 0 && ` (${t("attendance.minutes", { count: m.late_minutes })})`}
                      </td>
                      <td>
                        {m.early_leave}
                        {m.early_minutes > 0 && ` (${t("attendance.minutes", { count: m.early_minutes })})`}
                      </td>
                      <td>{m.absent}</td>
                      <td>{m.missing_in}</td>
                      <td>{m.missing_out}</td>
                      <td>{m.out_of_area}</td>
                      <td>{Object.values(m.leave ?? {}).reduce((a, b) => a + b, 0)}</td>
                      <td>{m.trip_days}</td>
                      <td>{(m.overtime_minutes / 60).toFixed(1)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </>
      )}
    </section>
  );
}
