import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useId, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, must } from "../../api/client";
import { AudiencePicker, type Chosen } from "../../components/AudiencePicker";
import { Alert, ConfirmDialog, Field } from "../../components/ui";
import { errorText } from "../../lib/errors";
import { useCan } from "../../lib/org";
import {
  addMonths,
  attendanceKey,
  cleanRules,
  DEFAULT_RULES,
  daysIn,
  type Group,
  groupsQuery,
  lines,
  locate,
  monthOf,
  type Place,
  type RosterEntry,
  type Rules,
  type Shift,
} from "./data";
import { AttendanceTabs } from "./Tabs";

/** Groups lists the attendance groups and edits one (attendance managers). */
export function Groups() {
  const { t } = useTranslation();
  const manager = useCan("manage_attendance");
  const q = useQuery({ ...groupsQuery, enabled: manager });
  const [editing, setEditing] = useState<Group | "new" | null>(null);
  const [roster, setRoster] = useState<Group | null>(null);
  return (
    <section className="page rep-wrap att-wrap" aria-labelledby="page-title">
      <h1 id="page-title">{t("attendance.title")}</h1>
      <AttendanceTabs />
      {!manager && <Alert>{t("errors.forbidden")}</Alert>}
      {q.error && <Alert>{errorText(t, q.error)}</Alert>}
      {manager && !editing && !roster && (
        <>
          <p>
            <button type="button" className="btn btn-primary" onClick={() => setEditing("new")}>
              {t("attendance.admin.newGroup")}
            </button>
          </p>
          {q.data && q.data.items.length === 0 && <p className="muted">{t("attendance.admin.noGroups")}</p>}
          <ul className="note-list">
            {q.data?.items.map((g) => (
              <li key={g.id} className="note" data-testid="att-group">
                <div className="note-main">
                  <span className="note-head">{g.name}</span>
                  <span className="muted small">
                    {kindText(t, g.rules.kind)} ·{" "}
                    {t("attendance.admin.placeCount", { count: g.rules.places.length })}
                  </span>
                </div>
                <div className="row">
                  <button type="button" className="btn btn-small" onClick={() => setEditing(g)}>
                    {t("attendance.admin.edit")}
                  </button>
                  {g.rules.kind === "shifts" && (
                    <button type="button" className="btn btn-small" onClick={() => setRoster(g)}>
                      {t("attendance.admin.roster")}
                    </button>
                  )}
                </div>
              </li>
            ))}
          </ul>
        </>
      )}
      {editing && (
        <GroupEditor
          key={editing === "new" ? "new" : editing.id}
          group={editing === "new" ? undefined : editing}
          onDone={() => setEditing(null)}
        />
      )}
      {roster && <RosterEditor group={roster} onDone={() => setRoster(null)} />}
    </section>
  );
}

function kindText(t: (k: string) => string, kind: string): string {
  if (kind === "flexible") return t("attendance.admin.kindFlexible");
  if (kind === "shifts") return t("attendance.admin.kindShifts");
  return t("attendance.admin.kindFixed");
}

function localZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  } catch {
    return "UTC";
  }
}

/** GroupEditor creates or replaces a group: members, schedule, places, networks and rules. */
function GroupEditor({ group, onDone }: { group?: Group; onDone: () => void }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [name, setName] = useState(group?.name ?? "");
  const [who, setWho] = useState<Chosen>({
    departments: group?.members.department_ids ?? [],
    roles: [],
    members: (group?.members.member_ids ?? []).map((id) => ({ id, name: "" })),
  });
  const [r, setR] = useState<Rules>(() => group?.rules ?? { ...DEFAULT_RULES, timezone: localZone() });
  const [bssids, setBssids] = useState((group?.rules.networks.bssids ?? []).join("\n"));
  const [cidrs, setCidrs] = useState((group?.rules.networks.cidrs ?? []).join("\n"));
  const [geoError, setGeoError] = useState("");
  const [archiving, setArchiving] = useState(false);
  const set = (p: Partial<Rules>) => setR((x) => ({ ...x, ...p }));
  const setPlace = (i: number, p: Partial<Place>) =>
    set({ places: r.places.map((x, j) => (j === i ? { ...x, ...p } : x)) });
  const setShift = (i: number, p: Partial<Shift>) =>
    set({ shifts: r.shifts.map((x, j) => (j === i ? { ...x, ...p } : x)) });
  const ids = { kind: useId(), ooa: useId(), basis: useId(), bssid: useId(), cidr: useId() };

  const save = useMutation({
    mutationFn: () => {
      const body = {
        name: name.trim(),
        members: { member_ids: who.members.map((m) => m.id), department_ids: who.departments },
        rules: cleanRules({ ...r, networks: { bssids: lines(bssids), cidrs: lines(cidrs) } }),
      };
      return group
        ? must(api.PUT("/api/v1/attendance-groups/{id}", { params: { path: { id: group.id } }, body }))
        : must(api.POST("/api/v1/attendance-groups", { body }));
    },
    onSuccess: () => {
      qc.invalidateQueries({ queryKey: attendanceKey });
      onDone();
    },
  });
  const archive = useMutation({
    mutationFn: () =>
      must(api.DELETE("/api/v1/attendance-groups/{id}", { params: { path: { id: group?.id ?? "" } } })),
    onSuccess: () => {
      qc.invalidateQueries({ queryKey: attendanceKey });
      onDone();
    },
  });
  const here = async (i: number) => {
    setGeoError("");
    try {
      const p = await locate();
      setPlace(i, { lat: p.lat, lng: p.lng });
    } catch {
      setGeoError(t("attendance.admin.noPosition"));
    }
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  const num = (v: string) => (v === "" ? 0 : Number(v));
  return (
    <form className="att-editor stack" aria-label={t("attendance.admin.group")} onSubmit={submit}>
      <h2 className="rep-sub">{group ? t("attendance.admin.editGroup") : t("attendance.admin.newGroup")}</h2>
      <Field
        label={t("attendance.admin.name")}
        value={name}
        onChange={(e) => setName(e.target.value)}
        required
      />
      <fieldset>
        <legend>{t("attendance.admin.members")}</legend>
        <AudiencePicker value={who} onChange={setWho} parts={["departments", "members"]} />
      </fieldset>

      <fieldset>
        <legend>{t("attendance.admin.schedule")}</legend>
        <div className="field">
          <label htmlFor={ids.kind} className="field-label">
            {t("attendance.admin.kind")}
          </label>
          <select id={ids.kind} value={r.kind} onChange={(e) => set({ kind: e.target.value })}>
            <option value="fixed">{t("attendance.admin.kindFixed")}</option>
            <option value="flexible">{t("attendance.admin.kindFlexible")}</option>
            <option value="shifts">{t("attendance.admin.kindShifts")}</option>
          </select>
        </div>
        <Field
          label={t("attendance.admin.timezone")}
          value={r.timezone}
          onChange={(e) => set({ timezone: e.target.value })}
          hint={t("attendance.admin.timezoneHint")}
        />
        {r.kind === "fixed" && (
          <div className="rep-filters">
            <Field
              label={t("attendance.admin.start")}
              type="time"
              value={r.start ?? ""}
              onChange={(e) => set({ start: e.target.value })}
            />
            <Field
              label={t("attendance.admin.end")}
              type="time"
              value={r.end ?? ""}
              onChange={(e) => set({ end: e.target.value })}
            />
          </div>
        )}
        {r.kind === "flexible" && (
          <div className="rep-filters">
            <Field
              label={t("attendance.admin.coreStart")}
              type="time"
              value={r.core_start ?? ""}
              onChange={(e) => set({ core_start: e.target.value })}
            />
            <Field
              label={t("attendance.admin.coreEnd")}
              type="time"
              value={r.core_end ?? ""}
              onChange={(e) => set({ core_end: e.target.value })}
            />
            <Field
              label={t("attendance.admin.totalMinutes")}
              type="number"
              min={0}
              value={r.total_minutes ?? ""}
              onChange={(e) => set({ total_minutes: num(e.target.value) })}
            />
          </div>
        )}
        {r.kind !== "shifts" && (
          <fieldset className="checks">
            <legend>{t("attendance.admin.workdays")}</legend>
            {[1, 2, 3, 4, 5, 6, 7].map((d) => (
              <label key={d} className="checkbox">
                <input
                  type="checkbox"
                  checked={r.workdays.includes(d)}
                  onChange={(e) =>
                    set({
                      workdays: e.target.checked
                        ? [...r.workdays, d].sort()
                        : r.workdays.filter((x) => x !== d),
                    })
                  }
                />
                {weekdayName(d)}
              </label>
            ))}
          </fieldset>
        )}
        {r.kind === "shifts" && (
          <div className="stack">
            {r.shifts.map((s, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: shifts are edited in place by position.
              <div key={i} className="rep-field-edit" data-testid="att-shift">
                <Field
                  label={t("attendance.admin.shiftId")}
                  value={s.id}
                  onChange={(e) => setShift(i, { id: e.target.value })}
                />
                <Field
                  label={t("attendance.admin.shiftName")}
                  value={s.name}
                  onChange={(e) => setShift(i, { name: e.target.value })}
                />
                <Field
                  label={t("attendance.admin.start")}
                  type="time"
                  value={s.start}
                  onChange={(e) => setShift(i, { start: e.target.value })}
                />
                <Field
                  label={t("attendance.admin.end")}
                  type="time"
                  value={s.end}
                  onChange={(e) => setShift(i, { end: e.target.value })}
                />
                <button
                  type="button"
                  className="btn btn-small"
                  onClick={() => set({ shifts: r.shifts.filter((_, j) => j !== i) })}
                >
                  {t("attendance.admin.remove")}
                </button>
              </div>
            ))}
            <p>
              <button
                type="button"
                className="btn btn-small"
                onClick={() =>
                  set({
                    shifts: [
                      ...r.shifts,
                      { id: `s${r.shifts.length + 1}`, name: "", start: "09:00", end: "18:00" },
                    ],
                  })
                }
              >
                {t("attendance.admin.addShift")}
              </button>
            </p>
          </div>
        )}
        <div className="rep-filters">
          <Field
            label={t("attendance.admin.graceLate")}
            type="number"
            min={0}
            value={r.grace_late_minutes}
            onChange={(e) => set({ grace_late_minutes: num(e.target.value) })}
          />
          <Field
            label={t("attendance.admin.graceEarly")}
            type="number"
            min={0}
            value={r.grace_early_minutes}
            onChange={(e) => set({ grace_early_minutes: num(e.target.value) })}
          />
        </div>
      </fieldset>

      <fieldset>
        <legend>{t("attendance.admin.places")}</legend>
        <p className="muted small">{t("attendance.admin.placesHint")}</p>
        {geoError && <Alert kind="warn">{geoError}</Alert>}
        {r.places.map((p, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: places are edited in place by position.
          <div key={i} className="rep-field-edit" data-testid="att-place">
            <Field
              label={t("attendance.admin.placeName")}
              value={p.name}
              onChange={(e) => setPlace(i, { name: e.target.value })}
            />
            <Field
              label={t("attendance.admin.lat")}
              inputMode="decimal"
              value={p.lat}
              onChange={(e) => setPlace(i, { lat: e.target.value })}
            />
            <Field
              label={t("attendance.admin.lng")}
              inputMode="decimal"
              value={p.lng}
              onChange={(e) => setPlace(i, { lng: e.target.value })}
            />
            <Field
              label={t("attendance.admin.radius")}
              type="number"
              min={10}
              max={50000}
              value={p.radius_m}
              onChange={(e) => setPlace(i, { radius_m: num(e.target.value) })}
            />
            <button type="button" className="btn btn-small" onClick={() => here(i)}>
              {t("attendance.admin.useMyPosition")}
            </button>
            <button
              type="button"
              className="btn btn-small"
              onClick={() => set({ places: r.places.filter((_, j) => j !== i) })}
            >
              {t("attendance.admin.remove")}
            </button>
          </div>
        ))}
        <p>
          <button
            type="button"
            className="btn btn-small"
            onClick={() => set({ places: [...r.places, { name: "", lat: "", lng: "", radius_m: 200 }] })}
          >
            {t("attendance.admin.addPlace")}
          </button>
        </p>
      </fieldset>

      <fieldset>
        <legend>{t("attendance.admin.networks")}</legend>
        <div className="field">
          <label htmlFor={ids.bssid} className="field-label">
            {t("attendance.admin.bssids")}
          </label>
          <textarea id={ids.bssid} rows={2} value={bssids} onChange={(e) => setBssids(e.target.value)} />
          <span className="field-hint">{t("attendance.admin.bssidsHint")}</span>
        </div>
        <div className="field">
          <label htmlFor={ids.cidr} className="field-label">
            {t("attendance.admin.cidrs")}
          </label>
          <textarea id={ids.cidr} rows={2} value={cidrs} onChange={(e) => setCidrs(e.target.value)} />
          <span className="field-hint">{t("attendance.admin.cidrsHint")}</span>
        </div>
      </fieldset>

      <fieldset>
        <legend>{t("attendance.admin.rules")}</legend>
        <div className="field">
          <label htmlFor={ids.ooa} className="field-label">
            {t("attendance.admin.outOfArea")}
          </label>
          <select id={ids.ooa} value={r.out_of_area} onChange={(e) => set({ out_of_area: e.target.value })}>
            <option value="refuse">{t("attendance.admin.ooaRefuse")}</option>
            <option value="note">{t("attendance.admin.ooaNote")}</option>
          </select>
        </div>
        <div className="rep-filters">
          <Field
            label={t("attendance.admin.correctionLimit")}
            type="number"
            min={0}
            max={31}
            value={r.correction_limit}
            onChange={(e) => set({ correction_limit: num(e.target.value) })}
          />
          <Field
            label={t("attendance.admin.remind")}
            type="number"
            min={0}
            value={r.remind_before_minutes}
            onChange={(e) => set({ remind_before_minutes: num(e.target.value) })}
          />
          <Field
            label={t("attendance.admin.locationDays")}
            type="number"
            min={1}
            max={365}
            value={r.location_days}
            onChange={(e) => set({ location_days: num(e.target.value) })}
          />
        </div>
        <div className="field">
          <label htmlFor={ids.basis} className="field-label">
            {t("attendance.admin.legalBasis")}
          </label>
          <select id={ids.basis} value={r.legal_basis} onChange={(e) => set({ legal_basis: e.target.value })}>
            <option value="consent">{t("attendance.admin.basisConsent")}</option>
            <option value="contract">{t("attendance.admin.basisContract")}</option>
          </select>
        </div>
      </fieldset>

      {save.error && <Alert>{errorText(t, save.error)}</Alert>}
      <div className="row">
        <button type="submit" className="btn btn-primary" disabled={save.isPending}>
          {t("attendance.admin.save")}
        </button>
        <button type="button" className="btn" onClick={onDone}>
          {t("common.cancel")}
        </button>
        {group && (
          <button type="button" className="btn btn-danger" onClick={() => setArchiving(true)}>
            {t("attendance.admin.archive")}
          </button>
        )}
      </div>
      <ConfirmDialog
        open={archiving}
        title={t("attendance.admin.archive")}
        confirm={t("attendance.admin.archive")}
        danger
        pending={archive.isPending}
        error={archive.error ? errorText(t, archive.error) : undefined}
        onConfirm={() => archive.mutate()}
        onClose={() => setArchiving(false)}
      >
        {t("attendance.admin.archiveBody", { name: group?.name ?? "" })}
      </ConfirmDialog>
    </form>
  );
}

function weekdayName(iso: number): string {
  const lang = document.documentElement.lang?.startsWith("zh") ? "zh-CN" : "en";
  // 2024-01-01 was a Monday.
  return new Intl.DateTimeFormat(lang, { weekday: "short", timeZone: "UTC" }).format(
    new Date(Date.UTC(2024, 0, iso)),
  );
}

/** RosterEditor sets a shift group's members' shifts day by day for a month. */
function RosterEditor({ group, onDone }: { group: Group; onDone: () => void }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [month, setMonth] = useState(monthOf(new Date()));
  const [changes, setChanges] = useState<Map<string, string>>(new Map());
  const q = useQuery({
    queryKey: [...attendanceKey, "roster", group.id, month],
    queryFn: () =>
      must(
        api.GET("/api/v1/attendance-groups/{id}/roster", {
          params: { path: { id: group.id }, query: { month } },
        }),
      ),
  });
  const memberIds = [
    ...new Set([...group.members.member_ids, ...(q.data?.entries ?? []).map((e) => e.member_id)]),
  ];
  const names = useQuery({
    queryKey: ["members", "names", memberIds],
    queryFn: () =>
      Promise.all(
        memberIds.map((id) =>
          must(api.GET("/api/v1/members/{id}", { params: { path: { id } } }))
            .then((m) => [id, m.display_name] as const)
            .catch(() => [id, id] as const),
        ),
      ),
  });
  const nameOf = new Map(names.data ?? []);
  const stored = new Map((q.data?.entries ?? []).map((e) => [`${e.member_id}/${e.day}`, e.shift_id]));
  const n = daysIn(month);
  const days = Array.from({ length: n }, (_, i) => `${month}-${String(i + 1).padStart(2, "0")}`);
  const save = useMutation({
    mutationFn: () => {
      const entries: RosterEntry[] = [...changes].map(([k, shift_id]) => {
        const [member_id, day] = k.split("/");
        return { member_id, day, shift_id };
      });
      return must(
        api.PUT("/api/v1/attendance-groups/{id}/roster", {
          params: { path: { id: group.id } },
          body: { entries },
        }),
      );
    },
    onSuccess: () => {
      setChanges(new Map());
      qc.invalidateQueries({ queryKey: [...attendanceKey, "roster", group.id] });
    },
  });
  return (
    <div className="stack">
      <h2 className="rep-sub">{t("attendance.admin.rosterOf", { name: group.name })}</h2>
      <div className="att-monthbar">
        <button
          type="button"
          className="btn btn-small"
          aria-label={t("attendance.prevMonth")}
          onClick={() => setMonth(addMonths(month, -1))}
        >
          ‹
        </button>
        <span>{month}</span>
        <button
          type="button"
          className="btn btn-small"
          aria-label={t("attendance.nextMonth")}
          onClick={() => setMonth(addMonths(month, 1))}
        >
          ›
        </button>
      </div>
      {q.error && <Alert>{errorText(t, q.error)}</Alert>}
      {memberIds.length === 0 && <p className="muted">{t("attendance.admin.rosterNoMembers")}</p>}
      <div className="rep-table-wrap">
        <table className="rep-table att-roster">
          <thead>
            <tr>
              <th scope="col">{t("attendance.admin.member")}</th>
              {days.map((d) => (
                <th key={d} scope="col">
                  {Number(d.slice(8))}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {memberIds.map((m) => (
              <tr key={m}>
                <th scope="row">{nameOf.get(m) ?? m}</th>
                {days.map((d) => {
                  const k = `${m}/${d}`;
                  const v = changes.get(k) ?? stored.get(k) ?? "";
                  return (
                    <td key={d}>
                      <select
                        aria-label={`${nameOf.get(m) ?? m} ${d}`}
                        value={v}
                        onChange={(e) => setChanges((c) => new Map(c).set(k, e.target.value))}
                      >
                        <option value="">{t("attendance.admin.rest")}</option>
                        {group.rules.shifts.map((s) => (
                          <option key={s.id} value={s.id}>
                            {s.name || s.id}
                          </option>
                        ))}
                      </select>
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {save.error && <Alert>{errorText(t, save.error)}</Alert>}
      <div className="row">
        <button
          type="button"
          className="btn btn-primary"
          disabled={changes.size === 0 || save.isPending}
          onClick={() => save.mutate()}
        >
          {t("attendance.admin.save")}
        </button>
        <button type="button" className="btn" onClick={onDone}>
          {t("attendance.admin.back")}
        </button>
      </div>
    </div>
  );
}
