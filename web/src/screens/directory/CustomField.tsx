import { useId } from "react";
import { useTranslation } from "react-i18next";
import { ApiError, type Schemas } from "../../api/client";
import { icons } from "../../components/icons";

type FieldDef = Schemas["DirectoryField"];

/** CustomValue is a custom field's value in a form: text, or the picked options of a multiple choice. */
export type CustomValue = string | string[];

/** formValue turns a stored value into its form value. */
export function formValue(f: FieldDef, v: unknown): CustomValue {
  if (f.kind === "multi_choice") return Array.isArray(v) ? v.map(String) : [];
  return v == null ? "" : String(v);
}

/** patchValue turns a form value into what the server takes: null clears the field. */
export function patchValue(f: FieldDef, v: CustomValue): unknown {
  if (Array.isArray(v)) return v.length ? v : null;
  if (v.trim() === "") return null;
  return f.kind === "number" ? Number(v) : v;
}

/** sameValue says whether a form value is the stored one. */
export function sameValue(f: FieldDef, v: CustomValue, stored: unknown): boolean {
  return JSON.stringify(formValue(f, stored)) === JSON.stringify(v);
}

/**
 * CustomFieldInput edits one custom profile field by its kind: a picker for
 * "one choice", check boxes for "several choices", a date, a number or text.
 * Required fields are marked; a missing one says so.
 */
export function CustomFieldInput({
  f,
  value,
  onChange,
  disabled,
  missing,
}: {
  f: FieldDef;
  value: CustomValue;
  onChange: (v: CustomValue) => void;
  disabled?: boolean;
  missing?: boolean;
}) {
  const { t } = useTranslation();
  const id = useId();
  const label = (
    <>
      {f.name}
      {f.required && (
        <span className="required-mark" title={t("fieldsEdit.required")}>
          {" "}
          *<span className="sr-only">{t("fieldsEdit.required")}</span>
        </span>
      )}{" "}
      {f.locked && disabled && (
        <span className="locked-badge">
          {icons.lock} {t("directory.locked")}
        </span>
      )}
    </>
  );
  const hint = missing ? (
    <span id={`${id}-missing`} className="error-text small">
      {t("fieldsEdit.missing")}
    </span>
  ) : null;
  if (f.kind === "multi_choice") {
    const picked = Array.isArray(value) ? value : [];
    return (
      <fieldset className="checks field" aria-describedby={missing ? `${id}-missing` : undefined}>
        <legend className="field-label">{label}</legend>
        {f.options.map((o) => (
          <label key={o} className="checkbox">
            <input
              type="checkbox"
              disabled={disabled}
              checked={picked.includes(o)}
              onChange={(e) => onChange(e.target.checked ? [...picked, o] : picked.filter((x) => x !== o))}
            />
            <span>{o}</span>
          </label>
        ))}
        {hint}
      </fieldset>
    );
  }
  const text = typeof value === "string" ? value : "";
  return (
    <div className="field">
      <label className="field-label" htmlFor={id}>
        {label}
      </label>
      {f.kind === "single_choice" ? (
        <select
          id={id}
          value={text}
          disabled={disabled}
          aria-invalid={missing || undefined}
          aria-describedby={missing ? `${id}-missing` : undefined}
          onChange={(e) => onChange(e.target.value)}
        >
          <option value="">{f.required ? t("fieldsEdit.choose") : t("fieldsEdit.none")}</option>
          {f.options.map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </select>
      ) : (
        <input
          id={id}
          type={f.kind === "number" ? "number" : f.kind === "date" ? "date" : "text"}
          value={text}
          disabled={disabled}
          aria-invalid={missing || undefined}
          aria-describedby={missing ? `${id}-missing` : undefined}
          onChange={(e) => onChange(e.target.value)}
        />
      )}
      {hint}
    </div>
  );
}

/**
 * customFieldError names the custom field a refusal is about ("Shirt size
 * is required"), or is "" when the error is not about one of fields.
 */
export function customFieldError(
  t: (k: string, o?: Record<string, unknown>) => string,
  e: unknown,
  fields: FieldDef[],
): string {
  if (!(e instanceof ApiError)) return "";
  const f = fields.find((x) => x.id === e.details?.field_id);
  if (!f) return "";
  if (e.code === "field_required") return t("fieldsEdit.requiredNamed", { name: f.name });
  if (e.code === "field_locked") return t("fieldsEdit.lockedNamed", { name: f.name });
  return t("fieldsEdit.invalidNamed", { name: f.name });
}
