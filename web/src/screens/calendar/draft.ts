// The event editor's model: what the form holds, its checks, and the
// request it becomes. Times are wall-clock in the chosen time zone; an
// all-day event's end date is its last day on screen (the API takes the
// day after, as in iCalendar).
import type { Schemas } from "../../api/client";
import { addDays, localWall, parseYmd, wallClock, ymd } from "./time";

export type Repeat = "none" | "daily" | "weekly" | "monthly" | "yearly" | "custom";
export const REPEATS: Repeat[] = ["none", "daily", "weekly", "monthly", "yearly", "custom"];
export const VISIBILITIES = ["default", "private"] as const;

export type Draft = {
  title: string;
  calendarId: string;
  allDay: boolean;
  /** start, end: YYYY-MM-DDTHH:MM, or YYYY-MM-DD when all-day (end = last day). */
  start: string;
  end: string;
  timeZone: string;
  repeat: Repeat;
  rrule: string;
  location: string;
  description: string;
  memberIds: string[];
  departmentIds: string[];
  emails: string[];
  roomIds: string[];
  reminders: Schemas["CalendarReminder"][];
  visibility: string;
  conversationId: string;
  /** files are the attachments, in order (uploaded, or already the event's). */
  files: Schemas["CalendarFile"][];
};

export function emptyDraft(start: Date, end: Date, timeZone: string): Draft {
  return {
    title: "",
    calendarId: "",
    allDay: false,
    start: localWall(start),
    end: localWall(end),
    timeZone,
    repeat: "none",
    rrule: "",
    location: "",
    description: "",
    memberIds: [],
    departmentIds: [],
    emails: [],
    roomIds: [],
    reminders: [{ minutes: 10, email: false }],
    visibility: "default",
    conversationId: "",
    files: [],
  };
}

/** repeatOf names a rule the simple choice can show; anything else is custom. */
export function repeatOf(rrule: string): Repeat {
  const r = rrule.trim().toUpperCase();
  if (!r) return "none";
  const m = /^FREQ=(DAILY|WEEKLY|MONTHLY|YEARLY)$/.exec(r);
  return m ? (m[1].toLowerCase() as Repeat) : "custom";
}

/** ruleOf is the RRULE a choice means. */
export function ruleOf(d: Pick<Draft, "repeat" | "rrule">): string {
  if (d.repeat === "none") return "";
  if (d.repeat === "custom") return d.rrule.trim().replace(/^RRULE:/i, "");
  return `FREQ=${d.repeat.toUpperCase()}`;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const RULE = /^FREQ=(SECONDLY|MINUTELY|HOURLY|DAILY|WEEKLY|MONTHLY|YEARLY)(;[A-Z]+=[A-Z0-9,+\-:T]+)*$/i;

/** Problems maps a field to the i18n key of what is wrong with it. */
export type Problems = Partial<
  Record<"title" | "start" | "end" | "rrule" | "emails" | "reminders" | "timeZone", string>
>;

/** validate checks a draft before it is sent (the server checks again). */
export function validate(d: Draft): Problems {
  const p: Problems = {};
  if (!d.title.trim()) p.title = "calendar.editor.needTitle";
  if (!d.timeZone.trim()) p.timeZone = "calendar.editor.needZone";
  if (d.allDay) {
    const s = parseYmd(d.start);
    const e = parseYmd(d.end);
    if (!s) p.start = "calendar.editor.badDate";
    if (!e) p.end = "calendar.editor.badDate";
    else if (s && e < s) p.end = "calendar.editor.endBeforeStart";
  } else {
    const ok = (x: string) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(x);
    if (!ok(d.start)) p.start = "calendar.editor.badTime";
    if (!ok(d.end)) p.end = "calendar.editor.badTime";
    else if (ok(d.start) && d.end <= d.start) p.end = "calendar.editor.endBeforeStart";
  }
  if (d.repeat === "custom" && !RULE.test(ruleOf(d))) p.rrule = "calendar.editor.badRule";
  if (d.emails.some((e) => !EMAIL.test(e))) p.emails = "calendar.editor.badEmail";
  if (
    d.reminders.length > 5 ||
    d.reminders.some((r) => !Number.isInteger(r.minutes) || r.minutes < 0 || r.minutes > 10080)
  )
    p.reminders = "calendar.editor.badReminder";
  return p;
}

/** splitEmails reads a list of addresses separated by commas, semicolons or spaces. */
export function splitEmails(s: string): string[] {
  return s
    .split(/[\s,;]+/)
    .map((x) => x.trim())
    .filter(Boolean);
}

/** apiTimes are the start and end the API takes. */
export function apiTimes(d: Draft): { start: string; end: string } {
  if (!d.allDay) return { start: d.start, end: d.end };
  const e = parseYmd(d.end);
  return { start: d.start, end: e ? ymd(addDays(e, 1)) : d.end };
}

/** toInput is the create request of a draft. */
export function toInput(d: Draft): Schemas["CalendarEventInput"] {
  return {
    ...apiTimes(d),
    calendar_id: d.calendarId,
    title: d.title.trim(),
    description: d.description,
    location: d.location.trim(),
    time_zone: d.timeZone,
    all_day: d.allDay,
    rrule: ruleOf(d),
    rdates: [],
    exdates: [],
    visibility: d.visibility,
    reminders: d.reminders,
    attendees: {
      member_ids: d.memberIds,
      department_ids: d.departmentIds,
      emails: d.emails,
      room_ids: d.roomIds,
    },
    conversation_id: d.conversationId,
    file_ids: d.files.map((f) => f.id),
  };
}

/** toPatch is the change request of a draft: for one occurrence, only what an occurrence may change. */
export function toPatch(d: Draft, scope: "all" | "this" | "following"): Schemas["CalendarEventPatch"] {
  const base = {
    title: d.title.trim(),
    description: d.description,
    location: d.location.trim(),
    ...apiTimes(d),
  };
  if (scope === "this") return base;
  const full: Schemas["CalendarEventPatch"] = {
    ...base,
    time_zone: d.timeZone,
    all_day: d.allDay,
    visibility: d.visibility,
    reminders: d.reminders,
    attendees: {
      member_ids: d.memberIds,
      department_ids: d.departmentIds,
      emails: d.emails,
      room_ids: d.roomIds,
    },
  };
  // Attachments belong to the whole series.
  if (scope === "all") full.file_ids = d.files.map((f) => f.id);
  // The following part of a series is a new event from this occurrence, with the rule as edited.
  return { ...full, rrule: ruleOf(d) };
}

/** fromEvent is the draft of an existing event (or one occurrence of it, by its start and end in ms). */
export function fromEvent(e: Schemas["CalendarEvent"], occ?: { startAt: number; endAt: number }): Draft {
  const allDayEnd = (end: string) => {
    const x = parseYmd(end);
    return x ? ymd(addDays(x, -1)) : end;
  };
  let start = e.start;
  let end = e.all_day ? allDayEnd(e.end) : e.end;
  if (occ && !e.all_day) {
    start = wallClock(occ.startAt, e.time_zone);
    end = wallClock(occ.endAt, e.time_zone);
  }
  return {
    title: e.title,
    calendarId: e.calendar_id,
    allDay: e.all_day,
    start: e.all_day ? start.slice(0, 10) : start.slice(0, 16),
    end: e.all_day ? end.slice(0, 10) : end.slice(0, 16),
    timeZone: e.time_zone,
    repeat: repeatOf(e.rrule),
    rrule: e.rrule,
    location: e.location,
    description: e.description,
    memberIds: e.attendees
      .filter((a) => a.kind === "member" && !a.organizer && a.member_id && !a.department_id)
      .map((a) => a.member_id ?? ""),
    departmentIds: [...new Set(e.attendees.filter((a) => a.department_id).map((a) => a.department_id ?? ""))],
    emails: e.attendees.filter((a) => a.kind === "external" && a.email).map((a) => a.email ?? ""),
    roomIds: e.attendees.filter((a) => a.kind === "room" && a.room_id).map((a) => a.room_id ?? ""),
    reminders: e.reminders,
    visibility: e.visibility,
    conversationId: "",
    files: e.attachments ?? [],
  };
}

/** switchAllDay turns timed values into dates and back (09:00–10:00 on the start day). */
export function switchAllDay(d: Draft, allDay: boolean): Draft {
  if (allDay === d.allDay) return d;
  if (allDay) return { ...d, allDay, start: d.start.slice(0, 10), end: d.end.slice(0, 10) };
  return { ...d, allDay, start: `${d.start.slice(0, 10)}T09:00`, end: `${d.start.slice(0, 10)}T10:00` };
}
