// The person's status, Do Not Disturb, quiet hours and keywords
// (GET/PATCH /api/v1/me/notify-settings). While Do Not Disturb or quiet
// hours hold, this app shows no desktop notifications either; the bell
// still counts.
import type { QueryClient } from "@tanstack/react-query";
import { api, must } from "../api/client";
import type { components } from "../api/schema";

export type NotifySettings = components["schemas"]["PushNotifySettings"];
export type PersonStatus = { emoji: string; text: string; until?: number; dnd?: boolean };

export const notifySettingsKey = ["me", "notify-settings"] as const;

export const notifySettingsQuery = {
  queryKey: notifySettingsKey,
  queryFn: () => must(api.GET("/api/v1/me/notify-settings")),
  staleTime: 60_000,
};

/** minutes turns "HH:MM" into minutes after midnight (-1 when empty or bad). */
function minutes(v: string): number {
  const m = /^(\d\d):(\d\d)$/.exec(v);
  return m ? Number(m[1]) * 60 + Number(m[2]) : -1;
}

/** wallMinutes is the time of day at `now` in zone, in minutes after midnight. */
function wallMinutes(now: Date, zone: string): number {
  try {
    const parts = new Intl.DateTimeFormat("en-GB", {
      timeZone: zone,
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    }).formatToParts(now);
    const h = Number(parts.find((p) => p.type === "hour")?.value ?? 0);
    const m = Number(parts.find((p) => p.type === "minute")?.value ?? 0);
    return h * 60 + m;
  } catch {
    return now.getUTCHours() * 60 + now.getUTCMinutes();
  }
}

/** isQuiet says whether s holds notifications at now: Do Not Disturb, or within the quiet hours. */
export function isQuiet(
  s: Pick<NotifySettings, "dnd_until" | "quiet_start" | "quiet_end" | "time_zone"> | undefined,
  now: Date,
): boolean {
  if (!s) return false;
  if (s.dnd_until > now.getTime()) return true;
  const a = minutes(s.quiet_start);
  const b = minutes(s.quiet_end);
  if (a < 0 || b < 0 || a === b) return false;
  const m = wallMinutes(now, s.time_zone || "UTC");
  return a < b ? m >= a && m < b : m >= a || m < b;
}

/** quietNow reads the cached settings (fetching them once) and says whether notifications are held. */
export async function quietNow(qc: QueryClient): Promise<boolean> {
  const s = await qc.fetchQuery(notifySettingsQuery).catch(() => undefined);
  return isQuiet(s, new Date());
}

/** tomorrowMorning is 08:00 tomorrow, local time. */
export function tomorrowMorning(now: Date): number {
  const d = new Date(now);
  d.setDate(d.getDate() + 1);
  d.setHours(8, 0, 0, 0);
  return d.getTime();
}
