import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { api, must } from "../../api/client";
import { AudiencePicker, type Chosen } from "../../components/AudiencePicker";
import { Alert, ConfirmDialog, Dialog, Field } from "../../components/ui";
import { errorText } from "../../lib/errors";
import { useCan } from "../../lib/org";
import { type Calendar, calendarColor, calendarKey, calendarsQuery } from "./data";
import { CalendarTabs } from "./Tabs";
import { browserZone } from "./time";

const KINDS = ["team", "department", "holidays"] as const;
const none = (): Chosen => ({ departments: [], roles: [], members: [] });

type Access = { id: string; kind: string; level: string };

/** accessOf turns who may view and who may edit into the API's list (editing includes viewing: edit wins). */
export function accessOf(view: Chosen, edit: Chosen): Access[] {
  const out = new Map<string, Access>();
  const add = (c: Chosen, level: string) => {
    for (const id of c.departments) out.set(`department/${id}`, { kind: "department", id, level });
    for (const id of c.roles) out.set(`role/${id}`, { kind: "role", id, level });
    for (const m of c.members) out.set(`member/${m.id}`, { kind: "member", id: m.id, level });
  };
  add(view, "view");
  add(edit, "edit");
  return [...out.values()];
}

function chosenOf(access: Access[], level: string): Chosen {
  const c = none();
  for (const a of access.filter((x) => x.level === level)) {
    if (a.kind === "department") c.departments.push(a.id);
    else if (a.kind === "role") c.roles.push(a.id);
    else c.members.push({ id: a.id, name: "" });
  }
  return c;
}

/** Calendars lists the organization's calendars; managers create them and say who may view and edit each. */
export function Calendars() {
  const { t } = useTranslation();
  const manager = useCan("manage_calendars");
  const q = useQuery(calendarsQuery);
  const qc = useQueryClient();
  const [editing, setEditing] = useState<Calendar | "new" | null>(null);
  const [removing, setRemoving] = useState<Calendar | null>(null);
  const remove = useMutation({
    mutationFn: (id: string) => must(api.DELETE("/api/v1/calendars/{id}", { params: { path: { id } } })),
    onSuccess: () => {
      setRemoving(null);
      qc.invalidateQueries({ queryKey: calendarKey });
    },
  });
  const org = (q.data?.items ?? []).map((c, i) => ({ c, i })).filter(({ c }) => c.kind !== "personal");
  return (
    <section className="page cal-wrap" aria-labelledby="page-title">
      <h1 id="page-title">{t("calendar.title")}</h1>
      <CalendarTabs />
      <div className="row-between">
        <h2 className="rep-sub">{t("calendar.orgCalendars.title")}</h2>
        {manager && (
          <button type="button" className="btn btn-small btn-primary" onClick={() => setEditing("new")}>
            {t("calendar.orgCalendars.add")}
          </button>
        )}
      </div>
      {q.error && <Alert>{errorText(t, q.error)}</Alert>}
      {q.data && org.length === 0 && <p className="muted">{t("calendar.orgCalendars.none")}</p>}
      <ul className="cal-rooms">
        {org.map(({ c, i }) => (
          <li key={c.id} className="cal-room row-between">
            <span className="row">
              <span
                className="cal-swatch"
                style={{ "--cal-color": calendarColor(c, i) } as React.CSSProperties}
              />
              <strong>{c.name}</strong>
              <span className="muted small">{t(`enums.calendar_kind.${c.kind}`)}</span>
            </span>
            {manager && (
              <span className="row">
                <button type="button" className="btn btn-small" onClick={() => setEditing(c)}>
                  {t("calendar.rooms.edit")}
                </button>
                <button type="button" className="btn btn-small btn-danger" onClick={() => setRemoving(c)}>
                  {t("common.delete")}
                </button>
              </span>
            )}
          </li>
        ))}
      </ul>
      {editing && (
        <CalendarDialog cal={editing === "new" ? undefined : editing} onClose={() => setEditing(null)} />
      )}
      <ConfirmDialog
        open={!!removing}
        title={t("calendar.orgCalendars.deleteTitle")}
        confirm={t("common.delete")}
        danger
        pending={remove.isPending}
        error={remove.error ? errorText(t, remove.error) : undefined}
        onConfirm={() => removing && remove.mutate(removing.id)}
        onClose={() => setRemoving(null)}
      >
        {t("calendar.orgCalendars.deleteBody", { name: removing?.name ?? "" })}
      </ConfirmDialog>
    </section>
  );
}

function CalendarDialog({ cal, onClose }: { cal?: Calendar; onClose: () => void }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [name, setName] = useState(cal?.name ?? "");
  const [kind, setKind] = useState(cal?.kind ?? "team");
  const [color, setColor] = useState(
    cal?.color && /^#[0-9a-fA-F]{6}$/.test(cal.color) ? cal.color : "#1f7a4d",
  );
  const [description, setDescription] = useState(cal?.description ?? "");
  const [view, setView] = useState<Chosen>(chosenOf(cal?.access ?? [], "view"));
  const [edit, setEdit] = useState<Chosen>(chosenOf(cal?.access ?? [], "edit"));
  const [problem, setProblem] = useState("");
  const save = useMutation({
    mutationFn: () => {
      const body = {
        name: name.trim(),
        kind,
        color,
        description,
        time_zone: cal?.time_zone || browserZone(),
        access: accessOf(view, edit),
      };
      return cal
        ? must(api.PATCH("/api/v1/calendars/{id}", { params: { path: { id: cal.id } }, body }))
        : must(api.POST("/api/v1/calendars", { body }));
    },
    onSuccess: () => {
      qc.invalidateQueries({ queryKey: calendarKey });
      onClose();
    },
  });
  return (
    <Dialog
      open
      side
      title={cal ? t("calendar.orgCalendars.editTitle") : t("calendar.orgCalendars.addTitle")}
      onClose={onClose}
    >
      <form
        className="stack"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          const p = name.trim() ? "" : "calendar.orgCalendars.needName";
          setProblem(p);
          if (!p) save.mutate();
        }}
      >
        <Field
          label={t("calendar.orgCalendars.name")}
          value={name}
          autoFocus
          onChange={(e) => setName(e.target.value)}
        />
        {!cal && (
          <div className="field">
            <label className="field-label">
              {t("calendar.orgCalendars.kind")}
              <select value={kind} onChange={(e) => setKind(e.target.value)}>
                {KINDS.map((k) => (
                  <option key={k} value={k}>
                    {t(`enums.calendar_kind.${k}`)}
                  </option>
                ))}
              </select>
            </label>
          </div>
        )}
        <Field
          label={t("calendar.orgCalendars.color")}
          type="color"
          value={color}
          onChange={(e) => setColor(e.target.value)}
        />
        <div className="field">
          <label className="field-label">
            {t("calendar.orgCalendars.description")}
            <textarea rows={2} value={description} onChange={(e) => setDescription(e.target.value)} />
          </label>
        </div>
        <details open>
          <summary>{t("calendar.orgCalendars.viewers")}</summary>
          <AudiencePicker value={view} onChange={setView} />
        </details>
        <details>
          <summary>{t("calendar.orgCalendars.editors")}</summary>
          <AudiencePicker value={edit} onChange={setEdit} />
        </details>
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
