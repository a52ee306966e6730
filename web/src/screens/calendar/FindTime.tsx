import { useQuery } from "@tanstack/react-query";
import { useNavigate } from "@tanstack/react-router";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { api, must } from "../../api/client";
import { Alert, Field } from "../../components/ui";
import { errorText } from "../../lib/errors";
import { useCurrentOrg } from "../../lib/org";
import { MemberPicker, useMemberNames } from "../approvals/Pickers";
import { calendarKey, roomsQuery } from "./data";
import { CalendarTabs } from "./Tabs";
import { addDays, browserZone, minuteOfDay, parseYmd, startOfDay, ymd } from "./time";

const DURATIONS = [15, 30, 45, 60, 90, 120];
const GRID_FROM = 7;
const GRID_TO = 21;
const HOURS = Array.from({ length: GRID_TO - GRID_FROM + 1 }, (_, i) => GRID_FROM + i);

/**
 * FindTime suggests times when everyone chosen (and a room) is free, and
 * shows their busy time day by day; choosing a time opens the editor with
 * the people, the room and the time filled in.
 */
export function FindTime() {
  const { t, i18n } = useTranslation();
  const navigate = useNavigate();
  const me = useCurrentOrg()?.member_id ?? "";
  const [people, setPeople] = useState<string[]>([]);
  const [room, setRoom] = useState("");
  const [duration, setDuration] = useState(30);
  const [fromDay, setFromDay] = useState(ymd(new Date()));
  const [day, setDay] = useState(ymd(new Date()));
  const rooms = useQuery(roomsQuery);
  const names = useMemberNames(people);
  const start = parseYmd(fromDay) ?? startOfDay(new Date());
  const end = addDays(start, 7);
  const ids = ["me", ...people.filter((p) => p !== me)];
  const slots = useQuery({
    queryKey: [...calendarKey, "find", ids, room, duration, fromDay],
    queryFn: () =>
      must(
        api.GET("/api/v1/find-a-time", {
          params: {
            query: {
              member_ids: ids.join(","),
              duration_minutes: duration,
              from: start.toISOString(),
              to: end.toISOString(),
              time_zone: browserZone(),
              ...(room ? { room_id: room } : {}),
            } as never,
          },
        }),
      ),
  });
  const dayDate = parseYmd(day) ?? start;
  const fb = useQuery({
    queryKey: [...calendarKey, "freebusy", ids, day],
    queryFn: () =>
      must(
        api.GET("/api/v1/freebusy", {
          params: {
            query: {
              member_ids: ids.join(","),
              from: startOfDay(dayDate).toISOString(),
              to: addDays(startOfDay(dayDate), 1).toISOString(),
            } as never,
          },
        }),
      ),
  });
  const loc = i18n.language.startsWith("zh") ? "zh-CN" : "en";
  const fmt = new Intl.DateTimeFormat(loc, {
    weekday: "short",
    month: "short",
    day: "numeric",
    hour: "numeric",
    minute: "2-digit",
  });
  const hm = new Intl.DateTimeFormat(loc, { hour: "numeric", minute: "2-digit" });
  const pct = (ms: number) => {
    const m = minuteOfDay(ms, dayDate);
    return Math.max(0, Math.min(100, ((m - GRID_FROM * 60) / ((GRID_TO - GRID_FROM) * 60)) * 100));
  };
  const nameOf = (id: string) => (id === me ? t("calendar.find.you") : (names.get(id) ?? id));
  return (
    <section className="page cal-wrap" aria-labelledby="page-title">
      <h1 id="page-title">{t("calendar.title")}</h1>
      <CalendarTabs />
      <h2 className="rep-sub">{t("calendar.find.title")}</h2>
      <div className="stack cal-find-form">
        <MemberPicker label={t("calendar.find.people")} value={people} multiple onChange={setPeople} />
        <div className="cal-two">
          <div className="field">
            <label className="field-label">
              {t("calendar.find.duration")}
              <select value={duration} onChange={(e) => setDuration(Number(e.target.value))}>
                {DURATIONS.map((m) => (
                  <option key={m} value={m}>
                    {t("calendar.find.minutes", { count: m })}
                  </option>
                ))}
              </select>
            </label>
          </div>
          <div className="field">
            <label className="field-label">
              {t("calendar.find.room")}
              <select value={room} onChange={(e) => setRoom(e.target.value)}>
                <option value="">{t("calendar.find.noRoom")}</option>
                {(rooms.data?.items ?? []).map((r) => (
                  <option key={r.id} value={r.id}>
                    {r.name} ({t("calendar.rooms.capacity", { count: r.capacity })})
                  </option>
                ))}
              </select>
            </label>
          </div>
          <Field
            label={t("calendar.find.from")}
            type="date"
            value={fromDay}
            onChange={(e) => {
              setFromDay(e.target.value);
              setDay(e.target.value);
            }}
          />
        </div>
      </div>
      <h3 className="rep-sub">{t("calendar.find.suggestions")}</h3>
      {slots.error && <Alert>{errorText(t, slots.error)}</Alert>}
      {slots.data && slots.data.slots.length === 0 && <p className="muted">{t("calendar.find.noSlots")}</p>}
      <ul className="cal-slots">
        {(slots.data?.slots ?? []).slice(0, 12).map((s) => (
          <li key={s.start_at}>
            <button
              type="button"
              className="btn btn-small"
              data-testid="cal-slot"
              onClick={() =>
                void navigate({
                  to: "/calendar",
                  search: {
                    new: "1",
                    start: new Date(s.start_at).toISOString(),
                    end: new Date(s.start_at + duration * 60_000).toISOString(),
                    members: people.join(",") || undefined,
                    room: room || undefined,
                  },
                })
              }
            >
              {fmt.format(s.start_at)} – {hm.format(Math.min(s.end_at, s.start_at + duration * 60_000))}
            </button>
          </li>
        ))}
      </ul>
      <h3 className="rep-sub">{t("calendar.find.grid")}</h3>
      <div className="row">
        <button
          type="button"
          className="btn btn-small"
          aria-label={t("calendar.prev")}
          onClick={() => setDay(ymd(addDays(dayDate, -1)))}
        >
          ‹
        </button>
        <strong>{new Intl.DateTimeFormat(loc, { dateStyle: "full" }).format(dayDate)}</strong>
        <button
          type="button"
          className="btn btn-small"
          aria-label={t("calendar.next")}
          onClick={() => setDay(ymd(addDays(dayDate, 1)))}
        >
          ›
        </button>
      </div>
      {fb.error && <Alert>{errorText(t, fb.error)}</Alert>}
      <div className="cal-fb" data-testid="cal-freebusy">
        <div className="cal-fb-row cal-fb-scale" aria-hidden="true">
          <span className="cal-fb-name" />
          <span className="cal-fb-bar">
            {HOURS.map((h) => (
              <span
                key={h}
                className="cal-fb-tick"
                style={{ left: `${((h - GRID_FROM) / (GRID_TO - GRID_FROM)) * 100}%` }}
              >
                {h}
              </span>
            ))}
          </span>
        </div>
        {(fb.data?.people ?? []).map((p) => (
          <div key={p.member_id} className="cal-fb-row">
            <span className="cal-fb-name">{nameOf(p.member_id)}</span>
            <span className="cal-fb-bar">
              {p.busy.map((b) => (
                <span
                  key={`${b.start_at}-${b.end_at}`}
                  className="cal-fb-busy"
                  title={b.title || t("calendar.busy")}
                  style={{
                    left: `${pct(b.start_at)}%`,
                    width: `${Math.max(pct(b.end_at) - pct(b.start_at), 0.5)}%`,
                  }}
                >
                  <span className="sr-only">
                    {b.title || t("calendar.busy")} {hm.format(b.start_at)}–{hm.format(b.end_at)}
                  </span>
                </span>
              ))}
            </span>
          </div>
        ))}
      </div>
    </section>
  );
}
