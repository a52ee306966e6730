// The filing form: one input per field type of the template, the table's
// rows with their live total, a date range with its computed duration, and
// each problem shown on its field.
import { useMutation } from "@tanstack/react-query";
import { type ReactNode, useId, useState } from "react";
import { useTranslation } from "react-i18next";
import { errorText } from "../../lib/errors";
import { formatSize } from "../chat/upload";
import { fileURL, uploadFile } from "./data";
import { parseMoney, showAmount, showMoney } from "./decimal";
import { duration } from "./duration";
import { emptyRow, MAX_ROWS, type Problem, tableTotal } from "./form";
import { durationText, problemText } from "./labels";
import { DepartmentPicker, MemberPicker } from "./Pickers";
import type {
  DateRangeValue,
  FieldValue,
  FormField,
  FormValues,
  LocationValue,
  TableValue,
  UploadedFile,
} from "./types";

/** ApprovalForm renders a template's fields; problems are keyed by field ("table.0.col" for a cell). */
export function ApprovalForm({
  fields,
  values,
  problems,
  onChange,
}: {
  fields: FormField[];
  values: FormValues;
  problems: Problem[];
  onChange: (values: FormValues) => void;
}) {
  const byKey = new Map<string, Problem>();
  for (const p of problems) if (!byKey.has(p.field)) byKey.set(p.field, p);
  return (
    <div className="apv-form">
      {fields.map((f) => (
        <FieldInput
          key={f.id}
          field={f}
          path={f.id}
          value={values[f.id]}
          problems={byKey}
          onChange={(v) => onChange({ ...values, [f.id]: v })}
        />
      ))}
    </div>
  );
}

type InputProps = {
  field: FormField;
  path: string;
  value: FieldValue | undefined;
  problems: Map<string, Problem>;
  onChange: (v: FieldValue) => void;
};

function FieldInput(props: InputProps) {
  const { field: f } = props;
  switch (f.type) {
    case "description":
      return (
        <div className="apv-description" data-testid="apv-description">
          {f.label && <p className="field-label">{f.label}</p>}
          <p className="muted">{f.text}</p>
        </div>
      );
    case "textarea":
    case "text":
    case "number":
    case "money":
    case "date":
    case "time":
      return <SimpleInput {...props} />;
    case "daterange":
      return <DateRangeInput {...props} />;
    case "choice":
      return <ChoiceInput {...props} />;
    case "multichoice":
      return <MultiChoiceInput {...props} />;
    case "member":
    case "department":
      return <PickerInput {...props} />;
    case "attachment":
    case "image":
      return <FilesInput {...props} />;
    case "location":
      return <LocationInput {...props} />;
    case "table":
      return <TableInput {...props} />;
  }
}

/** useFieldIds gives a field's input, hint and error ids, and what aria-describedby lists. */
function useFieldIds(f: FormField, error: string) {
  const id = useId();
  const hint = f.help ? `${id}-hint` : undefined;
  const err = error ? `${id}-err` : undefined;
  const described = [hint, err].filter(Boolean).join(" ") || undefined;
  return { id, hint, err, described };
}

function labelOf(f: FormField): string {
  return f.required ? `${f.label} *` : f.label;
}

function Hint({ f, id }: { f: FormField; id?: string }) {
  if (!f.help) return null;
  return (
    <span id={id} className="field-hint">
      {f.help}
    </span>
  );
}

function ErrorLine({ id, text }: { id?: string; text: string }) {
  if (!text) return null;
  return (
    <span id={id} className="error-text small" data-testid="field-error">
      {text}
    </span>
  );
}

function useError(problems: Map<string, Problem>, path: string): string {
  const { t } = useTranslation();
  const p = problems.get(path);
  return p ? problemText(t, p) : "";
}

function SimpleInput({ field: f, path, value, problems, onChange }: InputProps) {
  const { i18n } = useTranslation();
  const error = useError(problems, path);
  const ids = useFieldIds(f, error);
  const s = typeof value === "string" ? value : "";
  const common = {
    id: ids.id,
    value: s,
    placeholder: f.placeholder || undefined,
    "aria-invalid": error ? true : undefined,
    "aria-required": f.required || undefined,
    "aria-describedby": ids.described,
  };
  let input: ReactNode;
  if (f.type === "textarea") {
    input = <textarea {...common} rows={4} onChange={(e) => onChange(e.target.value)} />;
  } else if (f.type === "money") {
    const cents = parseMoney(s);
    input = (
      <span className="apv-money">
        <span className="apv-currency" aria-hidden="true">
          {f.currency || "CNY"}
        </span>
        <input {...common} type="text" inputMode="decimal" onChange={(e) => onChange(e.target.value)} />
      </span>
    );
    if (cents !== null && s.trim())
      input = (
        <>
          {input}
          <span className="muted small" data-testid="money-shown">
            {showMoney(cents, f.currency, i18n.language)}
          </span>
        </>
      );
  } else {
    input = (
      <input
        {...common}
        type={f.type === "date" || f.type === "time" ? f.type : "text"}
        inputMode={f.type === "number" ? "decimal" : undefined}
        onChange={(e) => onChange(e.target.value)}
      />
    );
  }
  return (
    <div className="field">
      <label htmlFor={ids.id} className="field-label">
        {labelOf(f)}
      </label>
      {input}
      <Hint f={f} id={ids.hint} />
      <ErrorLine id={ids.err} text={error} />
    </div>
  );
}

function DateRangeInput({ field: f, path, value, problems, onChange }: InputProps) {
  const { t } = useTranslation();
  const error = useError(problems, path);
  const ids = useFieldIds(f, error);
  const v = (value ?? { start: "", end: "" }) as DateRangeValue;
  const set = (p: Partial<DateRangeValue>) => onChange({ ...v, ...p });
  const type = f.unit === "hour" ? "datetime-local" : "date";
  const d = duration(f.unit, v);
  const half = (which: "start_half" | "end_half", label: string) => (
    <label className="apv-half">
      <span className="sr-only">{label}</span>
      <select value={v[which] ?? "am"} onChange={(e) => set({ [which]: e.target.value as "am" | "pm" })}>
        <option value="am">{t("approvals.am")}</option>
        <option value="pm">{t("approvals.pm")}</option>
      </select>
    </label>
  );
  return (
    <fieldset className="checks apv-range" aria-describedby={ids.described}>
      <legend className="field-label">{labelOf(f)}</legend>
      <div className="apv-range-row">
        <label className="field apv-range-end">
          <span>{t("approvals.start")}</span>
          <input
            type={type}
            value={v.start}
            aria-invalid={error ? true : undefined}
            onChange={(e) => set({ start: e.target.value })}
          />
        </label>
        {f.unit === "half_day" && half("start_half", t("approvals.startHalf"))}
      </div>
      <div className="apv-range-row">
        <label className="field apv-range-end">
          <span>{t("approvals.end")}</span>
          <input
            type={type}
            value={v.end}
            aria-invalid={error ? true : undefined}
            onChange={(e) => set({ end: e.target.value })}
          />
        </label>
        {f.unit === "half_day" && half("end_half", t("approvals.endHalf"))}
      </div>
      <output className="apv-duration" aria-live="polite" data-testid="duration">
        {d.ok ? t("approvals.duration", { value: durationText(t, f.unit, d.value) }) : ""}
      </output>
      <Hint f={f} id={ids.hint} />
      <ErrorLine id={ids.err} text={error} />
    </fieldset>
  );
}

function ChoiceInput({ field: f, path, value, problems, onChange }: InputProps) {
  const { t } = useTranslation();
  const error = useError(problems, path);
  const ids = useFieldIds(f, error);
  return (
    <div className="field">
      <label htmlFor={ids.id} className="field-label">
        {labelOf(f)}
      </label>
      <select
        id={ids.id}
        value={typeof value === "string" ? value : ""}
        aria-invalid={error ? true : undefined}
        aria-required={f.required || undefined}
        aria-describedby={ids.described}
        onChange={(e) => onChange(e.target.value)}
      >
        <option value="">{t("approvals.pick")}</option>
        {(f.options ?? []).map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
      <Hint f={f} id={ids.hint} />
      <ErrorLine id={ids.err} text={error} />
    </div>
  );
}

function MultiChoiceInput({ field: f, path, value, problems, onChange }: InputProps) {
  const error = useError(problems, path);
  const ids = useFieldIds(f, error);
  const v = Array.isArray(value) ? value : [];
  return (
    <fieldset className="checks" aria-describedby={ids.described}>
      <legend className="field-label">{labelOf(f)}</legend>
      {(f.options ?? []).map((o) => (
        <label key={o} className="checkbox">
          <input
            type="checkbox"
            checked={v.includes(o)}
            onChange={(e) => onChange(e.target.checked ? [...v, o] : v.filter((x) => x !== o))}
          />
          {o}
        </label>
      ))}
      <Hint f={f} id={ids.hint} />
      <ErrorLine id={ids.err} text={error} />
    </fieldset>
  );
}

function PickerInput({ field: f, path, value, problems, onChange }: InputProps) {
  const error = useError(problems, path);
  const ids = useFieldIds(f, error);
  const v = Array.isArray(value) ? value : [];
  const Picker = f.type === "member" ? MemberPicker : DepartmentPicker;
  return (
    <div className="field">
      <Picker
        label={labelOf(f)}
        value={v}
        multiple={f.multiple}
        invalid={!!error}
        describedBy={ids.described}
        onChange={onChange}
      />
      <Hint f={f} id={ids.hint} />
      <ErrorLine id={ids.err} text={error} />
    </div>
  );
}

function FilesInput({ field: f, path, value, problems, onChange }: InputProps) {
  const { t } = useTranslation();
  const error = useError(problems, path);
  const ids = useFieldIds(f, error);
  const v = Array.isArray(value) ? value : [];
  const [known, setKnown] = useState<Map<string, UploadedFile>>(new Map());
  const upload = useMutation({
    mutationFn: async (files: File[]) => {
      const done: UploadedFile[] = [];
      for (const file of files) done.push(await uploadFile(file));
      return done;
    },
    onSuccess: (done) => {
      setKnown((m) => {
        const n = new Map(m);
        for (const x of done) n.set(x.id, x);
        return n;
      });
      const ids = done.map((x) => x.id);
      onChange(f.multiple ? [...v, ...ids] : ids.slice(0, 1));
    },
  });
  return (
    <div className="field">
      <label htmlFor={ids.id} className="field-label">
        {labelOf(f)}
      </label>
      <input
        id={ids.id}
        type="file"
        multiple={f.multiple}
        accept={f.type === "image" ? "image/*" : undefined}
        aria-invalid={error ? true : undefined}
        aria-describedby={ids.described}
        disabled={upload.isPending}
        onChange={(e) => {
          const files = [...(e.target.files ?? [])];
          e.target.value = "";
          if (files.length) upload.mutate(files);
        }}
      />
      {upload.isPending && <span className="muted small">{t("approvals.uploading")}</span>}
      {upload.error && <span className="error-text small">{errorText(t, upload.error)}</span>}
      {v.length > 0 && (
        <ul className="apv-files">
          {v.map((id) => {
            const x = known.get(id);
            return (
              <li key={id}>
                <a href={fileURL(id)} target="_blank" rel="noreferrer">
                  {x?.name ?? id}
                </a>
                {x && <span className="muted small"> {formatSize(x.size)}</span>}{" "}
                <button
                  type="button"
                  className="btn-link small"
                  aria-label={t("approvals.removeFile", { name: x?.name ?? id })}
                  onClick={() => onChange(v.filter((y) => y !== id))}
                >
                  {t("approvals.remove")}
                </button>
              </li>
            );
          })}
        </ul>
      )}
      <Hint f={f} id={ids.hint} />
      <ErrorLine id={ids.err} text={error} />
    </div>
  );
}

function LocationInput({ field: f, path, value, problems, onChange }: InputProps) {
  const { t } = useTranslation();
  const error = useError(problems, path);
  const ids = useFieldIds(f, error);
  const v = (value ?? { lat: "", lng: "", address: "" }) as LocationValue;
  const set = (p: Partial<LocationValue>) => onChange({ ...v, ...p });
  const here = () =>
    navigator.geolocation?.getCurrentPosition((pos) =>
      // Coordinates, not amounts: six decimals (about 10 cm) are plenty.
      set({ lat: pos.coords.latitude.toFixed(6), lng: pos.coords.longitude.toFixed(6) }),
    );
  return (
    <fieldset className="checks" aria-describedby={ids.described}>
      <legend className="field-label">{labelOf(f)}</legend>
      <div className="form-grid">
        <label className="field">
          <span>{t("approvals.latitude")}</span>
          <input
            inputMode="decimal"
            value={v.lat}
            aria-invalid={error ? true : undefined}
            onChange={(e) => set({ lat: e.target.value })}
          />
        </label>
        <label className="field">
          <span>{t("approvals.longitude")}</span>
          <input
            inputMode="decimal"
            value={v.lng}
            aria-invalid={error ? true : undefined}
            onChange={(e) => set({ lng: e.target.value })}
          />
        </label>
      </div>
      <label className="field">
        <span>{t("approvals.address")}</span>
        <input value={v.address ?? ""} onChange={(e) => set({ address: e.target.value })} />
      </label>
      {typeof navigator !== "undefined" && "geolocation" in navigator && (
        <button type="button" className="btn btn-small" onClick={here}>
          {t("approvals.useMyLocation")}
        </button>
      )}
      <Hint f={f} id={ids.hint} />
      <ErrorLine id={ids.err} text={error} />
    </fieldset>
  );
}

function TableInput({ field: f, path, value, problems, onChange }: InputProps) {
  const { t, i18n } = useTranslation();
  const error = useError(problems, path);
  const ids = useFieldIds(f, error);
  const v = (value ?? { rows: [] }) as TableValue;
  const rows = v.rows;
  const setRows = (next: TableValue["rows"]) => onChange({ rows: next });
  const total = tableTotal(f, v);
  const totalCol = (f.columns ?? []).find((c) => c.id === f.total);
  return (
    <fieldset className="checks apv-table" aria-describedby={ids.described} data-testid={`table-${f.id}`}>
      <legend className="field-label">{labelOf(f)}</legend>
      {rows.map((row, i) => (
        <fieldset
          // Rows have no id of their own; the index is their identity while editing.
          // biome-ignore lint/suspicious/noArrayIndexKey: see above
          key={i}
          className="apv-row"
          data-testid="table-row"
        >
          <legend>{t("approvals.row", { n: i + 1 })}</legend>
          {(f.columns ?? []).map((c) => (
            <FieldInput
              key={c.id}
              field={c}
              path={`${path}.${i}.${c.id}`}
              value={row[c.id]}
              problems={problems}
              onChange={(x) => setRows(rows.map((r, j) => (j === i ? { ...r, [c.id]: x } : r)))}
            />
          ))}
          <button
            type="button"
            className="btn btn-small"
            aria-label={t("approvals.removeRowN", { n: i + 1 })}
            onClick={() => setRows(rows.filter((_, j) => j !== i))}
          >
            {t("approvals.removeRow")}
          </button>
        </fieldset>
      ))}
      <div className="row row-between">
        <button
          type="button"
          className="btn btn-small"
          disabled={rows.length >= MAX_ROWS}
          onClick={() => setRows([...rows, emptyRow(f)])}
        >
          {t("approvals.addRow")}
        </button>
        {totalCol && (
          <output className="apv-total" aria-live="polite" data-testid="table-total">
            {t("approvals.total", {
              value: totalCol.type === "money" ? showAmount(total, totalCol.currency, i18n.language) : total,
            })}
          </output>
        )}
      </div>
      <Hint f={f} id={ids.hint} />
      <ErrorLine id={ids.err} text={error} />
    </fieldset>
  );
}
