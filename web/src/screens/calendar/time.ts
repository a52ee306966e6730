// Calendar date and layout rules, free of React: the days a view shows,
// the month grid, where an event sits in a day column (side by side when
// events overlap), the time a drag points at, and wall-clock times in a
// time zone. Times on screen are the browser's own zone; days are local
// calendar days (a DST day has 23 or 25 hours, the grid shows wall clock).

export type View = "day" | "week" | "month";

export const MINUTE = 60_000;
export const DAY_MINUTES = 24 * 60;

/** startOfDay is local midnight of d's day. */
export function startOfDay(d: Date): Date {
  return new Date(d.getFullYear(), d.getMonth(), d.getDate());
}

/** addDays moves by calendar days, keeping the wall-clock time (DST-safe, unlike adding 24 h). */
export function addDays(d: Date, n: number): Date {
  return new Date(d.getFullYear(), d.getMonth(), d.getDate() + n, d.getHours(), d.getMinutes());
}

/** startOfWeek is the Monday (weekStart 1) or Sunday (0) on or before d, at midnight. */
export function startOfWeek(d: Date, weekStart = 1): Date {
  const back = (d.getDay() - weekStart + 7) % 7;
  return new Date(d.getFullYear(), d.getMonth(), d.getDate() - back);
}

/** ymd is a local day as YYYY-MM-DD. */
export function ymd(d: Date): string {
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

/** parseYmd reads YYYY-MM-DD as local midnight (undefined when malformed). */
export function parseYmd(s: string): Date | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (!m) return undefined;
  const d = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return ymd(d) === s ? d : undefined;
}

export function sameDay(a: Date, b: Date): boolean {
  return ymd(a) === ymd(b);
}

/** viewDays lists the days a view shows around anchor (month: the whole grid). */
export function viewDays(view: View, anchor: Date, weekStart = 1): Date[] {
  if (view === "day") return [startOfDay(anchor)];
  if (view === "week") {
    const s = startOfWeek(anchor, weekStart);
    return Array.from({ length: 7 }, (_, i) => addDays(s, i));
  }
  return monthGrid(anchor, weekStart).flat();
}

/** monthGrid is the weeks (rows of 7 days) covering anchor's month, starting on weekStart. */
export function monthGrid(anchor: Date, weekStart = 1): Date[][] {
  const first = new Date(anchor.getFullYear(), anchor.getMonth(), 1);
  const last = new Date(anchor.getFullYear(), anchor.getMonth() + 1, 0);
  const weeks: Date[][] = [];
  for (let s = startOfWeek(first, weekStart); s <= last; s = addDays(s, 7)) {
    weeks.push(Array.from({ length: 7 }, (_, i) => addDays(s, i)));
  }
  return weeks;
}

/** shift moves the anchor one view back (-1) or forward (+1). */
export function shift(view: View, anchor: Date, dir: number): Date {
  if (view === "day") return addDays(anchor, dir);
  if (view === "week") return addDays(anchor, 7 * dir);
  return new Date(anchor.getFullYear(), anchor.getMonth() + dir, 1);
}

/** span is [from, to) of the days shown: what to ask the server for. */
export function span(days: Date[]): { from: Date; to: Date } {
  return { from: startOfDay(days[0]), to: addDays(startOfDay(days[days.length - 1]), 1) };
}

/** minuteOfDay is the wall-clock minute of ms within day (clamped to the day). */
export function minuteOfDay(ms: number, day: Date): number {
  const d0 = startOfDay(day).getTime();
  const d1 = addDays(startOfDay(day), 1).getTime();
  if (ms <= d0) return 0;
  if (ms >= d1) return DAY_MINUTES;
  const d = new Date(ms);
  return d.getHours() * 60 + d.getMinutes();
}

/** atMinute is the instant of a wall-clock minute of day (a minute a DST jump skips moves forward). */
export function atMinute(day: Date, minute: number): Date {
  return new Date(day.getFullYear(), day.getMonth(), day.getDate(), 0, minute);
}

/** snap rounds minutes to step (15 by default) within the day. */
export function snap(minutes: number, step = 15): number {
  return Math.max(0, Math.min(DAY_MINUTES, Math.round(minutes / step) * step));
}

/** pxToMinutes converts a pixel offset in a day column to snapped minutes. */
export function pxToMinutes(px: number, hourPx: number, step = 15): number {
  return snap((px / hourPx) * 60, step);
}

/**
 * dragSpan is the span a drag over a day column selects, from where it
 * started (y0) to where it is (y1), in pixels: ordered, snapped, and at
 * least one step long.
 */
export function dragSpan(
  day: Date,
  y0: number,
  y1: number,
  hourPx: number,
  step = 15,
): { start: Date; end: Date } {
  let a = pxToMinutes(Math.min(y0, y1), hourPx, step);
  let b = pxToMinutes(Math.max(y0, y1), hourPx, step);
  if (b - a < step) b = a + step;
  if (b > DAY_MINUTES) {
    b = DAY_MINUTES;
    a = b - step;
  }
  return { start: atMinute(day, a), end: atMinute(day, b) };
}

/**
 * moved is where an event lands when dragged to another day and minute:
 * its start at that wall-clock time, its length kept.
 */
export function moved(startMs: number, endMs: number, day: Date, minute: number): { start: Date; end: Date } {
  const start = atMinute(day, minute);
  return { start, end: new Date(start.getTime() + (endMs - startMs)) };
}

export type Timed = { key: string; startAt: number; endAt: number };
export type Placed<T extends Timed> = { item: T; top: number; height: number; col: number; cols: number };

/**
 * layoutDay places the timed items that touch day in its column: top and
 * height in minutes from midnight (at least minHeight), and for items that
 * overlap, a column among as many as the busiest overlap needs. Items that
 * only touch (one ends when the next starts) do not overlap.
 */
export function layoutDay<T extends Timed>(items: T[], day: Date, minHeight = 15): Placed<T>[] {
  const d0 = startOfDay(day).getTime();
  const d1 = addDays(startOfDay(day), 1).getTime();
  const mine = items
    .filter((x) => x.endAt > d0 && x.startAt < d1 && x.endAt >= x.startAt)
    .sort((a, b) => a.startAt - b.startAt || b.endAt - a.endAt || a.key.localeCompare(b.key));
  const out: Placed<T>[] = [];
  let cluster: Placed<T>[] = [];
  let colEnds: number[] = [];
  let clusterEnd = -Infinity;
  const close = () => {
    for (const p of cluster) p.cols = colEnds.length;
    cluster = [];
    colEnds = [];
  };
  for (const item of mine) {
    const top = minuteOfDay(item.startAt, day);
    const bottom = Math.max(minuteOfDay(item.endAt, day), top + minHeight);
    // The visual extent counts: a short event drawn minHeight tall still takes room.
    const end = Math.max(item.endAt, item.startAt + minHeight * MINUTE);
    if (item.startAt >= clusterEnd) close();
    let col = colEnds.findIndex((e) => e <= item.startAt);
    if (col < 0) {
      col = colEnds.length;
      colEnds.push(end);
    } else colEnds[col] = end;
    clusterEnd = Math.max(clusterEnd, end);
    const p = { item, top, height: Math.min(bottom, DAY_MINUTES) - top, col, cols: 1 };
    cluster.push(p);
    out.push(p);
  }
  close();
  return out;
}

const pad = (n: number) => String(n).padStart(2, "0");

/** wallClock is ms as a wall-clock time in a time zone: YYYY-MM-DDTHH:MM. */
export function wallClock(ms: number, tz: string): string {
  const parts = new Intl.DateTimeFormat("en-US", {
    timeZone: tz,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
  }).formatToParts(new Date(ms));
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? "00";
  return `${get("year")}-${get("month")}-${get("day")}T${get("hour") === "24" ? "00" : get("hour")}:${get("minute")}`;
}

/** wallToMs is the instant a wall-clock time (YYYY-MM-DDTHH:MM) names in a time zone (a skipped time moves forward). */
export function wallToMs(wall: string, tz: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(wall);
  if (!m) return Number.NaN;
  const asUTC = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]));
  // The zone's offset at a guess, then at the corrected guess (DST edges).
  const offset = (ms: number) => {
    const w = wallClock(ms, tz);
    const [d, t] = w.split("T");
    const [y, mo, da] = d.split("-").map(Number);
    const [h, mi] = t.split(":").map(Number);
    return Date.UTC(y, mo - 1, da, h, mi) - ms;
  };
  let guess = asUTC - offset(asUTC);
  guess = asUTC - offset(guess);
  return guess;
}

/** localWall is a browser-local Date as YYYY-MM-DDTHH:MM. */
export function localWall(d: Date): string {
  return `${ymd(d)}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** browserZone is the browser's IANA time zone. */
export function browserZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  } catch {
    return "UTC";
  }
}

/** allDayDays lists the local days an all-day occurrence covers (end date exclusive, as in iCalendar). */
export function allDayCovers(start: string, end: string, day: Date): boolean {
  const d = ymd(day);
  return start <= d && (end > d || (end <= start && start === d));
}

/** shiftWall moves a wall-clock time (YYYY-MM-DDTHH:MM) by the difference between two others, as wall clocks. */
export function shiftWall(wall: string, from: string, to: string): string {
  const ms = (w: string) => Date.parse(`${w.slice(0, 16)}:00Z`);
  return new Date(ms(wall) + ms(to) - ms(from)).toISOString().slice(0, 16);
}
