import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { api, must } from "../../api/client";
import { Alert, Field } from "../../components/ui";
import { errorText } from "../../lib/errors";
import { useCan } from "../../lib/org";
import { attendanceKey, type Holiday } from "./data";
import { AttendanceTabs } from "./Tabs";

/** Holidays edits the organization's holidays and make-up workdays of a year (attendance managers). */
export function Holidays() {
  const { t } = useTranslation();
  const manager = useCan("manage_attendance");
  const [year, setYear] = useState(new Date().getFullYear());
  const q = useQuery({
    queryKey: [...attendanceKey, "holidays", year],
    queryFn: () =>
      must(api.GET("/api/v1/attendance-holidays/{year}", { params: { path: { year: String(year) } } })),
  });
  return (
    <section className="page rep-wrap att-wrap" aria-labelledby="page-title">
      <h1 id="page-title">{t("attendance.title")}</h1>
      <AttendanceTabs />
      <div className="att-monthbar">
        <button
          type="button"
          className="btn btn-small"
          aria-label={t("attendance.prevYear")}
          onClick={() => setYear(year - 1)}
        >
          ‹
        </button>
        <h2 className="rep-sub">{year}</h2>
        <button
          type="button"
          className="btn btn-small"
          aria-label={t("attendance.nextYear")}
          onClick={() => setYear(year + 1)}
        >
          ›
        </button>
      </div>
      {q.error && <Alert>{errorText(t, q.error)}</Alert>}
      {q.data && <YearEditor key={year} year={year} initial={q.data.days} editable={manager} />}
    </section>
  );
}

function YearEditor({ year, initial, editable }: { year: number; initial: Holiday[]; editable: boolean }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [days, setDays] = useState<Holiday[]>(initial);
  const [saved, setSaved] = useState(false);
  const setDay = (i: number, p: Partial<Holiday>) => {
    setSaved(false);
    setDays((l) => l.map((x, j) => (j === i ? { ...x, ...p } : x)));
  };
  const save = useMutation({
    mutationFn: () =>
      must(
        api.PUT("/api/v1/attendance-holidays/{year}", {
          params: { path: { year: String(year) } },
          body: { days: days.filter((d) => d.day).map((d) => ({ ...d, name: d.name.trim() })) },
        }),
      ),
    onSuccess: (r) => {
      setDays(r.days);
      setSaved(true);
      qc.invalidateQueries({ queryKey: attendanceKey });
    },
  });
  return (
    <div className="stack">
      {days.length === 0 && <p className="muted">{t("attendance.holidays.none")}</p>}
      {days.map((d, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: days are edited in place by position.
        <div key={i} className="rep-field-edit" data-testid="att-holiday">
          <Field
            label={t("attendance.holidays.day")}
            type="date"
            min={`${year}-01-01`}
            max={`${year}-12-31`}
            value={d.day}
            disabled={!editable}
            onChange={(e) => setDay(i, { day: e.target.value })}
          />
          <div className="field">
            <label className="field-label">
              {t("attendance.holidays.kind")}
              <select
                value={d.kind}
                disabled={!editable}
                onChange={(e) => setDay(i, { kind: e.target.value })}
              >
                <option value="holiday">{t("attendance.holidays.holiday")}</option>
                <option value="workday">{t("attendance.holidays.workday")}</option>
              </select>
            </label>
          </div>
          <Field
            label={t("attendance.holidays.name")}
            value={d.name}
            disabled={!editable}
            onChange={(e) => setDay(i, { name: e.target.value })}
          />
          {editable && (
            <button
              type="button"
              className="btn btn-small"
              onClick={() => setDays((l) => l.filter((_, j) => j !== i))}
            >
              {t("attendance.admin.remove")}
            </button>
          )}
        </div>
      ))}
      {editable && (
        <>
          <p>
            <button
              type="button"
              className="btn btn-small"
              onClick={() => setDays((l) => [...l, { day: "", kind: "holiday", name: "" }])}
            >
              {t("attendance.holidays.add")}
            </button>
          </p>
          {save.error && <Alert>{errorText(t, save.error)}</Alert>}
          {saved && <Alert kind="ok">{t("attendance.holidays.saved")}</Alert>}
          <p>
            <button
              type="button"
              className="btn btn-primary"
              disabled={save.isPending}
              onClick={() => save.mutate()}
            >
              {t("attendance.admin.save")}
            </button>
          </p>
        </>
      )}
    </div>
  );
}
