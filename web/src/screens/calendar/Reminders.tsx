// In-app reminders: each "calendar.reminder" the stream delivers (the
// server's reminder job, internal/calendar/remind.go, with the event's id
// and the occurrence's start) pops up with the event's title and time,
// "Open" (the event) and "Dismiss"; Escape dismisses the newest.
import { useQuery } from "@tanstack/react-query";
import { useNavigate } from "@tanstack/react-router";
import { useCallback, useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import type { Stream, StreamFrame } from "../../lib/stream";
import { eventQuery } from "./data";

/** Due is one reminder shown: an event's occurrence. */
export type Due = { key: string; eventId: string; startAt: number };

/** MAX_SHOWN bounds the pop-ups on screen (the oldest goes first). */
const MAX_SHOWN = 3;

/** STALE is how long after its start a reminder is still worth showing (a replay after a reconnection). */
const STALE = 60 * 60_000;

/** reminderOf reads a stream frame: the reminder it carries, if any. */
export function reminderOf(f: StreamFrame, now = Date.now()): Due | null {
  if (f.type !== "event" || f.event !== "calendar.reminder") return null;
  const eventId = typeof f.data.event_id === "string" ? f.data.event_id : "";
  const start = typeof f.data.start === "string" ? Date.parse(f.data.start) : Number.NaN;
  if (!eventId || Number.isNaN(start) || start < now - STALE) return null;
  return { key: `${eventId}@${start}`, eventId, startAt: start };
}

/** ReminderPopups shows the reminders the stream delivers to this tab. */
export function ReminderPopups({ stream }: { stream: Stream | null }) {
  const [shown, setShown] = useState<Due[]>([]);
  const dismiss = useCallback((key: string) => setShown((xs) => xs.filter((x) => x.key !== key)), []);

  useEffect(() => {
    if (!stream) return;
    return stream.on((f) => {
      const due = reminderOf(f);
      if (!due) return;
      setShown((xs) => (xs.some((x) => x.key === due.key) ? xs : [...xs, due].slice(-MAX_SHOWN)));
    });
  }, [stream]);

  useEffect(() => {
    if (shown.length === 0) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== "Escape" || e.defaultPrevented) return;
      // A dialog open above the pop-ups closes first.
      if (document.querySelector("dialog[open]")) return;
      setShown((xs) => xs.slice(0, -1));
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [shown.length]);

  if (shown.length === 0) return null;
  return (
    <section className="reminders" aria-live="polite">
      {shown.map((d) => (
        <ReminderPopup key={d.key} due={d} onClose={() => dismiss(d.key)} />
      ))}
    </section>
  );
}

function ReminderPopup({ due, onClose }: { due: Due; onClose: () => void }) {
  const { t, i18n } = useTranslation();
  const navigate = useNavigate();
  const q = useQuery(eventQuery(due.eventId));
  const gone = q.isError;
  useEffect(() => {
    if (gone) onClose(); // deleted, or no longer visible: nothing to remind of
  }, [gone, onClose]);
  const e = q.data;
  const title = e ? e.title || t("calendar.untitled") : "";
  const loc = i18n.language.startsWith("zh") ? "zh-CN" : "en";
  const time = e?.all_day
    ? new Intl.DateTimeFormat(loc, { dateStyle: "medium", timeZone: "UTC" }).format(
        Date.parse(`${e.start.slice(0, 10)}T00:00:00Z`),
      )
    : new Intl.DateTimeFormat(loc, { dateStyle: "medium", timeStyle: "short" }).format(due.startAt);
  return (
    <div
      className="reminder"
      role="alertdialog"
      aria-label={t("calendar.popup.label", { title })}
      data-testid="cal-reminder"
    >
      <div className="reminder-head">{t("calendar.popup.heading")}</div>
      <strong className="reminder-title">{title || "…"}</strong>
      <div className="reminder-time">{t("calendar.popup.starts", { time })}</div>
      <div className="reminder-actions">
        <button
          type="button"
          className="btn btn-primary"
          onClick={() => {
            onClose();
            void navigate({ to: "/calendar/events/$id", params: { id: due.eventId }, search: {} });
          }}
        >
          {t("calendar.popup.open")}
        </button>
        <button type="button" className="btn" onClick={onClose}>
          {t("calendar.popup.dismiss")}
        </button>
      </div>
    </div>
  );
}
