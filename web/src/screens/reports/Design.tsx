import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { TFunction } from "i18next";
import { type FormEvent, useId, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, must } from "../../api/client";
import { AudiencePicker } from "../../components/AudiencePicker";
import { Alert, Field } from "../../components/ui";
import { errorText } from "../../lib/errors";
import { reportsKey, type Template } from "./data";
import {
  type FieldForm,
  fieldId,
  newTemplate,
  type TemplateForm,
  templateBody,
  templateForm,
} from "./design";
import { ReportTabs } from "./Tabs";
import { periodLabel } from "./Write";

const KINDS = ["text", "number", "choice", "date", "attachment"];
const PERIODS = ["daily", "weekly", "monthly", "custom"];

/**
 * TemplateDesigner lists the organization's templates (archived ones too)
 * and designs them: name, period and due time, the edit window, the plans
 * section, recipients and fields (manage_reports).
 */
export function TemplateDesigner() {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const list = useQuery({
    queryKey: [...reportsKey, "templates", "all"],
    queryFn: () => must(api.GET("/api/v1/report-templates", { params: { query: { archived: true } } })),
  });
  const [editing, setEditing] = useState<{ id: string; form: TemplateForm } | null>(null);
  const archive = useMutation({
    mutationFn: (id: string) =>
      must(api.DELETE("/api/v1/report-templates/{id}", { params: { path: { id } } })),
    onSuccess: () => qc.invalidateQueries({ queryKey: reportsKey }),
  });
  return (
    <section className="page rep-wrap" aria-labelledby="page-title">
      <h1 id="page-title">{t("reports.title")}</h1>
      <ReportTabs />
      {editing ? (
        <Designer key={editing.id} id={editing.id} initial={editing.form} onDone={() => setEditing(null)} />
      ) : (
        <>
          <p>
            <button
              type="button"
              className="btn btn-primary"
              onClick={() => setEditing({ id: "", form: newTemplate() })}
            >
              {t("reports.newTemplate")}
            </button>
          </p>
          {list.error && <Alert>{errorText(t, list.error)}</Alert>}
          <Alert>{archive.error ? errorText(t, archive.error) : ""}</Alert>
          <ul className="rep-people" aria-label={t("reports.templates")}>
            {(list.data?.items ?? []).map((tp: Template) => (
              <li key={tp.id} data-testid="designed-template">
                <span>
                  {tp.name} <span className="muted small">{periodLabel(t, tp.period)}</span>
                  {tp.archived && <span className="badge badge-muted">{t("reports.archived")}</span>}
                </span>
                {!tp.archived && (
                  <span className="row">
                    <button
                      type="button"
                      className="btn btn-small"
                      onClick={() => setEditing({ id: tp.id, form: templateForm(tp) })}
                    >
                      {t("reports.edit")}
                    </button>
                    <button
                      type="button"
                      className="btn btn-small"
                      disabled={archive.isPending}
                      onClick={() => archive.mutate(tp.id)}
                    >
                      {t("reports.archive")}
                    </button>
                  </span>
                )}
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

function Designer({ id, initial, onDone }: { id: string; initial: TemplateForm; onDone: () => void }) {
  const { t, i18n } = useTranslation();
  const zoneId = useId();
  const qc = useQueryClient();
  const [f, setF] = useState(initial);
  const set = (p: Partial<TemplateForm>) => setF((old) => ({ ...old, ...p }));
  const setField = (i: number, p: Partial<FieldForm>) =>
    set({ fields: f.fields.map((x, j) => (j === i ? { ...x, ...p } : x)) });
  const periodId = useId();
  const save = useMutation({
    mutationFn: () =>
      id
        ? must(api.PUT("/api/v1/report-templates/{id}", { params: { path: { id } }, body: templateBody(f) }))
        : must(api.POST("/api/v1/report-templates", { body: templateBody(f) })),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: reportsKey });
      onDone();
    },
  });
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  return (
    <form className="stack rep-form" onSubmit={onSubmit} aria-label={t("reports.designer")}>
      <h2 className="rep-sub">{id ? t("reports.editTemplate") : t("reports.newTemplate")}</h2>
      <Field
        label={t("reports.name")}
        value={f.name}
        maxLength={100}
        required
        onChange={(e) => set({ name: e.target.value })}
      />
      <div className="field">
        <label htmlFor={periodId} className="field-label">
          {t("reports.periodKind")}
        </label>
        <select id={periodId} value={f.period} onChange={(e) => set({ period: e.target.value })}>
          {PERIODS.map((p) => (
            <option key={p} value={p}>
              {periodLabel(t, p)}
            </option>
          ))}
        </select>
      </div>
      {f.period !== "custom" && (
        <Field
          label={t("reports.dueTime")}
          type="time"
          value={f.dueTime}
          onChange={(e) => set({ dueTime: e.target.value })}
        />
      )}
      {f.period === "weekly" && (
        <Field
          label={t("reports.dueWeekday")}
          type="number"
          min={1}
          max={7}
          value={f.dueWeekday}
          onChange={(e) => set({ dueWeekday: Number(e.target.value) })}
        />
      )}
      {f.period === "monthly" && (
        <Field
          label={t("reports.dueDay")}
          type="number"
          min={0}
          max={31}
          value={f.dueDay}
          onChange={(e) => set({ dueDay: Number(e.target.value) })}
        />
      )}
      <Field
        label={t("reports.editWindow")}
        type="number"
        min={0}
        max={43200}
        value={f.editWindow}
        onChange={(e) => set({ editWindow: Number(e.target.value) })}
      />
      <div className="field">
        <label htmlFor={zoneId} className="field-label">
          {t("reports.timezone")}
        </label>
        <select id={zoneId} value={f.timezone} onChange={(e) => set({ timezone: e.target.value })}>
          {zones(f.timezone).map((z) => (
            <option key={z} value={z}>
              {z}
            </option>
          ))}
        </select>
      </div>
      {f.period === "daily" && (
        <fieldset className="checks rep-days">
          <legend>{t("reports.workdays")}</legend>
          {[1, 2, 3, 4, 5, 6, 7].map((d) => (
            <label key={d} className="checkbox inline">
              <input
                type="checkbox"
                checked={f.workdays.includes(d)}
                onChange={(e) =>
                  set({ workdays: e.target.checked ? [...f.workdays, d] : f.workdays.filter((x) => x !== d) })
                }
              />
              {weekdayName(d, i18n.language)}
            </label>
          ))}
        </fieldset>
      )}
      {f.period !== "custom" && (
        <Field
          label={t("reports.remindBefore")}
          type="number"
          min={0}
          max={10080}
          value={f.remindBefore}
          hint={t("reports.remindHint")}
          onChange={(e) => set({ remindBefore: Number(e.target.value) })}
        />
      )}
      <fieldset className="checks">
        <legend>{t("reports.whoWrites")}</legend>
        <label className="checkbox">
          <input type="radio" name="rep-who" checked={f.everyone} onChange={() => set({ everyone: true })} />
          {t("reports.everyone")}
        </label>
        <label className="checkbox">
          <input
            type="radio"
            name="rep-who"
            checked={!f.everyone}
            onChange={() => set({ everyone: false })}
          />
          {t("reports.chosenWriters")}
        </label>
      </fieldset>
      {!f.everyone && <AudiencePicker value={f.submitters} onChange={(submitters) => set({ submitters })} />}
      <fieldset className="checks">
        <legend>{t("reports.sendTo")}</legend>
        <label className="checkbox">
          <input
            type="checkbox"
            checked={f.supervisor}
            onChange={(e) => set({ supervisor: e.target.checked })}
          />
          {t("reports.toSupervisor")}
        </label>
        <label className="checkbox">
          <input type="checkbox" checked={f.leaders} onChange={(e) => set({ leaders: e.target.checked })} />
          {t("reports.toLeaders")}
        </label>
        <AudiencePicker
          parts={["members"]}
          value={{ departments: [], roles: [], members: f.alsoTo }}
          onChange={(v) => set({ alsoTo: v.members })}
        />
        <label className="checkbox">
          <input type="checkbox" checked={f.plans} onChange={(e) => set({ plans: e.target.checked })} />
          {t("reports.withPlans")}
        </label>
      </fieldset>
      <fieldset className="checks">
        <legend>{t("reports.fields")}</legend>
        {f.fields.map((x, i) => (
          <div key={x.id} className="rep-field-edit" data-testid="designed-field">
            <Field
              label={t("reports.fieldLabel")}
              value={x.label}
              onChange={(e) => setField(i, { label: e.target.value })}
            />
            <KindSelect t={t} value={x.kind} onChange={(kind) => setField(i, { kind })} />
            {x.kind === "choice" && (
              <Field
                label={t("reports.options")}
                value={x.options}
                hint={t("reports.optionsHint")}
                onChange={(e) => setField(i, { options: e.target.value })}
              />
            )}
            <label className="checkbox">
              <input
                type="checkbox"
                checked={x.required}
                onChange={(e) => setField(i, { required: e.target.checked })}
              />
              {t("reports.requiredField")}
            </label>
            <button
              type="button"
              className="btn btn-small"
              onClick={() => set({ fields: f.fields.filter((_, j) => j !== i) })}
            >
              {t("reports.removeField")}
            </button>
          </div>
        ))}
        <button
          type="button"
          className="btn btn-small"
          disabled={f.fields.length >= 50}
          onClick={() =>
            set({
              fields: [
                ...f.fields,
                {
                  id: fieldId(
                    "",
                    f.fields.map((x) => x.id),
                  ),
                  label: "",
                  kind: "text",
                  required: false,
                  options: "",
                },
              ],
            })
          }
        >
          {t("reports.addField")}
        </button>
      </fieldset>
      <Alert>{save.error ? errorText(t, save.error) : ""}</Alert>
      <div className="row">
        <button type="button" className="btn" onClick={onDone}>
          {t("common.cancel")}
        </button>
        <button type="submit" className="btn btn-primary" disabled={save.isPending}>
          {t("common.save")}
        </button>
      </div>
    </form>
  );
}

function KindSelect({ t, value, onChange }: { t: TFunction; value: string; onChange: (k: string) => void }) {
  const id = useId();
  const names: Record<string, string> = {
    text: t("reports.kindText"),
    number: t("reports.kindNumber"),
    choice: t("reports.kindChoice"),
    date: t("reports.kindDate"),
    attachment: t("reports.kindAttachment"),
  };
  return (
    <div className="field">
      <label htmlFor={id} className="field-label">
        {t("reports.kind")}
      </label>
      <select id={id} value={value} onChange={(e) => onChange(e.target.value)}>
        {KINDS.map((k) => (
          <option key={k} value={k}>
            {names[k]}
          </option>
        ))}
      </select>
    </div>
  );
}

/** zones lists the time zones the browser knows, with current first if it is unknown to it. */
function zones(current: string): string[] {
  let all: string[] = [];
  try {
    all = (Intl as unknown as { supportedValuesOf(k: string): string[] }).supportedValuesOf("timeZone");
  } catch {
    all = [];
  }
  if (!all.includes("UTC")) all = ["UTC", ...all];
  return all.includes(current) ? all : [current, ...all];
}

/** weekdayName names an ISO weekday (1 Monday … 7 Sunday) in the language. */
function weekdayName(d: number, lang: string): string {
  // 2024-01-01 was a Monday.
  return new Date(Date.UTC(2024, 0, d)).toLocaleDateString(lang, { weekday: "short", timeZone: "UTC" });
}
