import { type PointerEvent as RPointerEvent, useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import type { Occurrence } from "./data";
import {
  allDayCovers,
  DAY_MINUTES,
  dragSpan,
  layoutDay,
  minuteOfDay,
  moved,
  pxToMinutes,
  sameDay,
  snap,
  type Timed,
  ymd,
} from "./time";

export const HOUR_PX = 48;

type Item = Timed & { o: Occurrence };

export type GridProps = {
  days: Date[];
  items: Occurrence[];
  lang: string;
  colorOf: (o: Occurrence) => string;
  canMove: (o: Occurrence) => boolean;
  onOpen: (o: Occurrence) => void;
  onCreate: (start: Date, end: Date, allDay?: boolean) => void;
  onMove: (o: Occurrence, start: Date, end: Date) => void;
};

/** label is what an occurrence shows: its title, or "Busy" when the caller may not see it. */
export function useLabel() {
  const { t } = useTranslation();
  return (o: Occurrence) => (o.busy_only ? t("calendar.busy") : o.title || t("calendar.untitled"));
}

type Drag =
  | { kind: "new"; col: number; y0: number; y1: number }
  | { kind: "move"; o: Occurrence; x0: number; y0: number; dx: number; dy: number; moved: boolean };

/**
 * TimeGrid is the day and week views: an all-day row, then a column per
 * day with the hours. Dragging over empty time selects a span for a new
 * event; dragging an event moves it; clicking opens it.
 */
export function TimeGrid({ days, items, lang, colorOf, canMove, onOpen, onCreate, onMove }: GridProps) {
  const { t } = useTranslation();
  const label = useLabel();
  const scroller = useRef<HTMLDivElement>(null);
  const cols = useRef<HTMLDivElement>(null);
  const [drag, setDrag] = useState<Drag | null>(null);
  const loc = lang.startsWith("zh") ? "zh-CN" : "en";
  const today = new Date();

  useEffect(() => {
    // Open at the working day rather than midnight.
    if (scroller.current) scroller.current.scrollTop = 7.5 * HOUR_PX;
  }, []);

  const timed: Item[] = items
    .filter((o) => !o.all_day)
    .map((o) => ({ key: `${o.event_id}/${o.recurrence_id ?? ""}`, startAt: o.start_at, endAt: o.end_at, o }));
  const allDay = items.filter((o) => o.all_day);

  const colWidth = () => (cols.current ? cols.current.getBoundingClientRect().width / days.length : 1);
  const yIn = (e: RPointerEvent) => {
    const r = cols.current?.getBoundingClientRect();
    return r ? e.clientY - r.top : 0;
  };

  const finishNew = (d: Extract<Drag, { kind: "new" }>) => {
    if (Math.abs(d.y1 - d.y0) < 6) {
      // A click: an hour from the half hour clicked.
      const m = Math.min(snap((d.y0 / HOUR_PX) * 60, 30), DAY_MINUTES - 60);
      const day = days[d.col];
      onCreate(
        new Date(day.getFullYear(), day.getMonth(), day.getDate(), 0, m),
        new Date(day.getFullYear(), day.getMonth(), day.getDate(), 0, m + 60),
      );
      return;
    }
    const s = dragSpan(days[d.col], d.y0, d.y1, HOUR_PX);
    onCreate(s.start, s.end);
  };

  const finishMove = (d: Extract<Drag, { kind: "move" }>) => {
    if (!d.moved) {
      onOpen(d.o);
      return;
    }
    const target = moveTarget(d);
    if (target) onMove(d.o, target.start, target.end);
  };

  const moveTarget = (d: Extract<Drag, { kind: "move" }>) => {
    const fromCol = days.findIndex((x) => sameDay(x, new Date(d.o.start_at)));
    if (fromCol < 0) return undefined;
    const col = Math.max(0, Math.min(days.length - 1, fromCol + Math.round(d.dx / colWidth())));
    const minute = snap(minuteOfDay(d.o.start_at, days[fromCol]) + pxToMinutes(d.dy, HOUR_PX, 1), 15);
    return moved(d.o.start_at, d.o.end_at, days[col], Math.min(minute, DAY_MINUTES - 15));
  };

  const ghost = drag?.kind === "move" && drag.moved ? moveTarget(drag) : undefined;
  const fmt = (d: Date) => new Intl.DateTimeFormat(loc, { hour: "numeric", minute: "2-digit" }).format(d);

  return (
    <div className="cal-grid" style={{ "--cal-days": days.length } as React.CSSProperties}>
      <div className="cal-grid-head">
        <div className="cal-gutter" />
        {days.map((d) => (
          <div key={ymd(d)} className="cal-dayhead" aria-current={sameDay(d, today) ? "date" : undefined}>
            <span className="cal-dayhead-wd">
              {new Intl.DateTimeFormat(loc, { weekday: "short" }).format(d)}
            </span>{" "}
            <span className="cal-dayhead-n">{d.getDate()}</span>
          </div>
        ))}
      </div>
      <div className="cal-allday">
        <div className="cal-gutter small muted">{t("calendar.allDay")}</div>
        {days.map((d) => (
          <div key={ymd(d)} className="cal-allday-cell">
            {allDay
              .filter((o) => allDayCovers(o.start, o.end, d))
              .map((o) => (
                <button
                  key={`${o.event_id}/${o.recurrence_id ?? ""}`}
                  type="button"
                  className={o.busy_only ? "cal-chip cal-busy" : "cal-chip"}
                  aria-disabled={o.busy_only || undefined}
                  style={{ "--cal-color": colorOf(o) } as React.CSSProperties}
                  onClick={() => onOpen(o)}
                >
                  {label(o)}
                </button>
              ))}
          </div>
        ))}
      </div>
      <div className="cal-scroll" ref={scroller}>
        <div className="cal-body">
          <div className="cal-gutter cal-hours" aria-hidden="true">
            {Array.from({ length: 24 }, (_, h) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: the hours of a day
              <div key={h} className="cal-hour-label">
                {h === 0 ? "" : fmt(new Date(2000, 0, 1, h))}
              </div>
            ))}
          </div>
          <div className="cal-cols" ref={cols}>
            {days.map((d, ci) => {
              const placed = layoutDay(timed, d);
              const sel =
                drag?.kind === "new" && drag.col === ci ? dragSpan(d, drag.y0, drag.y1, HOUR_PX) : undefined;
              return (
                <div
                  key={ymd(d)}
                  className="cal-col"
                  data-testid="cal-col"
                  data-day={ymd(d)}
                  onPointerDown={(e) => {
                    if (e.button !== 0 || e.target !== e.currentTarget) return;
                    e.currentTarget.setPointerCapture?.(e.pointerId);
                    const y = yIn(e);
                    setDrag({ kind: "new", col: ci, y0: y, y1: y });
                  }}
                  onPointerMove={(e) => {
                    if (drag?.kind === "new") setDrag({ ...drag, y1: yIn(e) });
                  }}
                  onPointerUp={() => {
                    if (drag?.kind === "new") finishNew(drag);
                    if (drag?.kind === "new") setDrag(null);
                  }}
                  onPointerCancel={() => setDrag(null)}
                >
                  {sameDay(d, today) && (
                    <div
                      className="cal-now"
                      style={{ top: (minuteOfDay(Date.now(), d) / 60) * HOUR_PX }}
                      aria-hidden="true"
                    />
                  )}
                  {sel && (
                    <div
                      className="cal-select"
                      style={{
                        top: (minuteOfDay(sel.start.getTime(), d) / 60) * HOUR_PX,
                        height: ((sel.end.getTime() - sel.start.getTime()) / 3_600_000) * HOUR_PX,
                      }}
                    >
                      {fmt(sel.start)}–{fmt(sel.end)}
                    </div>
                  )}
                  {placed.map((p) => {
                    const o = p.item.o;
                    const dragging = drag?.kind === "move" && drag.o === o && drag.moved;
                    return (
                      <button
                        key={p.item.key}
                        type="button"
                        data-testid="cal-event"
                        className={[
                          "cal-event",
                          o.busy_only ? "cal-busy" : "",
                          dragging ? "cal-dragging" : "",
                        ]
                          .filter(Boolean)
                          .join(" ")}
                        style={
                          {
                            "--cal-color": colorOf(o),
                            top: (p.top / 60) * HOUR_PX,
                            height: Math.max((p.height / 60) * HOUR_PX - 2, 14),
                            left: `${(p.col / p.cols) * 100}%`,
                            width: `${100 / p.cols}%`,
                          } as React.CSSProperties
                        }
                        aria-label={`${label(o)}, ${fmt(new Date(o.start_at))}–${fmt(new Date(o.end_at))}`}
                        aria-disabled={o.busy_only || undefined}
                        onPointerDown={(e) => {
                          if (e.button !== 0) return;
                          if (!canMove(o)) return;
                          e.currentTarget.setPointerCapture?.(e.pointerId);
                          setDrag({
                            kind: "move",
                            o,
                            x0: e.clientX,
                            y0: e.clientY,
                            dx: 0,
                            dy: 0,
                            moved: false,
                          });
                        }}
                        onPointerMove={(e) => {
                          if (drag?.kind !== "move" || drag.o !== o) return;
                          const dx = e.clientX - drag.x0;
                          const dy = e.clientY - drag.y0;
                          setDrag({
                            ...drag,
                            dx,
                            dy,
                            moved: drag.moved || Math.abs(dx) > 5 || Math.abs(dy) > 5,
                          });
                        }}
                        onPointerUp={() => {
                          if (drag?.kind === "move" && drag.o === o) {
                            setDrag(null);
                            finishMove(drag);
                          }
                        }}
                        onPointerCancel={() => setDrag(null)}
                        onClick={(e) => {
                          // Pointer clicks are handled on release; this is the keyboard.
                          if (e.detail === 0) onOpen(o);
                          else if (!canMove(o)) onOpen(o);
                        }}
                      >
                        <span className="cal-event-title">{label(o)}</span>
                        <span className="cal-event-time">
                          {fmt(new Date(o.start_at))}
                          {o.location && !o.busy_only ? ` · ${o.location}` : ""}
                        </span>
                        {o.my_rsvp && o.my_rsvp !== "accepted" && !o.busy_only && (
                          <span className="cal-event-rsvp">{t(`enums.rsvp.${o.my_rsvp}`)}</span>
                        )}
                      </button>
                    );
                  })}
                  {ghost && drag?.kind === "move" && sameDay(ghost.start, d) && (
                    <div
                      className="cal-ghost"
                      style={{
                        top: (minuteOfDay(ghost.start.getTime(), d) / 60) * HOUR_PX,
                        height: ((ghost.end.getTime() - ghost.start.getTime()) / 3_600_000) * HOUR_PX,
                      }}
                    >
                      {fmt(ghost.start)}
                    </div>
                  )}
                </div>
              );
            })}
          </div>
        </div>
      </div>
    </div>
  );
}

/** MonthView is the month grid: each day with its first events; clicking a day opens it. */
export function MonthView({
  weeks,
  month,
  items,
  lang,
  colorOf,
  onOpen,
  onDay,
}: {
  weeks: Date[][];
  month: number;
  items: Occurrence[];
  lang: string;
  colorOf: (o: Occurrence) => string;
  onOpen: (o: Occurrence) => void;
  onDay: (d: Date) => void;
}) {
  const { t } = useTranslation();
  const label = useLabel();
  const loc = lang.startsWith("zh") ? "zh-CN" : "en";
  const today = new Date();
  const on = (d: Date) =>
    items.filter((o) =>
      o.all_day
        ? allDayCovers(o.start, o.end, d)
        : layoutDay([{ key: "", startAt: o.start_at, endAt: o.end_at }], d).length > 0,
    );
  return (
    <table className="cal-month">
      <thead>
        <tr>
          {weeks[0].map((d) => (
            <th key={ymd(d)} scope="col">
              {new Intl.DateTimeFormat(loc, { weekday: "short" }).format(d)}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {weeks.map((w) => (
          <tr key={ymd(w[0])}>
            {w.map((d) => {
              const list = on(d);
              return (
                <td key={ymd(d)} className={d.getMonth() === month ? "" : "cal-out"}>
                  <button
                    type="button"
                    className="cal-month-day"
                    aria-current={sameDay(d, today) ? "date" : undefined}
                    aria-label={new Intl.DateTimeFormat(loc, { dateStyle: "full" }).format(d)}
                    onClick={() => onDay(d)}
                  >
                    {d.getDate()}
                  </button>
                  {list.slice(0, 3).map((o) => (
                    <button
                      key={`${o.event_id}/${o.recurrence_id ?? ""}`}
                      type="button"
                      className={o.busy_only ? "cal-chip cal-busy" : "cal-chip"}
                      aria-disabled={o.busy_only || undefined}
                      style={{ "--cal-color": colorOf(o) } as React.CSSProperties}
                      onClick={() => onOpen(o)}
                    >
                      {label(o)}
                    </button>
                  ))}
                  {list.length > 3 && (
                    <button type="button" className="cal-more" onClick={() => onDay(d)}>
                      {t("calendar.more", { count: list.length - 3 })}
                    </button>
                  )}
                </td>
              );
            })}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
