import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useNavigate } from "@tanstack/react-router";
import { useEffect, useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { Alert } from "../../components/ui";
import { errorText } from "../../lib/errors";
import {
  type Calendar,
  calendarColor,
  calendarKey,
  calendarsQuery,
  eventQuery,
  type Occurrence,
  occurrencesQuery,
  patchEvent,
  type Scope,
} from "./data";
import { type Draft, emptyDraft } from "./draft";
import { Editor } from "./Editor";
import { MonthView, TimeGrid } from "./Grid";
import { ScopeDialog } from "./Scope";
import { CalendarTabs } from "./Tabs";
import {
  browserZone,
  monthGrid,
  shift,
  shiftWall,
  span,
  startOfDay,
  type View,
  viewDays,
  wallClock,
} from "./time";

const HIDDEN = "atrium.calendar.hidden";
const OTHER = "other";

function loadHidden(): string[] {
  try {
    const v = JSON.parse(localStorage.getItem(HIDDEN) ?? "[]");
    return Array.isArray(v) ? v.filter((x) => typeof x === "string") : [];
  } catch {
    return [];
  }
}

function narrow(): boolean {
  return typeof window !== "undefined" && !!window.matchMedia?.("(max-width: 639px)").matches;
}

export type NewEvent = {
  start?: string;
  end?: string;
  members?: string;
  room?: string;
  conversation?: string;
};

/**
 * CalendarScreen is the calendar: day, week and month views of my
 * occurrences, the calendars with show/hide toggles, and the editor.
 * `fresh` (from the address) opens the editor at once: a slot chosen in
 * "find a time", or a meeting scheduled from a chat.
 */
export function CalendarScreen({ fresh }: { fresh?: NewEvent }) {
  const { t, i18n } = useTranslation();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const [view, setView] = useState<View>(() => (narrow() ? "day" : "week"));
  const [anchor, setAnchor] = useState(() => startOfDay(new Date()));
  const [hidden, setHidden] = useState<string[]>(loadHidden);
  const [editor, setEditor] = useState<{ draft: Draft } | null>(null);
  const [pendingMove, setPendingMove] = useState<{ o: Occurrence; start: Date; end: Date } | null>(null);
  const cals = useQuery(calendarsQuery);
  const days = viewDays(view, anchor);
  const { from, to } = span(days);
  const occ = useQuery(occurrencesQuery(from, to));
  const zone = browserZone();

  useEffect(() => {
    localStorage.setItem(HIDDEN, JSON.stringify(hidden));
  }, [hidden]);

  useEffect(() => {
    if (!fresh) return;
    const now = new Date();
    const s = fresh.start
      ? new Date(fresh.start)
      : new Date(now.getFullYear(), now.getMonth(), now.getDate(), now.getHours() + 1);
    const e = fresh.end ? new Date(fresh.end) : new Date(s.getTime() + 3_600_000);
    const d = emptyDraft(s, e, zone);
    d.memberIds = (fresh.members ?? "").split(",").filter(Boolean);
    d.roomIds = fresh.room ? [fresh.room] : [];
    d.conversationId = fresh.conversation ?? "";
    setEditor({ draft: d });
    setAnchor(startOfDay(s));
  }, [fresh, zone]);

  const calList = cals.data?.items ?? [];
  const byId = useMemo(() => new Map(calList.map((c, i) => [c.id, { c, i }])), [calList]);
  const colorOf = (o: Occurrence) => {
    const hit = o.calendar_id ? byId.get(o.calendar_id) : undefined;
    return hit ? calendarColor(hit.c, hit.i) : "#6b7280";
  };
  const calKey = (o: Occurrence) => (o.calendar_id && byId.has(o.calendar_id) ? o.calendar_id : OTHER);
  const items = (occ.data?.items ?? []).filter((o) => !hidden.includes(calKey(o)));
  const canMove = (o: Occurrence) =>
    !o.busy_only && !!o.calendar_id && byId.get(o.calendar_id)?.c.my_access === "edit";

  const move = useMutation({
    mutationFn: async ({ o, start, end, scope }: { o: Occurrence; start: Date; end: Date; scope: Scope }) => {
      const ns = wallClock(start.getTime(), o.time_zone);
      const ne = wallClock(end.getTime(), o.time_zone);
      if (scope !== "all" || !o.recurring)
        return patchEvent(o.event_id, { start: ns, end: ne }, scope, o.recurrence_id);
      // The whole series moves by as much as this occurrence did, on the wall clock.
      const e = await qc.fetchQuery(eventQuery(o.event_id));
      const was = wallClock(o.start_at, o.time_zone);
      return patchEvent(
        o.event_id,
        { start: shiftWall(e.start, was, ns), end: shiftWall(e.end, was, ns) },
        "all",
      );
    },
    onSettled: () => qc.invalidateQueries({ queryKey: calendarKey }),
  });

  // Busy time of someone else's event has nothing more to show.
  const open = (o: Occurrence) => {
    if (o.busy_only) return;
    void navigate({
      to: "/calendar/events/$id",
      params: { id: o.event_id },
      search: o.recurring && o.recurrence_id ? { occurrence: o.recurrence_id } : {},
    });
  };

  const create = (start: Date, end: Date) => setEditor({ draft: emptyDraft(start, end, zone) });
  const loc = i18n.language.startsWith("zh") ? "zh-CN" : "en";
  const title =
    view === "month"
      ? new Intl.DateTimeFormat(loc, { year: "numeric", month: "long" }).format(anchor)
      : view === "day"
        ? new Intl.DateTimeFormat(loc, { dateStyle: "full" }).format(anchor)
        : `${new Intl.DateTimeFormat(loc, { month: "short", day: "numeric" }).format(days[0])} – ${new Intl.DateTimeFormat(loc, { month: "short", day: "numeric", year: "numeric" }).format(days[6])}`;

  return (
    <section className="page page-wide cal-wrap" aria-labelledby="page-title">
      <h1 id="page-title">{t("calendar.title")}</h1>
      <CalendarTabs />
      <div className="cal-toolbar">
        <div className="row">
          <button type="button" className="btn btn-small" onClick={() => setAnchor(startOfDay(new Date()))}>
            {t("calendar.today")}
          </button>
          <button
            type="button"
            className="btn btn-small"
            aria-label={t("calendar.prev")}
            onClick={() => setAnchor(shift(view, anchor, -1))}
          >
            ‹
          </button>
          <button
            type="button"
            className="btn btn-small"
            aria-label={t("calendar.next")}
            onClick={() => setAnchor(shift(view, anchor, 1))}
          >
            ›
          </button>
          <h2 className="rep-sub cal-range" aria-live="polite">
            {title}
          </h2>
        </div>
        <div className="row">
          <fieldset className="cal-views">
            <legend className="sr-only">{t("calendar.viewLabel")}</legend>
            {(["day", "week", "month"] as const).map((v) => (
              <button
                key={v}
                type="button"
                className={view === v ? "btn btn-small btn-primary" : "btn btn-small"}
                aria-pressed={view === v}
                onClick={() => setView(v)}
              >
                {t(`calendar.view.${v}`)}
              </button>
            ))}
          </fieldset>
          <button
            type="button"
            className="btn btn-small btn-primary"
            onClick={() => {
              const now = new Date();
              const s = new Date(
                anchor.getFullYear(),
                anchor.getMonth(),
                anchor.getDate(),
                Math.min(now.getHours() + 1, 23),
              );
              create(s, new Date(s.getTime() + 3_600_000));
            }}
          >
            {t("calendar.newEvent")}
          </button>
        </div>
      </div>
      {(occ.error || cals.error) && <Alert>{errorText(t, occ.error ?? cals.error)}</Alert>}
      {move.error && <Alert>{errorText(t, move.error)}</Alert>}
      <div className="cal-layout">
        <CalendarList
          calendars={calList}
          hidden={hidden}
          onToggle={(id, on) => setHidden((h) => (on ? h.filter((x) => x !== id) : [...h, id]))}
        />
        <div className="cal-main">
          {view === "month" ? (
            <MonthView
              weeks={monthGrid(anchor)}
              month={anchor.getMonth()}
              items={items}
              lang={i18n.language}
              colorOf={colorOf}
              onOpen={open}
              onDay={(d) => {
                setAnchor(d);
                setView("day");
              }}
            />
          ) : (
            <TimeGrid
              days={days}
              items={items}
              lang={i18n.language}
              colorOf={colorOf}
              canMove={canMove}
              onOpen={open}
              onCreate={create}
              onMove={(o, start, end) => {
                if (o.recurring) setPendingMove({ o, start, end });
                else move.mutate({ o, start, end, scope: "all" });
              }}
            />
          )}
          {occ.data && items.length === 0 && <p className="muted small">{t("calendar.nothing")}</p>}
        </div>
      </div>
      <ScopeDialog
        open={!!pendingMove}
        title={t("calendar.scope.moveTitle")}
        onClose={() => setPendingMove(null)}
        onPick={(scope) => {
          if (pendingMove) move.mutate({ ...pendingMove, scope });
          setPendingMove(null);
        }}
      />
      {editor && (
        <Editor
          initial={editor.draft}
          calendars={calList}
          onClose={() => {
            setEditor(null);
            if (fresh) void navigate({ to: "/calendar", search: {} });
          }}
          onSaved={(e) => {
            setEditor(null);
            // Done with the address that opened the editor (a reload must not open it again).
            if (fresh) void navigate({ to: "/calendar", search: {} });
            const s = new Date(e.start_at);
            if (s < from || s >= to) setAnchor(startOfDay(s));
          }}
        />
      )}
    </section>
  );
}

function CalendarList({
  calendars,
  hidden,
  onToggle,
}: {
  calendars: Calendar[];
  hidden: string[];
  onToggle: (id: string, on: boolean) => void;
}) {
  const { t } = useTranslation();
  return (
    <fieldset className="cal-list">
      <legend className="field-label">{t("calendar.calendars")}</legend>
      {calendars.map((c, i) => (
        <label key={c.id} className="checkbox cal-list-item">
          <input
            type="checkbox"
            checked={!hidden.includes(c.id)}
            onChange={(e) => onToggle(c.id, e.target.checked)}
          />
          <span
            className="cal-swatch"
            style={{ "--cal-color": calendarColor(c, i) } as React.CSSProperties}
          />
          {c.kind === "personal" ? t("calendar.myCalendar") : c.name}
        </label>
      ))}
      <label className="checkbox cal-list-item">
        <input
          type="checkbox"
          checked={!hidden.includes(OTHER)}
          onChange={(e) => onToggle(OTHER, e.target.checked)}
        />
        <span className="cal-swatch cal-swatch-other" />
        {t("calendar.otherCalendars")}
      </label>
    </fieldset>
  );
}
