// The duration of a date range, computed as the server computes it: calendar
// days (inclusive) for "day", steps of half a day for "half_day", hours (to
// two decimals) for "hour". Integer arithmetic throughout.
import type { DateRangeValue } from "./types";

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATETIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/;
const DAY_MS = 86_400_000;

/** dayNumber is the days since 1970-01-01 of a "YYYY-MM-DD" date; null when it is not a real date. */
export function dayNumber(s: string): number | null {
  const m = DATE.exec(s);
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const ms = Date.UTC(y, mo - 1, d);
  const back = new Date(ms);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) return null;
  return ms / DAY_MS;
}

/** minuteNumber is the minutes since 1970 of a local "YYYY-MM-DDTHH:MM" (time zones do not matter: both ends share one). */
export function minuteNumber(s: string): number | null {
  const m = DATETIME.exec(s);
  if (!m) return null;
  const day = dayNumber(`${m[1]}-${m[2]}-${m[3]}`);
  const [h, mi] = [Number(m[4]), Number(m[5])];
  if (day === null || h > 23 || mi > 59) return null;
  return day * 1440 + h * 60 + mi;
}

/** Duration is a computed duration, or why there is none. */
export type Duration =
  | { ok: true; value: string }
  | { ok: false; reason: "incomplete" | "invalid" | "order" };

/**
 * duration computes a range's duration for the field's unit: days (as a
 * decimal string, "2" or "1.5") or hours ("7.5", "0.25").
 */
export function duration(unit: string | undefined, v: DateRangeValue | null | undefined): Duration {
  if (!v?.start || !v.end) return { ok: false, reason: "incomplete" };
  if (unit === "hour") {
    const a = minuteNumber(v.start);
    const b = minuteNumber(v.end);
    if (a === null || b === null) return { ok: false, reason: "invalid" };
    if (b < a) return { ok: false, reason: "order" };
    // Hundredths of an hour, rounded half up: minutes × 100 / 60.
    const h100 = Math.floor(((b - a) * 100 + 30) / 60);
    return { ok: true, value: hundredths(h100) };
  }
  const a = dayNumber(v.start);
  const b = dayNumber(v.end);
  if (a === null || b === null) return { ok: false, reason: "invalid" };
  if (unit === "half_day") {
    if (!v.start_half || !v.end_half) return { ok: false, reason: "incomplete" };
    // Half days from the start's half to the end's half, both included.
    const halves = (b - a) * 2 + (v.end_half === "pm" ? 2 : 1) - (v.start_half === "pm" ? 1 : 0);
    if (halves <= 0) return { ok: false, reason: "order" };
    return { ok: true, value: halves % 2 === 0 ? String(halves / 2) : `${(halves - 1) / 2}.5` };
  }
  if (b < a) return { ok: false, reason: "order" };
  return { ok: true, value: String(b - a + 1) };
}

function hundredths(n: number): string {
  const whole = Math.floor(n / 100);
  const frac = n % 100;
  if (frac === 0) return String(whole);
  return `${whole}.${String(frac).padStart(2, "0").replace(/0$/, "")}`;
}
