import { useMutation, useQueries, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { api, must } from "../../api/client";
import { Alert, ConfirmDialog, Dialog, Field } from "../../components/ui";
import { errorText } from "../../lib/errors";
import { useCan } from "../../lib/org";
import { calendarKey, type Room, roomsQuery } from "./data";
import { CalendarTabs } from "./Tabs";
import { addDays, parseYmd, startOfDay, ymd } from "./time";

type RoomForm = { name: string; capacity: string; location: string; equipment: string };

/** roomProblem checks a room form: a name and a whole capacity from 0 (the i18n key, or ""). */
export function roomProblem(f: RoomForm): string {
  if (!f.name.trim()) return "calendar.rooms.needName";
  if (!/^\d{1,5}$/.test(f.capacity.trim())) return "calendar.rooms.badCapacity";
  return "";
}

/** Rooms lists the meeting rooms with their bookings on a day; managers add, change and retire rooms. */
export function Rooms() {
  const { t, i18n } = useTranslation();
  const manager = useCan("manage_calendars");
  const [day, setDay] = useState(ymd(new Date()));
  const [editing, setEditing] = useState<Room | "new" | null>(null);
  const [retiring, setRetiring] = useState<Room | null>(null);
  const qc = useQueryClient();
  const rooms = useQuery(roomsQuery);
  const d = parseYmd(day) ?? startOfDay(new Date());
  const list = rooms.data?.items ?? [];
  const bookings = useQueries({
    queries: list.map((r) => ({
      queryKey: [...calendarKey, "room-bookings", r.id, day],
      queryFn: () =>
        must(
          api.GET("/api/v1/rooms/{id}/bookings", {
            params: { path: { id: r.id }, query: { from: d.toISOString(), to: addDays(d, 1).toISOString() } },
          }),
        ),
    })),
  });
  const retire = useMutation({
    mutationFn: (id: string) => must(api.DELETE("/api/v1/rooms/{id}", { params: { path: { id } } })),
    onSuccess: () => {
      setRetiring(null);
      qc.invalidateQueries({ queryKey: calendarKey });
    },
  });
  const loc = i18n.language.startsWith("zh") ? "zh-CN" : "en";
  const hm = new Intl.DateTimeFormat(loc, { hour: "numeric", minute: "2-digit" });
  return (
    <section className="page cal-wrap" aria-labelledby="page-title">
      <h1 id="page-title">{t("calendar.title")}</h1>
      <CalendarTabs />
      <div className="row-between">
        <h2 className="rep-sub">{t("calendar.rooms.title")}</h2>
        {manager && (
          <button type="button" className="btn btn-small btn-primary" onClick={() => setEditing("new")}>
            {t("calendar.rooms.add")}
          </button>
        )}
      </div>
      <Field
        label={t("calendar.rooms.day")}
        type="date"
        value={day}
        onChange={(e) => setDay(e.target.value)}
      />
      {rooms.error && <Alert>{errorText(t, rooms.error)}</Alert>}
      {rooms.data && list.length === 0 && <p className="muted">{t("calendar.rooms.none")}</p>}
      <ul className="cal-rooms">
        {list.map((r, i) => (
          <li key={r.id} className="cal-room" data-testid="cal-room">
            <div className="row-between">
              <div>
                <strong>{r.name}</strong>{" "}
                <span className="muted small">
                  {t("calendar.rooms.capacity", { count: r.capacity })}
                  {r.location ? ` · ${r.location}` : ""}
                  {r.equipment.length > 0 ? ` · ${r.equipment.join(", ")}` : ""}
                </span>
              </div>
              {manager && (
                <div className="row">
                  <button type="button" className="btn btn-small" onClick={() => setEditing(r)}>
                    {t("calendar.rooms.edit")}
                  </button>
                  <button type="button" className="btn btn-small btn-danger" onClick={() => setRetiring(r)}>
                    {t("calendar.rooms.retire")}
                  </button>
                </div>
              )}
            </div>
            <ul className="cal-bookings">
              {(bookings[i]?.data?.items ?? []).map((b) => (
                <li key={`${b.event_id}/${b.start_at}`} className="cal-booking">
                  {hm.format(b.start_at)}–{hm.format(b.end_at)}{" "}
                  {b.title ? (
                    <Link to="/calendar/events/$id" params={{ id: b.event_id }} search={{}}>
                      {b.title}
                    </Link>
                  ) : (
                    <span className="muted">{t("calendar.busy")}</span>
                  )}
                </li>
              ))}
              {bookings[i]?.data && bookings[i].data.items.length === 0 && (
                <li className="cal-booking muted small">{t("calendar.rooms.freeAllDay")}</li>
              )}
            </ul>
          </li>
        ))}
      </ul>
      {editing && (
        <RoomDialog room={editing === "new" ? undefined : editing} onClose={() => setEditing(null)} />
      )}
      <ConfirmDialog
        open={!!retiring}
        title={t("calendar.rooms.retireTitle")}
        confirm={t("calendar.rooms.retire")}
        danger
        pending={retire.isPending}
        error={retire.error ? errorText(t, retire.error) : undefined}
        onConfirm={() => retiring && retire.mutate(retiring.id)}
        onClose={() => setRetiring(null)}
      >
        {t("calendar.rooms.retireBody", { name: retiring?.name ?? "" })}
      </ConfirmDialog>
    </section>
  );
}

function RoomDialog({ room, onClose }: { room?: Room; onClose: () => void }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [f, setF] = useState<RoomForm>({
    name: room?.name ?? "",
    capacity: String(room?.capacity ?? 6),
    location: room?.location ?? "",
    equipment: room?.equipment.join(", ") ?? "",
  });
  const [problem, setProblem] = useState("");
  const save = useMutation({
    mutationFn: () => {
      const body = {
        name: f.name.trim(),
        capacity: Number(f.capacity),
        location: f.location.trim(),
        equipment: f.equipment
          .split(/[,，]/)
          .map((x) => x.trim())
          .filter(Boolean),
      };
      return room
        ? must(api.PUT("/api/v1/rooms/{id}", { params: { path: { id: room.id } }, body }))
        : must(api.POST("/api/v1/rooms", { body }));
    },
    onSuccess: () => {
      qc.invalidateQueries({ queryKey: calendarKey });
      onClose();
    },
  });
  return (
    <Dialog
      open
      title={room ? t("calendar.rooms.editTitle") : t("calendar.rooms.addTitle")}
      onClose={onClose}
    >
      <form
        className="stack"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          const p = roomProblem(f);
          setProblem(p);
          if (!p) save.mutate();
        }}
      >
        <Field
          label={t("calendar.rooms.name")}
          value={f.name}
          autoFocus
          onChange={(e) => setF({ ...f, name: e.target.value })}
        />
        <Field
          label={t("calendar.rooms.capacityLabel")}
          type="number"
          min={0}
          value={f.capacity}
          onChange={(e) => setF({ ...f, capacity: e.target.value })}
        />
        <Field
          label={t("calendar.rooms.location")}
          value={f.location}
          onChange={(e) => setF({ ...f, location: e.target.value })}
        />
        <Field
          label={t("calendar.rooms.equipment")}
          hint={t("calendar.rooms.equipmentHint")}
          value={f.equipment}
          onChange={(e) => setF({ ...f, equipment: e.target.value })}
        />
        {problem && <Alert>{t(problem)}</Alert>}
        {save.error && <Alert>{errorText(t, save.error)}</Alert>}
        <div className="dialog-actions">
          <button type="button" className="btn" onClick={onClose}>
            {t("common.cancel")}
          </button>
          <button type="submit" className="btn btn-primary" disabled={save.isPending}>
            {t("common.save")}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
