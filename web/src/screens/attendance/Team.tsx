import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { api, must } from "../../api/client";
import { Alert, Field } from "../../components/ui";
import { errorText } from "../../lib/errors";
import { attendanceKey, distanceText, flags, hhmm, statusText, tone } from "./data";
import { AttendanceTabs } from "./Tabs";

/**
 * TeamDay is the supervisor's view of a day: the people they supervise or
 * whose department they lead (everyone for managers), each one's status,
 * times and whether the check-ins were in the area and how far — never a
 * position.
 */
export function TeamDay() {
  const { t } = useTranslation();
  const [date, setDate] = useState("");
  const q = useQuery({
    queryKey: [...attendanceKey, "team", date],
    queryFn: () =>
      must(api.GET("/api/v1/attendance/team", { params: { query: { date: date || undefined } } })),
  });
  const s = q.data?.summary;
  const counts: [string, number][] = s
    ? [
        [t("attendance.sum.members"), s.members],
        [t("attendance.status.normal"), s.normal],
        [t("attendance.sum.late"), s.late],
        [t("attendance.sum.early"), s.early_leave],
        [t("attendance.status.absent"), s.absent],
        [t("attendance.sum.missing"), s.missing],
        [t("attendance.status.leave"), s.leave],
        [t("attendance.status.trip"), s.trip],
        [t("attendance.status.working"), s.working],
        [t("attendance.status.pending"), s.pending],
        [t("attendance.outOfArea"), s.out_of_area],
      ]
    : [];
  return (
    <section className="page rep-wrap att-wrap" aria-labelledby="page-title">
      <h1 id="page-title">{t("attendance.title")}</h1>
      <AttendanceTabs />
      <div className="rep-filters">
        <Field
          label={t("attendance.date")}
          type="date"
          value={date}
          onChange={(e) => setDate(e.target.value)}
        />
      </div>
      {q.error && <Alert>{errorText(t, q.error)}</Alert>}
      {q.data && (
        <>
          <p className="muted small">{t("attendance.teamOf", { date: q.data.date || date })}</p>
          <dl className="rep-counts">
            {counts.map(([k, v]) => (
              <div key={k}>
                <dt>{k}</dt>
                <dd>{v}</dd>
              </div>
            ))}
          </dl>
          {q.data.members.length === 0 ? (
            <p className="muted">{t("attendance.teamEmpty")}</p>
          ) : (
            <ul className="att-team">
              {q.data.members.map((m) => {
                const f = flags(t, m.day);
                return (
                  <li key={m.member_id} className="card" data-testid="att-team-member">
                    <p className="row row-between">
                      <strong>{m.name}</strong>
                      <span className={`att-status att-${tone(m.day.status)}`}>
                        {statusText(t, m.day.status)}
                      </span>
                    </p>
                    <p className="small">
                      {t("attendance.firstIn")} {hhmm(m.day.first_in) || "—"} · {t("attendance.lastOut")}{" "}
                      {hhmm(m.day.last_out) || "—"}
                    </p>
                    {m.punches.map((p) => (
                      <p key={p.id} className="small">
                        {p.kind === "in" ? t("attendance.in") : t("attendance.out")} {hhmm(p.at)}{" "}
                        {p.in_area ? (
                          <span className="badge badge-ok">{t("attendance.inArea")}</span>
                        ) : (
                          <span className="badge badge-danger">{t("attendance.outOfArea")}</span>
                        )}{" "}
                        {p.distance_m >= 0 && <span className="muted">{distanceText(p.distance_m)}</span>}
                      </p>
                    ))}
                    {f.length > 0 && <p className="small muted">{f.join(" · ")}</p>}
                  </li>
                );
              })}
            </ul>
          )}
        </>
      )}
    </section>
  );
}
