import { useMutation, useQueries, useQuery, useQueryClient } from "@tanstack/react-query";
import { useId, useState } from "react";
import { useTranslation } from "react-i18next";
import { ApiError, api, must } from "../../api/client";
import { Alert, Dialog, Field } from "../../components/ui";
import { errorText } from "../../lib/errors";
import { DepartmentPicker, MemberPicker } from "../approvals/Pickers";
import { Attachments } from "./Attachments";
import { type CalEvent, type Calendar, calendarKey, patchEvent, roomsQuery, type Scope } from "./data";
import {
  apiTimes,
  type Draft,
  type Problems,
  REPEATS,
  splitEmails,
  switchAllDay,
  toInput,
  toPatch,
  VISIBILITIES,
  validate,
} from "./draft";
import { ScopeDialog } from "./Scope";
import { browserZone, wallToMs } from "./time";

/** zones lists the IANA time zones the browser knows (the chosen one first). */
function zones(current: string): string[] {
  const all: string[] =
    typeof Intl.supportedValuesOf === "function"
      ? Intl.supportedValuesOf("timeZone")
      : [browserZone(), "UTC"];
  return [current, ...all.filter((z) => z !== current)];
}

const REMINDER_CHOICES = [0, 5, 10, 15, 30, 60, 120, 1440];

/**
 * Editor creates an event or changes one (edit: the event, and for a
 * recurring one the occurrence it was opened from — the scope is asked on
 * saving). It checks the form first and shows the server's answer, a room
 * already booked above all.
 */
export function Editor({
  initial,
  calendars,
  edit,
  onClose,
  onSaved,
}: {
  initial: Draft;
  calendars: Calendar[];
  edit?: { event: CalEvent; recurrenceId?: string };
  onClose: () => void;
  onSaved: (e: CalEvent) => void;
}) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [d, setD] = useState<Draft>(initial);
  const [problems, setProblems] = useState<Problems>({});
  const [emailText, setEmailText] = useState(initial.emails.join(", "));
  const [askScope, setAskScope] = useState(false);
  const rooms = useQuery(roomsQuery);
  const zoneList = useId();
  const set = (p: Partial<Draft>) => setD((x) => ({ ...x, ...p }));
  const editable = calendars.filter((c) => c.my_access === "edit");

  // The rooms' bookings over the span: which are free.
  const times = apiTimes(d);
  const fromMs = d.allDay ? new Date(`${times.start}T00:00`).getTime() : wallToMs(d.start, d.timeZone);
  const toMs = d.allDay ? new Date(`${times.end}T00:00`).getTime() : wallToMs(d.end, d.timeZone);
  const spanOk = Number.isFinite(fromMs) && Number.isFinite(toMs) && toMs > fromMs;
  const roomList = rooms.data?.items ?? [];
  const bookings = useQueries({
    queries: roomList.map((r) => ({
      queryKey: [...calendarKey, "room-bookings", r.id, fromMs, toMs],
      queryFn: () =>
        must(
          api.GET("/api/v1/rooms/{id}/bookings", {
            params: {
              path: { id: r.id },
              query: { from: new Date(fromMs).toISOString(), to: new Date(toMs).toISOString() },
            },
          }),
        ),
      enabled: spanOk,
    })),
  });
  const busyRoom = (i: number) =>
    (bookings[i]?.data?.items ?? []).some(
      (b) => b.event_id !== edit?.event.id && b.start_at < toMs && b.end_at > fromMs,
    );

  const save = useMutation({
    mutationFn: async (scope: Scope) => {
      const draft = { ...d, emails: splitEmails(emailText) };
      if (!edit) return must(api.POST("/api/v1/events", { body: toInput(draft) }));
      const body = toPatch(draft, scope);
      if (
        scope === "all" &&
        edit.recurrenceId &&
        draft.start === initial.start &&
        draft.end === initial.end
      ) {
        // The times were not touched: keep the series' own (and its changed occurrences).
        delete body.start;
        delete body.end;
      }
      return patchEvent(edit.event.id, body, scope, edit.recurrenceId);
    },
    onSuccess: (e) => {
      qc.invalidateQueries({ queryKey: calendarKey });
      onSaved(e);
    },
  });

  const submit = () => {
    const draft = { ...d, emails: splitEmails(emailText) };
    const p = validate(draft);
    setProblems(p);
    if (Object.keys(p).length > 0) return;
    if (edit?.recurrenceId && edit.event.rrule) setAskScope(true);
    else save.mutate("all");
  };

  const roomName = (id: unknown) => roomList.find((r) => r.id === id)?.name ?? "";
  const saveError =
    save.error instanceof ApiError && save.error.code === "room_unavailable"
      ? t("calendar.editor.roomTaken", {
          room: roomName(save.error.details?.room_id) || t("calendar.editor.aRoom"),
        })
      : save.error
        ? errorText(t, save.error)
        : "";
  const err = (k?: string) => (k ? t(k) : undefined);

  return (
    <Dialog
      open
      side
      title={edit ? t("calendar.editor.editTitle") : t("calendar.editor.newTitle")}
      onClose={onClose}
    >
      <form
        className="stack cal-editor"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <Field
          label={t("calendar.editor.title")}
          value={d.title}
          required
          autoFocus
          error={err(problems.title)}
          onChange={(e) => set({ title: e.target.value })}
        />
        {!edit && (
          <div className="field">
            <label className="field-label">
              {t("calendar.editor.calendar")}
              <select value={d.calendarId} onChange={(e) => set({ calendarId: e.target.value })}>
                {editable.map((c) => (
                  <option key={c.id} value={c.kind === "personal" ? "" : c.id}>
                    {c.kind === "personal" ? t("calendar.myCalendar") : c.name}
                  </option>
                ))}
              </select>
            </label>
          </div>
        )}
        <label className="checkbox">
          <input
            type="checkbox"
            checked={d.allDay}
            onChange={(e) => setD(switchAllDay(d, e.target.checked))}
          />
          {t("calendar.allDay")}
        </label>
        <div className="cal-two">
          <Field
            label={t("calendar.editor.start")}
            type={d.allDay ? "date" : "datetime-local"}
            value={d.start}
            error={err(problems.start)}
            onChange={(e) => {
              const v = e.target.value;
              // Keep the length when the start moves.
              if (
                !d.allDay &&
                /T\d{2}:\d{2}$/.test(v) &&
                /T\d{2}:\d{2}$/.test(d.start) &&
                /T\d{2}:\d{2}$/.test(d.end)
              ) {
                const len = new Date(d.end).getTime() - new Date(d.start).getTime();
                const ne = new Date(new Date(v).getTime() + Math.max(len, 15 * 60_000));
                const p = (n: number) => String(n).padStart(2, "0");
                set({
                  start: v,
                  end: `${ne.getFullYear()}-${p(ne.getMonth() + 1)}-${p(ne.getDate())}T${p(ne.getHours())}:${p(ne.getMinutes())}`,
                });
              } else set({ start: v });
            }}
          />
          <Field
            label={d.allDay ? t("calendar.editor.lastDay") : t("calendar.editor.end")}
            type={d.allDay ? "date" : "datetime-local"}
            value={d.end}
            error={err(problems.end)}
            onChange={(e) => set({ end: e.target.value })}
          />
        </div>
        {!d.allDay && (
          <Field
            label={t("calendar.editor.timeZone")}
            value={d.timeZone}
            list={zoneList}
            error={err(problems.timeZone)}
            onChange={(e) => set({ timeZone: e.target.value })}
          />
        )}
        <datalist id={zoneList}>
          {zones(d.timeZone).map((z) => (
            <option key={z} value={z} />
          ))}
        </datalist>
        <div className="field">
          <label className="field-label">
            {t("calendar.editor.repeat")}
            <select
              value={d.repeat}
              disabled={!!edit?.recurrenceId && !edit.event.rrule}
              onChange={(e) => set({ repeat: e.target.value as Draft["repeat"] })}
            >
              {REPEATS.map((r) => (
                <option key={r} value={r}>
                  {t(`calendar.repeat.${r}`)}
                </option>
              ))}
            </select>
          </label>
        </div>
        {d.repeat === "custom" && (
          <Field
            label={t("calendar.editor.rrule")}
            value={d.rrule}
            placeholder="FREQ=WEEKLY;BYDAY=MO,WE;COUNT=10"
            hint={t("calendar.editor.rruleHint")}
            error={err(problems.rrule)}
            onChange={(e) => set({ rrule: e.target.value })}
          />
        )}
        <Field
          label={t("calendar.editor.location")}
          value={d.location}
          onChange={(e) => set({ location: e.target.value })}
        />
        <div className="field">
          <label className="field-label">
            {t("calendar.editor.description")}
            <textarea rows={3} value={d.description} onChange={(e) => set({ description: e.target.value })} />
          </label>
        </div>
        <Attachments files={d.files} onChange={(files) => set({ files })} />
        <MemberPicker
          label={t("calendar.editor.people")}
          value={d.memberIds}
          multiple
          onChange={(ids) => set({ memberIds: ids })}
        />
        <details className="cal-more-fields">
          <summary>{t("calendar.editor.departments")}</summary>
          <DepartmentPicker
            label={t("calendar.editor.departments")}
            value={d.departmentIds}
            multiple
            onChange={(ids) => set({ departmentIds: ids })}
          />
        </details>
        <Field
          label={t("calendar.editor.emails")}
          hint={t("calendar.editor.emailsHint")}
          value={emailText}
          error={err(problems.emails)}
          onChange={(e) => setEmailText(e.target.value)}
        />
        <fieldset className="checks">
          <legend className="field-label">{t("calendar.editor.rooms")}</legend>
          {roomList.length === 0 && <p className="muted small">{t("calendar.rooms.none")}</p>}
          {roomList.map((r, i) => (
            <label key={r.id} className="checkbox">
              <input
                type="checkbox"
                checked={d.roomIds.includes(r.id)}
                onChange={(e) =>
                  set({
                    roomIds: e.target.checked ? [...d.roomIds, r.id] : d.roomIds.filter((x) => x !== r.id),
                  })
                }
              />
              <span>
                {r.name}{" "}
                <span className="muted small">
                  {t("calendar.rooms.capacity", { count: r.capacity })}
                  {r.location ? ` · ${r.location}` : ""}
                </span>{" "}
                {spanOk && bookings[i]?.data && (
                  <span className={busyRoom(i) ? "badge badge-danger" : "badge badge-ok"}>
                    {busyRoom(i) ? t("calendar.rooms.booked") : t("calendar.rooms.free")}
                  </span>
                )}
              </span>
            </label>
          ))}
        </fieldset>
        <fieldset className="checks">
          <legend className="field-label">{t("calendar.editor.reminders")}</legend>
          {d.reminders.map((r, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: reminders are edited in place by position
            <div key={i} className="row">
              <select
                aria-label={t("calendar.editor.reminderWhen")}
                value={r.minutes}
                onChange={(e) =>
                  set({
                    reminders: d.reminders.map((x, j) =>
                      j === i ? { ...x, minutes: Number(e.target.value) } : x,
                    ),
                  })
                }
              >
                {[...new Set([...REMINDER_CHOICES, r.minutes])].map((m) => (
                  <option key={m} value={m}>
                    {t("calendar.reminder.before", { count: m })}
                  </option>
                ))}
              </select>
              <label className="checkbox">
                <input
                  type="checkbox"
                  checked={r.email}
                  onChange={(e) =>
                    set({
                      reminders: d.reminders.map((x, j) => (j === i ? { ...x, email: e.target.checked } : x)),
                    })
                  }
                />
                {t("calendar.editor.byEmail")}
              </label>
              <button
                type="button"
                className="btn btn-small"
                onClick={() => set({ reminders: d.reminders.filter((_, j) => j !== i) })}
              >
                {t("calendar.editor.remove")}
              </button>
            </div>
          ))}
          {d.reminders.length < 5 && (
            <button
              type="button"
              className="btn btn-small"
              onClick={() => set({ reminders: [...d.reminders, { minutes: 30, email: false }] })}
            >
              {t("calendar.editor.addReminder")}
            </button>
          )}
          {problems.reminders && <span className="error-text small">{t(problems.reminders)}</span>}
        </fieldset>
        <div className="field">
          <label className="field-label">
            {t("calendar.editor.visibility")}
            <select value={d.visibility} onChange={(e) => set({ visibility: e.target.value })}>
              {VISIBILITIES.map((v) => (
                <option key={v} value={v}>
                  {t(`enums.event_visibility.${v}`)}
                </option>
              ))}
            </select>
          </label>
        </div>
        {d.conversationId && <Alert kind="info">{t("calendar.editor.fromChat")}</Alert>}
        {saveError && <Alert>{saveError}</Alert>}
        <div className="dialog-actions">
          <button type="button" className="btn" onClick={onClose}>
            {t("common.cancel")}
          </button>
          <button type="submit" className="btn btn-primary" disabled={save.isPending}>
            {t("common.save")}
          </button>
        </div>
      </form>
      <ScopeDialog
        open={askScope}
        title={t("calendar.scope.editTitle")}
        onClose={() => setAskScope(false)}
        onPick={(s) => {
          setAskScope(false);
          save.mutate(s);
        }}
      />
    </Dialog>
  );
}
