// Calendar: the API's shapes and the queries the screens share.
import { api, must, type Schemas } from "../../api/client";

export type Calendar = Schemas["CalendarCalendar"];
export type Occurrence = Schemas["CalendarOccurrence"];
export type CalEvent = Schemas["CalendarEvent"];
export type Room = Schemas["CalendarRoom"];
export type Attendee = Schemas["CalendarAttendee"];
export type Scope = "all" | "this" | "following";
export const RSVPS = ["accepted", "tentative", "declined"] as const;
export type RSVP = (typeof RSVPS)[number];

/** Every calendar query starts with this key. */
export const calendarKey = ["calendar"] as const;

export const calendarsQuery = {
  queryKey: [...calendarKey, "calendars"] as const,
  queryFn: () => must(api.GET("/api/v1/calendars")),
};

export const occurrencesQuery = (from: Date, to: Date) => ({
  queryKey: [...calendarKey, "events", from.toISOString(), to.toISOString()] as const,
  queryFn: () =>
    must(
      api.GET("/api/v1/events", { params: { query: { from: from.toISOString(), to: to.toISOString() } } }),
    ),
});

export const eventQuery = (id: string) => ({
  queryKey: [...calendarKey, "event", id] as const,
  queryFn: () => must(api.GET("/api/v1/events/{id}", { params: { path: { id } } })),
  retry: false,
});

export const roomsQuery = {
  queryKey: [...calendarKey, "rooms"] as const,
  queryFn: () => must(api.GET("/api/v1/rooms")),
};

/** The palette a calendar without a color of its own takes, by its position. */
const PALETTE = ["#2b5fd9", "#1f7a4d", "#b5522b", "#7a3fb8", "#0f7f8c", "#a33a6b", "#8a6d1f"];

/** calendarColor is a calendar's color (its own when valid, else one of the palette). */
export function calendarColor(c: Pick<Calendar, "color"> | undefined, index: number): string {
  if (c && /^#[0-9a-fA-F]{6}$/.test(c.color)) return c.color;
  return PALETTE[((index % PALETTE.length) + PALETTE.length) % PALETTE.length];
}

export function rsvp(id: string, status: RSVP) {
  return must(api.PUT("/api/v1/events/{id}/rsvp", { params: { path: { id } }, body: { status } }));
}

/** scopeQuery is the query of a change to one occurrence or the following ones. */
export function scopeQuery(scope: Scope, recurrenceId?: string): Record<string, string> {
  if (scope === "all" || !recurrenceId) return {};
  return { scope, recurrence_id: recurrenceId };
}

export function patchEvent(
  id: string,
  body: Schemas["CalendarEventPatch"],
  scope: Scope,
  recurrenceId?: string,
) {
  return must(
    api.PATCH("/api/v1/events/{id}", {
      params: { path: { id }, query: scopeQuery(scope, recurrenceId) as never },
      body,
    }),
  );
}

export function deleteEvent(id: string, scope: Scope, recurrenceId?: string) {
  const q: Record<string, string> = {};
  if (scope !== "all" && recurrenceId) {
    q.recurrence_id = recurrenceId;
    if (scope === "following") q.scope = "following";
  }
  return must(api.DELETE("/api/v1/events/{id}", { params: { path: { id }, query: q as never } }));
}

/** eventIdOf reads an event id from a chat card's link (/calendar/events/<id>), or "". */
export function eventIdOf(url: string): string {
  const m = /^\/calendar\/events\/([A-Za-z0-9_-]+)\/?(?:[?#].*)?$/.exec(url);
  return m ? m[1] : "";
}
