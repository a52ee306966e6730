import { useQuery } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { errorCode } from "../../api/client";
import { Alert } from "../../components/ui";
import { errorText } from "../../lib/errors";
import {
  addMonths,
  calendarGrid,
  correctable,
  correctionSearch,
  type Day,
  dateOf,
  distanceText,
  flags,
  hhmm,
  monthOf,
  monthQuery,
  type Punch,
  statusText,
  tone,
} from "./data";
import { AttendanceTabs } from "./Tabs";

/**
 * MyMonth is the member's month as a calendar: each day's status (colour
 * and label), month by month; a tapped day shows its check-ins and, when a
 * check-in or check-out is missing, a link to request a correction.
 */
export function MyMonth({ month: initial }: { month?: string }) {
  const { t, i18n } = useTranslation();
  const [month, setMonth] = useState(initial || monthOf(new Date()));
  const [picked, setPicked] = useState("");
  const q = useQuery(monthQuery(month));
  const m = q.data;
  const tz = m?.timezone ?? "";
  const weeks = calendarGrid(month, m?.days ?? []);
  const today = dateOf(new Date());
  const label = new Intl.DateTimeFormat(i18n.language.startsWith("zh") ? "zh-CN" : "en", {
    year: "numeric",
    month: "long",
    timeZone: "UTC",
  }).format(new Date(`${month}-01T00:00:00Z`));
  const weekdays = [1, 2, 3, 4, 5, 6, 7].map((d) =>
    new Intl.DateTimeFormat(i18n.language.startsWith("zh") ? "zh-CN" : "en", {
      weekday: "narrow",
      timeZone: "UTC",
    }).format(new Date(Date.UTC(2024, 0, d))),
  );
  const day = m?.days.find((d) => d.date === picked);
  return (
    <section className="page rep-wrap att-wrap" aria-labelledby="page-title">
      <h1 id="page-title">{t("attendance.title")}</h1>
      <AttendanceTabs />
      <div className="att-monthbar">
        <button
          type="button"
          className="btn btn-small"
          aria-label={t("attendance.prevMonth")}
          onClick={() => {
            setMonth(addMonths(month, -1));
            setPicked("");
          }}
        >
          ‹
        </button>
        <h2 className="rep-sub" aria-live="polite" data-testid="att-month-label">
          {label}
        </h2>
        <button
          type="button"
          className="btn btn-small"
          aria-label={t("attendance.nextMonth")}
          onClick={() => {
            setMonth(addMonths(month, 1));
            setPicked("");
          }}
        >
          ›
        </button>
      </div>
      {q.error &&
        (errorCode(q.error) === "no_attendance_group" ? (
          <p className="muted">{t("attendance.noGroup")}</p>
        ) : (
          <Alert>{errorText(t, q.error)}</Alert>
        ))}
      {m && (
        <table className="att-cal" data-testid="att-calendar">
          <caption className="sr-only">{label}</caption>
          <thead>
            <tr>
              {weekdays.map((w, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: the seven weekdays never move.
                <th key={i} scope="col">
                  {w}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {weeks.map((w) => (
              <tr key={w.find((c) => c.date)?.date}>
                {w.map((c, i) =>
                  c.date ? (
                    <td key={c.date}>
                      <button
                        type="button"
                        className={`att-cell att-${tone(c.data?.status ?? "")}`}
                        aria-pressed={picked === c.date}
                        aria-current={c.date === today ? "date" : undefined}
                        data-date={c.date}
                        onClick={() => setPicked(c.date)}
                      >
                        <span className="att-cell-day">{c.day}</span>
                        {c.data && c.data.status !== "upcoming" && (
                          <span className="att-cell-status">{statusText(t, c.data.status)}</span>
                        )}
                      </button>
                    </td>
                  ) : (
                    // biome-ignore lint/suspicious/noArrayIndexKey: padding cells have no identity.
                    <td key={`pad${i}`} />
                  ),
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {day && m && <DayDetail day={day} punches={m.punches.filter((p) => p.day === day.date)} tz={tz} />}
    </section>
  );
}

function DayDetail({ day, punches, tz }: { day: Day; punches: Punch[]; tz: string }) {
  const { t } = useTranslation();
  const fix = correctable(day);
  const f = flags(t, day);
  return (
    <div className="card att-detail" data-testid="att-day-detail">
      <h2>
        {day.date} <span className={`att-status att-${tone(day.status)}`}>{statusText(t, day.status)}</span>
      </h2>
      {day.workday && day.start_at > 0 && (
        <p className="muted small">
          {t("attendance.plan")}: {hhmm(day.start_at, tz)}–{hhmm(day.end_at, tz)}
        </p>
      )}
      {day.leave_type && <p>{t("attendance.leaveType", { type: day.leave_type })}</p>}
      {f.length > 0 && <p className="small">{f.join(" · ")}</p>}
      {punches.length === 0 ? (
        <p className="muted">{t("attendance.noPunches")}</p>
      ) : (
        <ul className="att-punches">
          {punches.map((p) => (
            <li key={p.id}>
              <strong>{p.kind === "in" ? t("attendance.in") : t("attendance.out")}</strong> {hhmm(p.at, tz)}{" "}
              {p.in_area ? (
                <span className="badge badge-ok">{t("attendance.inArea")}</span>
              ) : (
                <span className="badge badge-danger">{t("attendance.outOfArea")}</span>
              )}{" "}
              {p.matched && <span className="muted small">{p.matched}</span>}{" "}
              {p.distance_m >= 0 && <span className="muted small">{distanceText(p.distance_m)}</span>}
            </li>
          ))}
        </ul>
      )}
      {fix && (
        <Link to="/approvals/new" search={correctionSearch(day, fix, tz)} className="btn btn-primary">
          {fix === "in" ? t("attendance.correctIn") : t("attendance.correctOut")}
        </Link>
      )}
    </div>
  );
}
