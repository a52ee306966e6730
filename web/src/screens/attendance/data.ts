// Attendance: the API's shapes, queries and the rules the screens share
// (the calendar grid, status colours, months, the punch payload).
import type { TFunction } from "i18next";
import { ApiError, api, must, type Schemas } from "../../api/client";
import { type GeoFailure, getPosition } from "../../lib/permissions";

export type Today = Schemas["AttendanceToday"];
export type Day = Schemas["AttendanceDay"];
export type Punch = Schemas["AttendancePunch"];
export type Month = Schemas["AttendanceMonth"];
export type CheckIn = Schemas["AttendanceCheckIn"];
export type Group = Schemas["AttendanceGroup"];
export type GroupInput = Schemas["AttendanceGroupInput"];
export type Rules = Schemas["AttendanceRules"];
export type Place = Schemas["AttendancePlace"];
export type Shift = Schemas["AttendanceShift"];
export type Holiday = Schemas["AttendanceHoliday"];
export type Team = Schemas["AttendanceTeam"];
export type MonthlyReport = Schemas["AttendanceMonthlyReport"];
export type RosterEntry = Schemas["AttendanceRosterEntry"];

/** Every attendance query starts with this key. */
export const attendanceKey = ["attendance"] as const;

export const todayQuery = {
  queryKey: [...attendanceKey, "today"] as const,
  queryFn: () => must(api.GET("/api/v1/attendance/today")),
  retry: false,
};

export const monthQuery = (month: string) => ({
  queryKey: [...attendanceKey, "month", month] as const,
  queryFn: () => must(api.GET("/api/v1/attendance/month", { params: { query: { month } } })),
  retry: false,
});

export const groupsQuery = {
  queryKey: [...attendanceKey, "groups"] as const,
  queryFn: () => must(api.GET("/api/v1/attendance-groups")),
};

/** newClientId is a fresh idempotency key for one check-in (its retries reuse it). */
export function newClientId(): string {
  if (typeof crypto !== "undefined" && "randomUUID" in crypto) return crypto.randomUUID();
  return `c${Date.now().toString(36)}${Math.random().toString(36).slice(2)}`;
}

/** Position is a position as the API takes it: decimal strings. */
export type Position = { lat: string; lng: string };

/** fromCoords turns a browser position into the API's decimal strings (about 1 m precision). */
export function fromCoords(c: { latitude: number; longitude: number }): Position {
  return { lat: c.latitude.toFixed(6), lng: c.longitude.toFixed(6) };
}

export type { GeoFailure };

/**
 * locate asks the browser for a fresh position (never a cached one); called
 * only when the person taps (lib/permissions.ts asks in context).
 */
export async function locate(timeout = 10_000): Promise<Position> {
  return fromCoords((await getPosition(timeout)).coords);
}

/** geoFailure narrows a rejection of locate. */
export function geoFailure(e: unknown): GeoFailure {
  return e === "denied" || e === "timeout" ? e : "unavailable";
}

/** nextKind is what the big button does: check in when the day has no check-in, else check out. */
export function nextKind(day: Pick<Day, "first_in"> | undefined): "in" | "out" {
  return day && day.first_in > 0 ? "out" : "in";
}

/**
 * canTryWithoutPosition says whether a check-in without a position may
 * still succeed: the group lists networks (the server matches the Wi-Fi or
 * the office address), has no places at all (anywhere counts), or accepts
 * out-of-area check-ins with a note.
 */
export function canTryWithoutPosition(today: Pick<Today, "networks" | "places" | "out_of_area">): boolean {
  return today.networks || today.places.length === 0 || today.out_of_area === "note";
}

/** gate is the privacy step a 403 asks for before a check-in ("" for other errors). */
export function gate(e: unknown): "notice" | "consent" | "" {
  if (!(e instanceof ApiError)) return "";
  if (e.code === "notice_required") return "notice";
  if (e.code === "consent_required") return "consent";
  return "";
}

/** needsNote reports whether the server asks for a note (an out-of-area check-in under the note rule). */
export function needsNote(e: unknown): boolean {
  return e instanceof ApiError && e.code === "invalid_field" && e.details?.field === "note";
}

/** refusedDistance is the distance an out_of_area refusal reports (undefined for other errors). */
export function refusedDistance(e: unknown): number | undefined {
  if (!(e instanceof ApiError) || e.code !== "out_of_area") return undefined;
  const d = e.details?.distance_m;
  return typeof d === "number" ? d : undefined;
}

/** Tone is the colour family of a day's status. */
export type Tone = "ok" | "warn" | "bad" | "info" | "muted";

/** STATUSES are the day statuses the server computes (docs/attendance.md). */
export const STATUSES = [
  "rest",
  "upcoming",
  "pending",
  "working",
  "normal",
  "abnormal",
  "absent",
  "leave",
  "trip",
] as const;

/** tone is the colour of a status. */
export function tone(status: string): Tone {
  switch (status) {
    case "normal":
      return "ok";
    case "abnormal":
      return "warn";
    case "absent":
      return "bad";
    case "working":
    case "leave":
    case "trip":
      return "info";
    default:
      return "muted";
  }
}

/** statusText is a status in the UI language. */
export function statusText(t: TFunction, status: string): string {
  switch (status) {
    case "rest":
      return t("attendance.status.rest");
    case "upcoming":
      return t("attendance.status.upcoming");
    case "pending":
      return t("attendance.status.pending");
    case "working":
      return t("attendance.status.working");
    case "normal":
      return t("attendance.status.normal");
    case "abnormal":
      return t("attendance.status.abnormal");
    case "absent":
      return t("attendance.status.absent");
    case "leave":
      return t("attendance.status.leave");
    case "trip":
      return t("attendance.status.trip");
    default:
      return status;
  }
}

/** flags lists what went wrong on a day, in the UI language (late 12 min, missing check-out…). */
export function flags(t: TFunction, d: Day): string[] {
  const out: string[] = [];
  if (d.late) out.push(t("attendance.flag.late", { count: d.late_minutes }));
  if (d.early_leave) out.push(t("attendance.flag.early", { count: d.early_minutes }));
  if (d.missing_in) out.push(t("attendance.flag.missingIn"));
  if (d.missing_out) out.push(t("attendance.flag.missingOut"));
  if (d.out_of_area) out.push(t("attendance.flag.outOfArea"));
  if (d.corrected) out.push(t("attendance.flag.corrected"));
  if (d.overtime_minutes > 0) out.push(t("attendance.flag.overtime", { count: d.overtime_minutes }));
  return out;
}

/**
 * punctuality is how a check-in stood against the day's plan: a check-in
 * late or on time, a check-out early or on time ("" when there is no plan).
 */
export function punctuality(kind: string, d: Day): "late" | "early" | "onTime" | "" {
  if (!d.workday) return "";
  if (kind === "in") return d.late ? "late" : "onTime";
  return d.early_leave ? "early" : "onTime";
}

/** distanceText is a distance in metres or kilometres ("" when unknown: -1). */
export function distanceText(m: number): string {
  if (m < 0) return "";
  if (m < 1000) return `${m} m`;
  return `${(m / 1000).toFixed(m < 10_000 ? 1 : 0)} km`;
}

const MONTH = /^(\d{4})-(\d{2})$/;

/** monthOf is the month (YYYY-MM) of a date (YYYY-MM-DD) or of a Date in local time. */
export function monthOf(d: string | Date): string {
  if (typeof d === "string") return d.slice(0, 7);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}`;
}

/** dateOf is a Date's local date as YYYY-MM-DD. */
export function dateOf(d: Date): string {
  return `${monthOf(d)}-${String(d.getDate()).padStart(2, "0")}`;
}

/** addMonths moves a month (YYYY-MM) by n months. */
export function addMonths(month: string, n: number): string {
  const m = MONTH.exec(month);
  if (!m) return month;
  const i = Number(m[1]) * 12 + Number(m[2]) - 1 + n;
  return `${Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, "0")}`;
}

/** daysIn is the number of days of a month (YYYY-MM). */
export function daysIn(month: string): number {
  const m = MONTH.exec(month);
  if (!m) return 0;
  return new Date(Date.UTC(Number(m[1]), Number(m[2]), 0)).getUTCDate();
}

/** Cell is one square of the calendar: a day of the month, or padding (date ""). */
export type Cell = { date: string; day: number; data?: Day };

/**
 * calendarGrid lays a month out in weeks starting on Monday: padding
 * before the 1st and after the last day, each day with its result when
 * the month has one.
 */
export function calendarGrid(month: string, days: Day[] = []): Cell[][] {
  const n = daysIn(month);
  if (n === 0) return [];
  const [y, mo] = month.split("-").map(Number);
  const first = new Date(Date.UTC(y, mo - 1, 1)).getUTCDay(); // 0 = Sunday
  const lead = (first + 6) % 7; // Monday first
  const byDate = new Map(days.map((d) => [d.date, d]));
  const cells: Cell[] = [];
  for (let i = 0; i < lead; i++) cells.push({ date: "", day: 0 });
  for (let d = 1; d <= n; d++) {
    const date = `${month}-${String(d).padStart(2, "0")}`;
    cells.push({ date, day: d, data: byDate.get(date) });
  }
  while (cells.length % 7 !== 0) cells.push({ date: "", day: 0 });
  const weeks: Cell[][] = [];
  for (let i = 0; i < cells.length; i += 7) weeks.push(cells.slice(i, i + 7));
  return weeks;
}

/** correctable says which punch a correction request would add for a day ("" when none is missing). */
export function correctable(d: Day | undefined): "in" | "out" | "" {
  if (!d) return "";
  if (d.missing_in || (d.status === "absent" && d.first_in === 0)) return "in";
  if (d.missing_out) return "out";
  return "";
}

/** hhmm is a time of day "HH:MM" in a zone, from epoch milliseconds ("" for 0). */
export function hhmm(ms: number, timeZone?: string): string {
  if (!ms) return "";
  try {
    return new Intl.DateTimeFormat("en-GB", {
      hour: "2-digit",
      minute: "2-digit",
      hour12: false,
      timeZone: timeZone || undefined,
    }).format(new Date(ms));
  } catch {
    return new Intl.DateTimeFormat("en-GB", { hour: "2-digit", minute: "2-digit", hour12: false }).format(
      new Date(ms),
    );
  }
}

/** correctionSearch is the approvals new-request link's search for a correction of a day. */
export function correctionSearch(d: Day, kind: "in" | "out", timeZone?: string) {
  const planned = kind === "in" ? d.start_at : d.end_at;
  const time = hhmm(planned, timeZone) || (kind === "in" ? "09:00" : "18:00");
  // The built-in correction's kind is its first option for a check-in and
  // its second for a check-out, whatever language it was seeded in.
  return { builtin: "correction", prefill: { date: d.date, kind: kind === "in" ? "#0" : "#1", time } };
}

/** Draft is a group as the editor holds it (numbers as typed). */
export const DEFAULT_RULES: Rules = {
  kind: "fixed",
  timezone: "UTC",
  start: "09:00",
  end: "18:00",
  shifts: [],
  workdays: [1, 2, 3, 4, 5],
  grace_late_minutes: 0,
  grace_early_minutes: 0,
  places: [],
  networks: { bssids: [], cidrs: [] },
  out_of_area: "refuse",
  correction_limit: 0,
  remind_before_minutes: 0,
  legal_basis: "consent",
  location_days: 90,
};

/** cleanRules is what the editor sends: the fields of the schedule kind only, lists trimmed. */
export function cleanRules(r: Rules): Rules {
  const out: Rules = {
    ...r,
    networks: {
      bssids: r.networks.bssids.map((s) => s.trim()).filter(Boolean),
      cidrs: r.networks.cidrs.map((s) => s.trim()).filter(Boolean),
    },
    places: r.places.map((p) => ({ ...p, name: p.name.trim(), lat: p.lat.trim(), lng: p.lng.trim() })),
  };
  if (r.kind !== "fixed") {
    delete out.start;
    delete out.end;
  }
  if (r.kind !== "flexible") {
    delete out.core_start;
    delete out.core_end;
    delete out.total_minutes;
  }
  if (r.kind !== "shifts") out.shifts = [];
  return out;
}

/** lines splits a text area's value into its non-empty lines. */
export function lines(s: string): string[] {
  return s
    .split(/[\n,]/)
    .map((x) => x.trim())
    .filter(Boolean);
}

/** reportHref is the monthly report's download address (csv or xlsx). */
export function reportHref(kind: "csv" | "xlsx", month: string, dept = ""): string {
  const q = new URLSearchParams({ month });
  if (dept) q.set("department_id", dept);
  return `/api/v1/attendance/report.${kind}?${q.toString()}`;
}
