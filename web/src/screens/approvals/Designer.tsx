import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { TFunction } from "i18next";
import {
  createContext,
  type DragEvent,
  type FormEvent,
  type ReactNode,
  useContext,
  useId,
  useRef,
  useState,
} from "react";
import { useTranslation } from "react-i18next";
import { AudiencePicker, type Chosen, roleName } from "../../components/AudiencePicker";
import { Alert, Field } from "../../components/ui";
import { errorText } from "../../lib/errors";
import { allTemplatesQuery, approvalsKey, call, saveTemplate } from "./data";
import {
  bodyOf,
  children,
  condFields,
  type DesignProblem,
  designProblems,
  inputOf,
  isGroup,
  isListOp,
  move,
  newField,
  newStep,
  newTemplate,
  opsFor,
  optionsOf,
  slug,
  withChildren,
  withType,
} from "./design";
import { approverTypeText, FIELD_TYPES, modeText, opText, typeText } from "./labels";
import { MemberPicker, useDepartments, useRoles } from "./Pickers";
import { ApprovalTabs } from "./Tabs";
import type { Condition, FieldType, Flow, FlowStep, FormField, Template, TemplateInput } from "./types";

/**
 * TemplateDesigner lists every template (archived ones too) and designs
 * them: the form's fields, the flow's steps with their conditions, CC and
 * automatic approval (manage_approvals). Saving makes a new version;
 * requests filed before keep theirs.
 */
export function TemplateDesigner() {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const list = useQuery(allTemplatesQuery);
  const [editing, setEditing] = useState<{ id: string; input: TemplateInput } | null>(null);
  const toggle = useMutation({
    mutationFn: (tp: Template) =>
      call<void>(
        "POST",
        `/approval-templates/${encodeURIComponent(tp.id)}/${tp.archived ? "restore" : "archive"}`,
      ),
    onSuccess: () => qc.invalidateQueries({ queryKey: approvalsKey }),
  });
  return (
    <section className="page rep-wrap" aria-labelledby="page-title">
      <h1 id="page-title">{t("approvals.title")}</h1>
      <ApprovalTabs />
      {editing ? (
        <Designer key={editing.id} id={editing.id} initial={editing.input} onDone={() => setEditing(null)} />
      ) : (
        <>
          <p>
            <button
              type="button"
              className="btn btn-primary"
              onClick={() => setEditing({ id: "", input: newTemplate() })}
            >
              {t("approvals.newTemplate")}
            </button>
          </p>
          {list.error && <Alert>{errorText(t, list.error)}</Alert>}
          <Alert>{toggle.error ? errorText(t, toggle.error) : ""}</Alert>
          <ul className="rep-people" aria-label={t("approvals.templates")}>
            {(list.data?.items ?? []).map((tp) => (
              <li key={tp.id} data-testid="designed-template">
                <span>
                  {tp.name} <span className="muted small">{tp.group}</span>{" "}
                  <span className="muted small">{t("approvals.version", { n: tp.version })}</span>{" "}
                  {tp.archived && <span className="badge badge-muted">{t("approvals.archived")}</span>}
                </span>
                <span className="row">
                  {!tp.archived && (
                    <button
                      type="button"
                      className="btn btn-small"
                      aria-label={t("approvals.editNamed", { name: tp.name })}
                      onClick={() => setEditing({ id: tp.id, input: inputOf(tp) })}
                    >
                      {t("approvals.edit")}
                    </button>
                  )}
                  <a
                    className="btn btn-small"
                    href={`/api/v1/approval-templates/${encodeURIComponent(tp.id)}/requests.csv`}
                  >
                    {t("approvals.csv")}
                  </a>
                  <button
                    type="button"
                    className="btn btn-small"
                    disabled={toggle.isPending}
                    onClick={() => toggle.mutate(tp)}
                  >
                    {tp.archived ? t("approvals.restore") : t("approvals.archive")}
                  </button>
                </span>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}

/** Saved holds the ids of fields already saved: their ids no longer follow their labels. */
const Saved = createContext<Set<string>>(new Set());

function allIds(fields: FormField[]): string[] {
  return fields.flatMap((f) => [f.id, ...allIds(f.columns ?? [])]);
}

function Designer({ id, initial, onDone }: { id: string; initial: TemplateInput; onDone: () => void }) {
  const { t } = useTranslation();
  const [saved] = useState(() => new Set(id ? allIds(initial.fields) : []));
  const qc = useQueryClient();
  const [d, setD] = useState(initial);
  const [shown, setShown] = useState<DesignProblem[]>([]);
  const set = (p: Partial<TemplateInput>) => setD((old) => ({ ...old, ...p }));
  const setFlow = (p: Partial<Flow>) => setD((old) => ({ ...old, flow: { ...old.flow, ...p } }));
  const save = useMutation({
    mutationFn: () => saveTemplate(id, bodyOf(d)),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: approvalsKey });
      onDone();
    },
  });
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    const ps = designProblems(d);
    setShown(ps);
    if (ps.length === 0) save.mutate();
  };
  return (
    <Saved.Provider value={saved}>
      <form
        className="stack rep-form apv-designer"
        onSubmit={onSubmit}
        aria-label={t("approvals.designer")}
        noValidate
      >
        <h2 className="rep-sub">{id ? t("approvals.editTemplate") : t("approvals.newTemplate")}</h2>
        <div className="form-grid">
          <Field
            label={t("approvals.name")}
            value={d.name}
            maxLength={100}
            required
            onChange={(e) => set({ name: e.target.value })}
          />
          <Field
            label={t("approvals.group")}
            value={d.group}
            maxLength={50}
            onChange={(e) => set({ group: e.target.value })}
          />
        </div>
        <Field
          label={t("approvals.description")}
          value={d.description}
          maxLength={500}
          onChange={(e) => set({ description: e.target.value })}
        />
        <Availability d={d} set={set} />
        <FieldList
          title={t("approvals.fields")}
          fields={d.fields}
          onChange={(fields) => set({ fields })}
          max={100}
        />
        <FlowEditor d={d} setFlow={setFlow} />
        {shown.length > 0 && (
          <Alert>
            <ul className="apv-problems">
              {shown.map((p, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: a list of sentences
                <li key={i}>{designProblemText(t, p)}</li>
              ))}
            </ul>
          </Alert>
        )}
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
    </Saved.Provider>
  );
}

function Availability({ d, set }: { d: TemplateInput; set: (p: Partial<TemplateInput>) => void }) {
  const { t } = useTranslation();
  const a = d.available_to;
  const setA = (p: Partial<TemplateInput["available_to"]>) => set({ available_to: { ...a, ...p } });
  const name = useId();
  return (
    <fieldset className="checks">
      <legend>{t("approvals.availableTo")}</legend>
      <label className="checkbox">
        <input type="radio" name={name} checked={a.all} onChange={() => setA({ all: true })} />
        {t("approvals.everyone")}
      </label>
      <label className="checkbox">
        <input type="radio" name={name} checked={!a.all} onChange={() => setA({ all: false })} />
        {t("approvals.some")}
      </label>
      {!a.all && (
        <div className="apv-indent">
          <Audience
            departments={a.department_ids}
            roles={a.role_ids}
            members={a.member_ids ?? []}
            onChange={(x) =>
              setA({ department_ids: x.departments, role_ids: x.roles, member_ids: x.members })
            }
          />
        </div>
      )}
    </fieldset>
  );
}

/**
 * Audience is the directory's AudiencePicker over lists of ids: it keeps
 * the names of the people chosen here so their chips read well.
 */
function Audience({
  departments = [],
  roles,
  members,
  parts,
  onChange,
}: {
  departments?: string[];
  roles: string[];
  members: string[];
  parts?: ("departments" | "roles" | "members")[];
  onChange: (x: { departments: string[]; roles: string[]; members: string[] }) => void;
}) {
  const [names, setNames] = useState<Map<string, string>>(new Map());
  const value: Chosen = {
    departments,
    roles,
    members: members.map((id) => ({ id, name: names.get(id) ?? "" })),
  };
  return (
    <AudiencePicker
      value={value}
      parts={parts}
      onChange={(v) => {
        setNames((old) => {
          const n = new Map(old);
          for (const m of v.members) if (m.name) n.set(m.id, m.name);
          return n;
        });
        onChange({ departments: v.departments, roles: v.roles, members: v.members.map((m) => m.id) });
      }}
    />
  );
}

function Checks({
  legend,
  items,
  value,
  onChange,
}: {
  legend: string;
  items: { id: string; name: string; depth?: number }[];
  value: string[];
  onChange: (v: string[]) => void;
}) {
  return (
    <fieldset className="checks">
      <legend className="field-label">{legend}</legend>
      {items.map((x) => (
        <label key={x.id} className={`checkbox ann-depth-${Math.min(x.depth ?? 0, 4)}`}>
          <input
            type="checkbox"
            checked={value.includes(x.id)}
            onChange={(e) => onChange(e.target.checked ? [...value, x.id] : value.filter((y) => y !== x.id))}
          />
          {x.name}
        </label>
      ))}
    </fieldset>
  );
}

/**
 * FieldList orders and edits fields: drag an item by its handle, or move
 * it with its buttons (and Alt+↑/↓ from anywhere inside it).
 */
function FieldList({
  title,
  fields,
  onChange,
  max,
  nested,
}: {
  title: string;
  fields: FormField[];
  onChange: (fields: FormField[]) => void;
  max: number;
  nested?: boolean;
}) {
  const { t } = useTranslation();
  const [dragging, setDragging] = useState<number | null>(null);
  const [addType, setAddType] = useState<FieldType>("text");
  const [moved, setMoved] = useState("");
  const addId = useId();
  // Stable keys that move with the fields (ids change while a label is typed).
  const keys = useRef<string[]>([]);
  const serial = useRef(0);
  const fresh = () => `k${++serial.current}`;
  if (keys.current.length !== fields.length) keys.current = fields.map(fresh);
  const types = nested ? FIELD_TYPES.filter((x) => x !== "table" && x !== "description") : FIELD_TYPES;
  const shift = (i: number, to: number) => {
    const next = move(fields, i, to);
    if (next === fields) return;
    keys.current = move(keys.current, i, to);
    onChange(next);
    setMoved(
      t("approvals.movedTo", {
        name: fields[i].label || fields[i].id,
        n: Math.max(0, Math.min(fields.length - 1, to)) + 1,
      }),
    );
  };
  return (
    <fieldset className={nested ? "checks apv-columns" : "checks apv-fields"}>
      <legend>{title}</legend>
      <p className="sr-only" aria-live="polite">
        {moved}
      </p>
      {fields.length === 0 && <p className="muted small">{t("approvals.noFields")}</p>}
      <ol className="apv-field-list">
        {fields.map((f, i) => (
          <li
            key={keys.current[i]}
            className={dragging === i ? "apv-field apv-dragging" : "apv-field"}
            data-testid={nested ? "designed-column" : "designed-field"}
            onDragOver={(e: DragEvent) => {
              if (dragging !== null) e.preventDefault();
            }}
            onDrop={(e: DragEvent) => {
              e.preventDefault();
              if (dragging !== null) shift(dragging, i);
              setDragging(null);
            }}
            onKeyDown={(e) => {
              if (!e.altKey || (e.key !== "ArrowUp" && e.key !== "ArrowDown")) return;
              e.preventDefault();
              e.stopPropagation();
              shift(i, e.key === "ArrowUp" ? i - 1 : i + 1);
            }}
          >
            <div className="apv-field-head">
              <span
                className="apv-handle"
                draggable
                role="img"
                aria-label={t("approvals.dragHandle")}
                onDragStart={(e) => {
                  e.dataTransfer.effectAllowed = "move";
                  e.dataTransfer.setData("text/plain", f.id);
                  setDragging(i);
                }}
                onDragEnd={() => setDragging(null)}
              >
                ⠿
              </span>
              <strong className="grow">
                {i + 1}. {f.label || t("approvals.untitled")}{" "}
                <span className="muted small">{typeText(t, f.type)}</span>
              </strong>
              <button
                type="button"
                className="btn btn-small"
                disabled={i === 0}
                aria-label={t("approvals.moveUpNamed", { name: f.label || f.id })}
                onClick={() => shift(i, i - 1)}
              >
                ↑
              </button>
              <button
                type="button"
                className="btn btn-small"
                disabled={i === fields.length - 1}
                aria-label={t("approvals.moveDownNamed", { name: f.label || f.id })}
                onClick={() => shift(i, i + 1)}
              >
                ↓
              </button>
              <button
                type="button"
                className="btn btn-small btn-danger"
                aria-label={t("approvals.removeNamed", { name: f.label || f.id })}
                onClick={() => {
                  keys.current = keys.current.filter((_, j) => j !== i);
                  onChange(fields.filter((_, j) => j !== i));
                }}
              >
                ×
              </button>
            </div>
            <FieldEditor
              field={f}
              taken={fields.filter((_, j) => j !== i).map((x) => x.id)}
              types={types}
              onChange={(nf) => onChange(fields.map((x, j) => (j === i ? nf : x)))}
            />
          </li>
        ))}
      </ol>
      <div className="row">
        <label htmlFor={addId} className="sr-only">
          {t("approvals.newFieldType")}
        </label>
        <select id={addId} value={addType} onChange={(e) => setAddType(e.target.value as FieldType)}>
          {types.map((x) => (
            <option key={x} value={x}>
              {typeText(t, x)}
            </option>
          ))}
        </select>
        <button
          type="button"
          className="btn btn-small"
          disabled={fields.length >= max}
          onClick={() => {
            keys.current = [...keys.current, fresh()];
            onChange([...fields, newField(addType, allIds(fields))]);
          }}
        >
          {nested ? t("approvals.addColumn") : t("approvals.addField")}
        </button>
      </div>
    </fieldset>
  );
}

function FieldEditor({
  field: f,
  taken,
  types,
  onChange,
}: {
  field: FormField;
  taken: string[];
  types: FieldType[];
  onChange: (f: FormField) => void;
}) {
  const { t } = useTranslation();
  const set = (p: Partial<FormField>) => onChange({ ...f, ...p });
  const [options, setOptions] = useState((f.options ?? []).join(", "));
  const typeId = useId();
  const unitId = useId();
  const totalId = useId();
  const textId = useId();
  // A new field's id follows its label until it is saved; a saved one keeps
  // its id (requests and conditions refer to it).
  const saved = useContext(Saved);
  const auto = !saved.has(f.id) && (/^field(_\d+)?$/.test(f.id) || f.id === slug(f.label, taken));
  return (
    <div className="apv-field-edit">
      <div className="form-grid">
        <Field
          label={t("approvals.fieldLabel")}
          value={f.label}
          maxLength={200}
          onChange={(e) => {
            const label = e.target.value;
            set(auto ? { label, id: slug(label, taken) } : { label });
          }}
        />
        <div className="field">
          <label htmlFor={typeId} className="field-label">
            {t("approvals.fieldType")}
          </label>
          <select
            id={typeId}
            value={f.type}
            onChange={(e) => onChange(withType(f, e.target.value as FieldType))}
          >
            {types.map((x) => (
              <option key={x} value={x}>
                {typeText(t, x)}
              </option>
            ))}
          </select>
        </div>
        <Field
          label={t("approvals.fieldId")}
          value={f.id}
          maxLength={40}
          hint={t("approvals.fieldIdHint")}
          onChange={(e) => set({ id: e.target.value })}
        />
      </div>
      {f.type !== "description" && (
        <label className="checkbox">
          <input
            type="checkbox"
            checked={!!f.required}
            onChange={(e) => set({ required: e.target.checked })}
          />
          {t("approvals.required")}
        </label>
      )}
      {(f.type === "choice" || f.type === "multichoice") && (
        <Field
          label={t("approvals.options")}
          value={options}
          hint={t("approvals.optionsHint")}
          onChange={(e) => {
            setOptions(e.target.value);
            set({ options: optionsOf(e.target.value) });
          }}
        />
      )}
      {f.type === "money" && (
        <Field
          label={t("approvals.currency")}
          value={f.currency ?? "CNY"}
          maxLength={3}
          onChange={(e) => set({ currency: e.target.value.toUpperCase() })}
        />
      )}
      {f.type === "number" && (
        <Field
          label={t("approvals.decimals")}
          type="number"
          min={0}
          max={4}
          value={f.decimals ?? 0}
          onChange={(e) => set({ decimals: Math.max(0, Math.min(4, Number(e.target.value) || 0)) })}
        />
      )}
      {(f.type === "number" || f.type === "money") && (
        <div className="form-grid">
          <Field
            label={t("approvals.min")}
            inputMode="decimal"
            value={f.min ?? ""}
            onChange={(e) => set({ min: e.target.value.trim() || undefined })}
          />
          <Field
            label={t("approvals.max")}
            inputMode="decimal"
            value={f.max ?? ""}
            onChange={(e) => set({ max: e.target.value.trim() || undefined })}
          />
        </div>
      )}
      {["member", "department", "attachment", "image"].includes(f.type) && (
        <label className="checkbox">
          <input
            type="checkbox"
            checked={!!f.multiple}
            onChange={(e) => set({ multiple: e.target.checked })}
          />
          {t("approvals.multiple")}
        </label>
      )}
      {f.type === "daterange" && (
        <div className="field">
          <label htmlFor={unitId} className="field-label">
            {t("approvals.unit")}
          </label>
          <select
            id={unitId}
            value={f.unit ?? "day"}
            onChange={(e) => set({ unit: e.target.value as FormField["unit"] })}
          >
            <option value="day">{t("approvals.unitDay")}</option>
            <option value="half_day">{t("approvals.unitHalfDay")}</option>
            <option value="hour">{t("approvals.unitHour")}</option>
          </select>
        </div>
      )}
      {f.type === "table" && (
        <>
          <FieldList
            title={t("approvals.columns")}
            fields={f.columns ?? []}
            max={20}
            nested
            onChange={(columns) =>
              set({ columns, total: columns.some((c) => c.id === f.total) ? f.total : undefined })
            }
          />
          <div className="field">
            <label htmlFor={totalId} className="field-label">
              {t("approvals.totalColumn")}
            </label>
            <select
              id={totalId}
              value={f.total ?? ""}
              onChange={(e) => set({ total: e.target.value || undefined })}
            >
              <option value="">{t("approvals.noTotal")}</option>
              {(f.columns ?? [])
                .filter((c) => c.type === "money" || c.type === "number")
                .map((c) => (
                  <option key={c.id} value={c.id}>
                    {c.label || c.id}
                  </option>
                ))}
            </select>
          </div>
        </>
      )}
      {f.type === "description" ? (
        <div className="field">
          <label htmlFor={textId} className="field-label">
            {t("approvals.descriptionText")}
          </label>
          <textarea
            id={textId}
            rows={3}
            value={f.text ?? ""}
            onChange={(e) => set({ text: e.target.value })}
          />
        </div>
      ) : (
        <details>
          <summary>{t("approvals.more")}</summary>
          {["text", "textarea", "number", "money"].includes(f.type) && (
            <Field
              label={t("approvals.placeholder")}
              value={f.placeholder ?? ""}
              onChange={(e) => set({ placeholder: e.target.value || undefined })}
            />
          )}
          <Field
            label={t("approvals.help")}
            value={f.help ?? ""}
            onChange={(e) => set({ help: e.target.value || undefined })}
          />
        </details>
      )}
    </div>
  );
}

function FlowEditor({ d, setFlow }: { d: TemplateInput; setFlow: (p: Partial<Flow>) => void }) {
  const { t } = useTranslation();
  const steps = d.flow.steps;
  const cc = d.flow.cc ?? {};
  const auto = d.flow.auto_approve ?? {};
  const atId = useId();
  const setStep = (i: number, s: FlowStep) => setFlow({ steps: steps.map((x, j) => (j === i ? s : x)) });
  return (
    <>
      <fieldset className="checks apv-flow">
        <legend>{t("approvals.flow")}</legend>
        <ol className="apv-field-list">
          {steps.map((s, i) => (
            <li key={s.id} className="apv-field" data-testid="designed-step">
              <div className="apv-field-head">
                <strong className="grow">
                  {t("approvals.stepN", { n: i + 1 })} {s.name}
                </strong>
                <button
                  type="button"
                  className="btn btn-small"
                  disabled={i === 0}
                  aria-label={t("approvals.moveUpNamed", { name: s.name || s.id })}
                  onClick={() => setFlow({ steps: move(steps, i, i - 1) })}
                >
                  ↑
                </button>
                <button
                  type="button"
                  className="btn btn-small"
                  disabled={i === steps.length - 1}
                  aria-label={t("approvals.moveDownNamed", { name: s.name || s.id })}
                  onClick={() => setFlow({ steps: move(steps, i, i + 1) })}
                >
                  ↓
                </button>
                <button
                  type="button"
                  className="btn btn-small btn-danger"
                  aria-label={t("approvals.removeNamed", { name: s.name || s.id })}
                  onClick={() => setFlow({ steps: steps.filter((_, j) => j !== i) })}
                >
                  ×
                </button>
              </div>
              <StepEditor step={s} fields={d.fields} onChange={(x) => setStep(i, x)} />
            </li>
          ))}
        </ol>
        <button
          type="button"
          className="btn btn-small"
          disabled={steps.length >= 20}
          onClick={() => setFlow({ steps: [...steps, newStep(steps.map((x) => x.id))] })}
        >
          {t("approvals.addStep")}
        </button>
      </fieldset>
      <fieldset className="checks">
        <legend>{t("approvals.cc")}</legend>
        <Audience
          parts={["roles", "members"]}
          roles={cc.role_ids ?? []}
          members={cc.member_ids ?? []}
          onChange={(x) => setFlow({ cc: { ...cc, role_ids: x.roles, member_ids: x.members } })}
        />
        <label className="checkbox">
          <input
            type="checkbox"
            checked={!!cc.supervisor}
            onChange={(e) => setFlow({ cc: { ...cc, supervisor: e.target.checked } })}
          />
          {t("approvals.ccSupervisor")}
        </label>
        <div className="field">
          <label htmlFor={atId} className="field-label">
            {t("approvals.ccAt")}
          </label>
          <select
            id={atId}
            value={cc.at ?? "submit"}
            onChange={(e) => setFlow({ cc: { ...cc, at: e.target.value as "submit" | "end" } })}
          >
            <option value="submit">{t("approvals.ccAtSubmit")}</option>
            <option value="end">{t("approvals.ccAtEnd")}</option>
          </select>
        </div>
      </fieldset>
      <fieldset className="checks">
        <legend>{t("approvals.autoApprove")}</legend>
        <label className="checkbox">
          <input
            type="checkbox"
            checked={!!auto.applicant}
            onChange={(e) => setFlow({ auto_approve: { ...auto, applicant: e.target.checked } })}
          />
          {t("approvals.autoApplicant")}
        </label>
        <label className="checkbox">
          <input
            type="checkbox"
            checked={!!auto.repeated}
            onChange={(e) => setFlow({ auto_approve: { ...auto, repeated: e.target.checked } })}
          />
          {t("approvals.autoRepeated")}
        </label>
      </fieldset>
    </>
  );
}

const APPROVER_TYPES = ["supervisor", "members", "role", "department_leaders", "applicant_choice"] as const;

function StepEditor({
  step: s,
  fields,
  onChange,
}: {
  step: FlowStep;
  fields: FormField[];
  onChange: (s: FlowStep) => void;
}) {
  const { t } = useTranslation();
  const roles = useRoles();
  const depts = useDepartments();
  const set = (p: Partial<FlowStep>) => onChange({ ...s, ...p });
  const a = s.approvers;
  const ids = { type: useId(), mode: useId(), role: useId(), dept: useId(), action: useId() };
  return (
    <div className="apv-field-edit">
      <Field
        label={t("approvals.stepName")}
        value={s.name}
        maxLength={100}
        onChange={(e) => set({ name: e.target.value })}
      />
      <div className="form-grid">
        <div className="field">
          <label htmlFor={ids.type} className="field-label">
            {t("approvals.approvers")}
          </label>
          <select
            id={ids.type}
            value={a.type}
            onChange={(e) => {
              const type = e.target.value as FlowStep["approvers"]["type"];
              set({
                approvers:
                  type === "supervisor"
                    ? { type, levels: 1 }
                    : type === "members"
                      ? { type, member_ids: [] }
                      : type === "role"
                        ? { type, role_id: "" }
                        : type === "department_leaders"
                          ? { type, department_id: "" }
                          : { type, multiple: false },
              });
            }}
          >
            {APPROVER_TYPES.map((x) => (
              <option key={x} value={x}>
                {approverTypeText(t, x)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={ids.mode} className="field-label">
            {t("approvals.modeLabel")}
          </label>
          <select
            id={ids.mode}
            value={s.mode}
            onChange={(e) => set({ mode: e.target.value as FlowStep["mode"] })}
          >
            {(["any", "all", "sequential"] as const).map((m) => (
              <option key={m} value={m}>
                {modeText(t, m)}
              </option>
            ))}
          </select>
        </div>
      </div>
      {a.type === "supervisor" && (
        <Field
          label={t("approvals.levels")}
          type="number"
          min={1}
          max={10}
          value={a.levels ?? 1}
          onChange={(e) =>
            set({ approvers: { ...a, levels: Math.max(1, Math.min(10, Number(e.target.value) || 1)) } })
          }
        />
      )}
      {a.type === "members" && (
        <MemberPicker
          label={t("approvals.approverPeople")}
          value={a.member_ids ?? []}
          multiple
          onChange={(member_ids) => set({ approvers: { ...a, member_ids } })}
        />
      )}
      {a.type === "role" && (
        <div className="field">
          <label htmlFor={ids.role} className="field-label">
            {t("approvals.approverRole")}
          </label>
          <select
            id={ids.role}
            value={a.role_id ?? ""}
            onChange={(e) => set({ approvers: { ...a, role_id: e.target.value } })}
          >
            <option value="">{t("approvals.pick")}</option>
            {roles.map((r) => (
              <option key={r.id} value={r.id}>
                {roleName(t, r)}
              </option>
            ))}
          </select>
        </div>
      )}
      {a.type === "department_leaders" && (
        <div className="field">
          <label htmlFor={ids.dept} className="field-label">
            {t("approvals.approverDepartment")}
          </label>
          <select
            id={ids.dept}
            value={a.department_id ?? ""}
            onChange={(e) => set({ approvers: { ...a, department_id: e.target.value } })}
          >
            <option value="">{t("approvals.applicantsDepartment")}</option>
            {depts.map((x) => (
              <option key={x.id} value={x.id}>
                {"\u00a0\u00a0".repeat(x.depth)}
                {x.name}
              </option>
            ))}
          </select>
        </div>
      )}
      {a.type === "applicant_choice" && (
        <label className="checkbox">
          <input
            type="checkbox"
            checked={!!a.multiple}
            onChange={(e) => set({ approvers: { ...a, multiple: e.target.checked } })}
          />
          {t("approvals.choiceMultiple")}
        </label>
      )}
      <label className="checkbox">
        <input
          type="checkbox"
          checked={!!s.when}
          onChange={(e) => set({ when: e.target.checked ? { all: [emptyLeaf(fields)] } : undefined })}
        />
        {t("approvals.onlyWhen")}
      </label>
      {s.when && (
        <CondNode
          cond={isGroup(s.when) ? s.when : { all: [s.when] }}
          fields={fields}
          depth={0}
          onChange={(when) => set({ when })}
        />
      )}
      {fields.length > 0 && (
        <details>
          <summary>{t("approvals.hiddenFields")}</summary>
          <Checks
            legend={t("approvals.hiddenFieldsHint")}
            items={fields
              .filter((f) => f.type !== "description")
              .map((f) => ({ id: f.id, name: f.label || f.id }))}
            value={s.hidden_fields ?? []}
            onChange={(hidden_fields) => set({ hidden_fields })}
          />
        </details>
      )}
      <label className="checkbox">
        <input
          type="checkbox"
          checked={!!s.timeout}
          onChange={(e) => set({ timeout: e.target.checked ? { hours: 24, action: "remind" } : undefined })}
        />
        {t("approvals.timeout")}
      </label>
      {s.timeout && (
        <div className="form-grid apv-indent">
          <Field
            label={t("approvals.timeoutHours")}
            type="number"
            min={1}
            max={720}
            value={s.timeout.hours}
            onChange={(e) =>
              set({
                timeout: {
                  hours: Math.max(1, Number(e.target.value) || 1),
                  action: s.timeout?.action ?? "remind",
                },
              })
            }
          />
          <div className="field">
            <label htmlFor={ids.action} className="field-label">
              {t("approvals.timeoutAction")}
            </label>
            <select
              id={ids.action}
              value={s.timeout.action}
              onChange={(e) =>
                set({
                  timeout: { hours: s.timeout?.hours ?? 24, action: e.target.value as "remind" | "escalate" },
                })
              }
            >
              <option value="remind">{t("approvals.remind")}</option>
              <option value="escalate">{t("approvals.escalate")}</option>
            </select>
          </div>
        </div>
      )}
    </div>
  );
}

function emptyLeaf(fields: FormField[]): Condition {
  const f = condFields(fields)[0];
  if (!f) return { applicant: "department", op: "in", value: [] };
  const op = opsFor(f.type)[0];
  return { field: f.id, op, value: isListOp(op) ? [] : "" };
}

/** CondNode edits a group of conditions (all / any) as a branch of the tree, its comparisons as leaves. */
function CondNode({
  cond,
  fields,
  depth,
  onChange,
  onRemove,
}: {
  cond: Condition;
  fields: FormField[];
  depth: number;
  onChange: (c: Condition) => void;
  onRemove?: () => void;
}) {
  const { t } = useTranslation();
  const kids = children(cond);
  const kindId = useId();
  const setKids = (xs: Condition[]) => onChange(withChildren(cond, xs));
  const kind = cond.any !== undefined ? "any" : "all";
  return (
    <fieldset className="apv-cond-group" data-testid="condition-group">
      <legend className="sr-only">{t("approvals.groupKind")}</legend>
      <div className="row">
        <label className="sr-only" htmlFor={kindId}>
          {t("approvals.groupKind")}
        </label>
        <select
          id={kindId}
          value={kind}
          onChange={(e) => onChange(e.target.value === "any" ? { any: kids } : { all: kids })}
        >
          <option value="all">{t("approvals.allOf")}</option>
          <option value="any">{t("approvals.anyOf")}</option>
        </select>
        {onRemove && (
          <button type="button" className="btn btn-small btn-danger" onClick={onRemove}>
            {t("approvals.removeGroup")}
          </button>
        )}
      </div>
      <ul className="apv-tree">
        {kids.map((c, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: conditions have no id; their place is their identity
          <li key={i}>
            {isGroup(c) ? (
              <CondNode
                cond={c}
                fields={fields}
                depth={depth + 1}
                onChange={(x) => setKids(kids.map((y, j) => (j === i ? x : y)))}
                onRemove={() => setKids(kids.filter((_, j) => j !== i))}
              />
            ) : (
              <CondLeaf
                cond={c}
                fields={fields}
                onChange={(x) => setKids(kids.map((y, j) => (j === i ? x : y)))}
                onRemove={() => setKids(kids.filter((_, j) => j !== i))}
              />
            )}
          </li>
        ))}
      </ul>
      <div className="row">
        <button type="button" className="btn btn-small" onClick={() => setKids([...kids, emptyLeaf(fields)])}>
          {t("approvals.addCondition")}
        </button>
        {depth < 3 && (
          <button
            type="button"
            className="btn btn-small"
            onClick={() => setKids([...kids, { any: [emptyLeaf(fields)] }])}
          >
            {t("approvals.addGroup")}
          </button>
        )}
      </div>
    </fieldset>
  );
}

function CondLeaf({
  cond: c,
  fields,
  onChange,
  onRemove,
}: {
  cond: Condition;
  fields: FormField[];
  onChange: (c: Condition) => void;
  onRemove: () => void;
}) {
  const { t } = useTranslation();
  const depts = useDepartments();
  const roles = useRoles();
  const usable = condFields(fields);
  const ids = { subject: useId(), op: useId(), value: useId() };
  const subject = c.applicant ? `applicant:${c.applicant}` : `field:${c.field ?? ""}`;
  const field = fields.find((f) => f.id === c.field);
  const type: FieldType | "applicant" = c.applicant ? "applicant" : (field?.type ?? "text");
  const ops = opsFor(type);
  const setSubject = (v: string) => {
    const [k, id] = v.split(":");
    const ty = k === "applicant" ? "applicant" : (fields.find((f) => f.id === id)?.type ?? "text");
    const op = opsFor(ty)[0];
    const value = isListOp(op) ? [] : "";
    onChange(
      k === "applicant" ? { applicant: id as "department" | "role", op, value } : { field: id, op, value },
    );
  };
  const list = Array.isArray(c.value) ? (c.value as string[]) : [];
  const choices: { id: string; name: string; depth?: number }[] =
    c.applicant === "department" || field?.type === "department"
      ? depts.map((d) => ({ id: d.id, name: d.name, depth: d.depth }))
      : c.applicant === "role"
        ? roles.map((r) => ({ id: r.id, name: roleName(t, r) }))
        : (field?.options ?? []).map((o) => ({ id: o, name: o }));
  let valueInput: ReactNode;
  if (isListOp(c.op) && choices.length > 0) {
    valueInput = (
      <Checks
        legend={t("approvals.condValues")}
        items={choices}
        value={list}
        onChange={(value) => onChange({ ...c, value })}
      />
    );
  } else if (choices.length > 0) {
    valueInput = (
      <div className="field">
        <label htmlFor={ids.value} className="field-label">
          {t("approvals.condValue")}
        </label>
        <select
          id={ids.value}
          value={typeof c.value === "string" ? c.value : ""}
          onChange={(e) => onChange({ ...c, value: e.target.value })}
        >
          <option value="">{t("approvals.pick")}</option>
          {choices.map((x) => (
            <option key={x.id} value={x.id}>
              {x.name}
            </option>
          ))}
        </select>
      </div>
    );
  } else {
    valueInput = (
      <Field
        label={t("approvals.condValue")}
        type={field?.type === "date" ? "date" : "text"}
        inputMode={
          field && ["number", "money", "daterange", "table"].includes(field.type) ? "decimal" : undefined
        }
        value={isListOp(c.op) ? list.join(", ") : typeof c.value === "string" ? c.value : ""}
        hint={field?.type === "daterange" ? t("approvals.condDurationHint") : undefined}
        onChange={(e) =>
          onChange({ ...c, value: isListOp(c.op) ? optionsOf(e.target.value) : e.target.value })
        }
      />
    );
  }
  return (
    <div className="apv-cond-leaf" data-testid="condition">
      <div className="form-grid">
        <div className="field">
          <label htmlFor={ids.subject} className="field-label">
            {t("approvals.condSubject")}
          </label>
          <select id={ids.subject} value={subject} onChange={(e) => setSubject(e.target.value)}>
            {usable.map((f) => (
              <option key={f.id} value={`field:${f.id}`}>
                {f.label || f.id}
              </option>
            ))}
            <option value="applicant:department">{t("approvals.applicantDepartment")}</option>
            <option value="applicant:role">{t("approvals.applicantRole")}</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor={ids.op} className="field-label">
            {t("approvals.condOp")}
          </label>
          <select
            id={ids.op}
            value={c.op ?? ops[0]}
            onChange={(e) => {
              const op = e.target.value;
              onChange({
                ...c,
                op,
                value: isListOp(op) === isListOp(c.op) ? c.value : isListOp(op) ? [] : "",
              });
            }}
          >
            {ops.map((o) => (
              <option key={o} value={o}>
                {opText(t, o)}
              </option>
            ))}
          </select>
        </div>
      </div>
      {valueInput}
      <button type="button" className="btn btn-small btn-danger" onClick={onRemove}>
        {t("approvals.removeCondition")}
      </button>
    </div>
  );
}

function designProblemText(t: TFunction, p: DesignProblem): string {
  switch (p.kind) {
    case "name":
      return t("approvals.design.name");
    case "label":
      return t("approvals.design.label", { field: p.field });
    case "id":
      return t("approvals.design.id", { field: p.field });
    case "duplicate":
      return t("approvals.design.duplicate", { field: p.field });
    case "options":
      return t("approvals.design.options", { field: p.field });
    case "columns":
      return t("approvals.design.columns", { field: p.field });
    case "bound":
      return t("approvals.design.bound", { field: p.field });
    case "steps":
      return t("approvals.design.steps");
    case "stepName":
      return t("approvals.design.stepName", { step: p.step });
    case "approvers":
      return t("approvals.design.approvers", { step: p.step });
    default:
      return t("approvals.design.condition", { step: p.step });
  }
}
