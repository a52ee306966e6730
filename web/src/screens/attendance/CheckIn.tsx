import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { useId, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, errorCode, must } from "../../api/client";
import { PermissionHelp } from "../../components/Permission";
import { Alert } from "../../components/ui";
import { errorText } from "../../lib/errors";
import {
  attendanceKey,
  type CheckIn,
  canTryWithoutPosition,
  type Day,
  distanceText,
  flags,
  type GeoFailure,
  gate,
  geoFailure,
  hhmm,
  locate,
  needsNote,
  newClientId,
  nextKind,
  type Position,
  punctuality,
  refusedDistance,
  statusText,
  type Today,
  todayQuery,
  tone,
} from "./data";
import { AttendanceTabs } from "./Tabs";

/**
 * CheckInScreen is the one-tap check-in: a big button that asks for the
 * position only when tapped, sends it, and shows what the server decided
 * (place or network, in or out of the area, distance, on time or late),
 * with today's status below. The privacy gates (the notice, the location
 * consent) are answered here and the check-in retried.
 */
export function CheckInScreen() {
  const { t } = useTranslation();
  const q = useQuery(todayQuery);
  return (
    <section className="page rep-wrap att-wrap" aria-labelledby="page-title">
      <h1 id="page-title">{t("attendance.title")}</h1>
      <AttendanceTabs />
      {q.error &&
        (errorCode(q.error) === "no_attendance_group" ? (
          <p className="muted" data-testid="att-no-group">
            {t("attendance.noGroup")}
          </p>
        ) : (
          <Alert>{errorText(t, q.error)}</Alert>
        ))}
      {q.data && <Puncher today={q.data} />}
    </section>
  );
}

function Puncher({ today }: { today: Today }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const noteId = useId();
  // One idempotency key per check-in: a retry (after a lost answer, a gate
  // or a note) sends the same one; a new one after each success.
  const clientId = useRef(newClientId());
  const lastPos = useRef<Position | null>(null);
  const [locating, setLocating] = useState(false);
  const [geo, setGeo] = useState<GeoFailure | null>(null);
  const [note, setNote] = useState("");
  const [askNote, setAskNote] = useState(false);
  const [result, setResult] = useState<CheckIn | null>(null);
  const kind = nextKind(today.day);
  const tz = today.timezone;

  const punch = useMutation({
    mutationFn: (pos: Position | null) =>
      must(
        api.POST("/api/v1/attendance/punches", {
          body: {
            client_id: clientId.current,
            // The server decides: in when the work day has none yet, else out.
            kind: "",
            lat: pos?.lat ?? "",
            lng: pos?.lng ?? "",
            bssid: "",
            note: note.trim(),
          },
        }),
      ),
    onSuccess: (r) => {
      setResult(r);
      setAskNote(false);
      setNote("");
      clientId.current = newClientId();
      qc.invalidateQueries({ queryKey: attendanceKey });
    },
    onError: (e) => {
      if (needsNote(e)) setAskNote(true);
    },
  });
  const notice = useMutation({
    mutationFn: () => must(api.POST("/api/v1/attendance/notice")),
    onSuccess: () => punch.mutate(lastPos.current),
  });
  const consent = useMutation({
    mutationFn: () =>
      must(
        api.PUT("/api/v1/me/consents/{purpose}", {
          params: { path: { purpose: "location" } },
          body: { granted: true },
        }),
      ),
    onSuccess: () => {
      qc.invalidateQueries({ queryKey: ["me", "consents"] });
      punch.mutate(lastPos.current);
    },
  });

  const tap = async () => {
    setResult(null);
    setGeo(null);
    punch.reset();
    setLocating(true);
    let pos: Position | null = null;
    try {
      pos = await locate();
    } catch (e) {
      setGeo(geoFailure(e));
    }
    setLocating(false);
    lastPos.current = pos;
    if (!pos && !canTryWithoutPosition(today)) return;
    punch.mutate(pos);
  };

  const busy = locating || punch.isPending || notice.isPending || consent.isPending;
  const g = gate(punch.error);
  const far = refusedDistance(punch.error);
  const serverError =
    punch.error && !g && !needsNote(punch.error) && far === undefined ? errorText(t, punch.error) : "";

  return (
    <>
      <p className="muted small">
        {t("attendance.group", { name: today.group_name })}
        {today.places.length > 0 && ` · ${t("attendance.places", { names: today.places.join(", ") })}`}
        {today.networks && ` · ${t("attendance.networksOn")}`}
      </p>
      <div className="att-punch">
        <button
          type="button"
          className="att-big"
          data-kind={kind}
          onClick={tap}
          disabled={busy}
          aria-describedby="att-punch-help"
        >
          <span className="att-big-label">
            {kind === "in" ? t("attendance.checkIn") : t("attendance.checkOut")}
          </span>
          <span className="att-big-time">{hhmm(Date.now(), tz)}</span>
        </button>
        <p id="att-punch-help" className="muted small">
          {locating
            ? t("attendance.locating")
            : punch.isPending
              ? t("attendance.sending")
              : t("attendance.tapHelp")}
        </p>
      </div>

      {geo && (
        <Alert kind="warn">
          {geo === "denied"
            ? t("attendance.geo.denied")
            : geo === "timeout"
              ? t("attendance.geo.timeout")
              : t("attendance.geo.unavailable")}{" "}
          {canTryWithoutPosition(today) ? t("attendance.geo.tryingAnyway") : t("attendance.geo.needed")}
          {geo === "denied" && <PermissionHelp kind="geolocation" />}
        </Alert>
      )}

      {g === "notice" && (
        <section className="card att-gate" aria-labelledby="att-notice-title">
          <h2 id="att-notice-title">{t("attendance.notice.title")}</h2>
          <ul className="att-notice">
            <li>{t("attendance.notice.what")}</li>
            <li>{t("attendance.notice.who")}</li>
            <li>{t("attendance.notice.keep")}</li>
            <li>{t("attendance.notice.rights")}</li>
          </ul>
          {notice.error && <Alert>{errorText(t, notice.error)}</Alert>}
          <button type="button" className="btn btn-primary" disabled={busy} onClick={() => notice.mutate()}>
            {t("attendance.notice.acknowledge")}
          </button>
        </section>
      )}

      {g === "consent" && (
        <section className="card att-gate" aria-labelledby="att-consent-title">
          <h2 id="att-consent-title">{t("attendance.consent.title")}</h2>
          <p>{t("attendance.consent.body")}</p>
          {consent.error && <Alert>{errorText(t, consent.error)}</Alert>}
          <div className="row">
            <button
              type="button"
              className="btn btn-primary"
              disabled={busy}
              onClick={() => consent.mutate()}
            >
              {t("attendance.consent.grant")}
            </button>
            <Link to="/privacy" hash="consents" className="btn">
              {t("attendance.consent.privacyCenter")}
            </Link>
          </div>
        </section>
      )}

      {far !== undefined && (
        <Alert>
          {t("attendance.refused", { distance: distanceText(far) })}
          {today.out_of_area === "refuse" && ` ${t("attendance.refusedRule")}`}
        </Alert>
      )}
      {serverError && <Alert>{serverError}</Alert>}

      {today.out_of_area === "note" && (
        <details className="att-note" open={askNote || note !== ""}>
          <summary>{t("attendance.noteSummary")}</summary>
          {askNote && <Alert kind="warn">{t("attendance.noteNeeded")}</Alert>}
          <label htmlFor={noteId} className="field-label">
            {t("attendance.note")}
          </label>
          <textarea
            id={noteId}
            rows={2}
            maxLength={500}
            value={note}
            onChange={(e) => setNote(e.target.value)}
          />
          {askNote && (
            <button
              type="button"
              className="btn btn-primary"
              disabled={busy || !note.trim()}
              onClick={() => punch.mutate(lastPos.current)}
            >
              {kind === "in" ? t("attendance.checkInWithNote") : t("attendance.checkOutWithNote")}
            </button>
          )}
        </details>
      )}

      {result && <Result r={result} tz={tz} />}
      <DayCard day={result?.day ?? today.day} tz={tz} />
    </>
  );
}

function Result({ r, tz }: { r: CheckIn; tz: string }) {
  const { t } = useTranslation();
  const p = r.punch;
  const when = punctuality(p.kind, r.day);
  return (
    <div className="card att-result" role="status" data-testid="att-result">
      <p className="att-result-head">
        {p.kind === "in"
          ? t("attendance.checkedIn", { time: hhmm(p.at, tz) })
          : t("attendance.checkedOut", { time: hhmm(p.at, tz) })}
      </p>
      <p className="row att-badges">
        {p.in_area ? (
          <span className="badge badge-ok">{t("attendance.inArea")}</span>
        ) : (
          <span className="badge badge-danger">{t("attendance.outOfArea")}</span>
        )}
        {when === "late" && <span className="badge badge-danger">{t("attendance.late")}</span>}
        {when === "early" && <span className="badge badge-danger">{t("attendance.early")}</span>}
        {when === "onTime" && <span className="badge badge-ok">{t("attendance.onTime")}</span>}
      </p>
      {p.matched && <p>{t("attendance.matched", { what: p.matched })}</p>}
      {p.distance_m >= 0 && (
        <p className="muted">{t("attendance.distance", { distance: distanceText(p.distance_m) })}</p>
      )}
    </div>
  );
}

/** DayCard is a day's status: plan, first in, last out and what went wrong. */
export function DayCard({ day, tz }: { day: Day; tz: string }) {
  const { t } = useTranslation();
  const f = flags(t, day);
  return (
    <div className="card att-day" data-testid="att-today">
      <h2>
        {t("attendance.today", { date: day.date })}{" "}
        <span className={`att-status att-${tone(day.status)}`}>{statusText(t, day.status)}</span>
      </h2>
      <dl className="att-times">
        {day.workday && day.start_at > 0 && (
          <div>
            <dt>{t("attendance.plan")}</dt>
            <dd>
              {hhmm(day.start_at, tz)}–{hhmm(day.end_at, tz)}
            </dd>
          </div>
        )}
        <div>
          <dt>{t("attendance.firstIn")}</dt>
          <dd data-testid="att-first-in">{hhmm(day.first_in, tz) || "—"}</dd>
        </div>
        <div>
          <dt>{t("attendance.lastOut")}</dt>
          <dd data-testid="att-last-out">{hhmm(day.last_out, tz) || "—"}</dd>
        </div>
      </dl>
      {f.length > 0 && <p className="small">{f.join(" · ")}</p>}
    </div>
  );
}
