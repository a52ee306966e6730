import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, useNavigate } from "@tanstack/react-router";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Alert, Avatar, ConfirmDialog } from "../../components/ui";
import { errorText } from "../../lib/errors";
import { useCurrentOrg } from "../../lib/org";
import { FileList } from "./Attachments";
import {
  type CalEvent,
  calendarKey,
  calendarsQuery,
  deleteEvent,
  eventQuery,
  roomsQuery,
  type Scope,
} from "./data";
import { fromEvent } from "./draft";
import { Editor } from "./Editor";
import { RsvpButtons } from "./Rsvp";
import { ScopeDialog } from "./Scope";
import { CalendarTabs } from "./Tabs";

/** occurrenceTimes are the start and end of one occurrence (its override's, or the series' length from its original start). */
export function occurrenceTimes(e: CalEvent, recurrenceId?: string): { startAt: number; endAt: number } {
  if (!recurrenceId) return { startAt: e.start_at, endAt: e.end_at };
  const ov = e.overrides.find((o) => o.recurrence_id === recurrenceId);
  if (ov) return { startAt: ov.start_at, endAt: ov.end_at };
  const s = Date.parse(recurrenceId);
  if (Number.isNaN(s)) return { startAt: e.start_at, endAt: e.end_at };
  return { startAt: s, endAt: s + (e.end_at - e.start_at) };
}

/** whenText says when an event (or one occurrence) takes place, in the UI language and the browser's zone. */
export function whenText(
  lang: string,
  e: Pick<CalEvent, "all_day" | "start" | "end">,
  startAt: number,
  endAt: number,
): string {
  const loc = lang.startsWith("zh") ? "zh-CN" : "en";
  if (e.all_day) {
    const f = new Intl.DateTimeFormat(loc, { dateStyle: "medium", timeZone: "UTC" });
    const s = Date.parse(`${e.start.slice(0, 10)}T00:00:00Z`);
    const last = Date.parse(`${e.end.slice(0, 10)}T00:00:00Z`) - 86_400_000;
    return last > s ? `${f.format(s)} – ${f.format(last)}` : f.format(s);
  }
  const f = new Intl.DateTimeFormat(loc, { dateStyle: "medium", timeStyle: "short" });
  const sameDay = new Date(startAt).toDateString() === new Date(endAt).toDateString();
  const tail = sameDay ? new Intl.DateTimeFormat(loc, { timeStyle: "short" }).format(endAt) : f.format(endAt);
  return `${f.format(startAt)} – ${tail}`;
}

/** EventDetail is one event: when, where, who and their answers; my answer; the organizer's edit and delete. */
export function EventDetail({ id, occurrence }: { id: string; occurrence?: string }) {
  const { t, i18n } = useTranslation();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const q = useQuery(eventQuery(id));
  const me = useCurrentOrg()?.member_id;
  const cals = useQuery(calendarsQuery);
  const rooms = useQuery(roomsQuery);
  const [editing, setEditing] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [askScope, setAskScope] = useState(false);
  const remove = useMutation({
    mutationFn: (scope: Scope) => deleteEvent(id, scope, occurrence),
    onSuccess: () => {
      qc.invalidateQueries({ queryKey: calendarKey });
      void navigate({ to: "/calendar" });
    },
  });
  const e = q.data;
  if (q.error)
    return (
      <section className="page cal-wrap" aria-labelledby="page-title">
        <h1 id="page-title">{t("calendar.title")}</h1>
        <CalendarTabs />
        <Alert>{errorText(t, q.error)}</Alert>
      </section>
    );
  if (!e) return <p className="muted page">{t("calendar.loading")}</p>;
  const occ = occurrenceTimes(e, e.rrule ? occurrence : undefined);
  const ov = e.overrides.find((o) => o.recurrence_id === occurrence);
  const title = ov?.title || e.title;
  const location = ov ? ov.location : e.location;
  const description = ov ? ov.description : e.description;
  const cal = cals.data?.items.find((c) => c.id === e.calendar_id);
  const roomName = (rid?: string) => rooms.data?.items.find((r) => r.id === rid)?.name ?? rid ?? "";
  const people = e.attendees.filter((a) => a.kind !== "room");
  const roomsBooked = e.attendees.filter((a) => a.kind === "room");
  const isAttendee = e.my_rsvp !== undefined && e.my_rsvp !== "";
  const organizerIsMe = e.organizer.member_id === me;
  return (
    <section className="page cal-wrap" aria-labelledby="page-title">
      <h1 id="page-title">{t("calendar.title")}</h1>
      <CalendarTabs />
      <article className="cal-detail stack" data-testid="cal-detail">
        <h2 className="rep-sub">{title}</h2>
        <p>
          <strong>{whenText(i18n.language, e, occ.startAt, occ.endAt)}</strong>
          {e.rrule && <span className="muted small"> · {t("calendar.detail.recurring")}</span>}
        </p>
        {!e.all_day && e.time_zone && (
          <p className="muted small">{t("calendar.detail.zone", { zone: e.time_zone })}</p>
        )}
        {location && <p>📍 {location}</p>}
        {roomsBooked.length > 0 && (
          <p>
            {t("calendar.detail.rooms")}: {roomsBooked.map((r) => roomName(r.room_id)).join(", ")}
          </p>
        )}
        {description && <p className="cal-description">{description}</p>}
        {e.attachments?.length ? (
          <section aria-label={t("calendar.editor.attachments")}>
            <h3 className="field-label">{t("calendar.editor.attachments")}</h3>
            <FileList files={e.attachments} />
          </section>
        ) : null}
        <p className="muted small">
          {t("calendar.detail.organizer", { name: e.organizer.name })}
          {cal && ` · ${cal.kind === "personal" ? t("calendar.myCalendar") : cal.name}`}
          {` · ${t(`enums.event_visibility.${e.visibility}`)}`}
        </p>
        {isAttendee && !organizerIsMe && (
          <div>
            <h3 className="field-label">{t("calendar.rsvp.yourAnswer")}</h3>
            <RsvpButtons eventId={e.id} mine={e.my_rsvp} />
          </div>
        )}
        <div>
          <h3 className="field-label">{t("calendar.detail.attendees")}</h3>
          <p className="muted small" data-testid="cal-counts">
            {t("calendar.detail.counts", {
              accepted: e.counts.accepted,
              tentative: e.counts.tentative,
              declined: e.counts.declined,
              waiting: e.counts.needs_action,
            })}
          </p>
          <ul className="cal-people">
            {people.map((a) => (
              <li
                key={`${a.kind}/${a.member_id ?? a.email}`}
                className="row cal-person"
                data-testid="cal-attendee"
              >
                <Avatar name={a.name || a.email || "?"} small />
                <span className="grow">
                  {a.name || a.email}
                  {a.organizer && <span className="muted small"> · {t("calendar.detail.organizerTag")}</span>}
                </span>
                <span
                  className={
                    a.rsvp === "accepted"
                      ? "badge badge-ok"
                      : a.rsvp === "declined"
                        ? "badge badge-danger"
                        : "badge badge-muted"
                  }
                >
                  {t(`enums.rsvp.${a.rsvp}`)}
                </span>
              </li>
            ))}
          </ul>
        </div>
        {e.conversation_id && (
          <p>
            <Link to="/chat/$id" params={{ id: e.conversation_id }}>
              {t("calendar.detail.openChat")}
            </Link>
          </p>
        )}
        {e.can_edit && (
          <div className="row">
            <button type="button" className="btn" onClick={() => setEditing(true)}>
              {t("calendar.detail.edit")}
            </button>
            <button
              type="button"
              className="btn btn-danger"
              onClick={() => (e.rrule && occurrence ? setAskScope(true) : setConfirmDelete(true))}
            >
              {t("calendar.detail.delete")}
            </button>
          </div>
        )}
        {remove.error && <Alert>{errorText(t, remove.error)}</Alert>}
      </article>
      {editing && (
        <Editor
          initial={fromEvent(e, e.rrule && occurrence ? occ : undefined)}
          calendars={cals.data?.items ?? []}
          edit={{ event: e, recurrenceId: e.rrule ? occurrence : undefined }}
          onClose={() => setEditing(false)}
          onSaved={(n) => {
            setEditing(false);
            if (n.id !== e.id)
              void navigate({ to: "/calendar/events/$id", params: { id: n.id }, search: {} });
          }}
        />
      )}
      <ConfirmDialog
        open={confirmDelete}
        title={t("calendar.detail.deleteTitle")}
        confirm={t("calendar.detail.delete")}
        danger
        pending={remove.isPending}
        error={remove.error ? errorText(t, remove.error) : undefined}
        onConfirm={() => remove.mutate("all")}
        onClose={() => setConfirmDelete(false)}
      >
        {t("calendar.detail.deleteBody", { title })}
      </ConfirmDialog>
      <ScopeDialog
        open={askScope}
        title={t("calendar.scope.deleteTitle")}
        onClose={() => setAskScope(false)}
        onPick={(s) => {
          setAskScope(false);
          remove.mutate(s);
        }}
      />
    </section>
  );
}
