import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, useNavigate } from "@tanstack/react-router";
import type { TFunction } from "i18next";
import { type FormEvent, useEffect, useId, useState } from "react";
import { useTranslation } from "react-i18next";
import { ApiError, api, must } from "../../api/client";
import { Alert, formatTime } from "../../components/ui";
import { errorText } from "../../lib/errors";
import {
  formValues,
  type Problem,
  problems,
  type Report,
  reportsKey,
  type Template,
  type TemplateField,
  templatesQuery,
  type Values,
  valuesOf,
} from "./data";
import { FilesInput } from "./Files";
import { type Attached, filesOf } from "./files";
import { ReportTabs } from "./Tabs";

/**
 * ChooseTemplate lists the active templates to write a report on, each with
 * the period a report written now is for and its due time.
 */
export function ChooseTemplate() {
  const { t } = useTranslation();
  const q = useQuery(templatesQuery);
  const items = q.data?.items ?? [];
  return (
    <section className="page rep-wrap" aria-labelledby="page-title">
      <h1 id="page-title">{t("reports.title")}</h1>
      <ReportTabs />
      <h2 className="rep-sub">{t("reports.choose")}</h2>
      {q.error && <Alert>{errorText(t, q.error)}</Alert>}
      {q.data && items.length === 0 && <p className="muted">{t("reports.noTemplates")}</p>}
      <TemplateList items={items.filter((tp) => tp.expected)} label={t("reports.templates")} />
      {items.some((tp) => !tp.expected) && (
        <>
          {items.some((tp) => tp.expected) && <h2 className="rep-sub">{t("reports.otherTemplates")}</h2>}
          <TemplateList items={items.filter((tp) => !tp.expected)} label={t("reports.otherTemplates")} />
        </>
      )}
    </section>
  );
}

/** TemplateList lists templates to write on; those expected of the caller carry a badge. */
function TemplateList({ items, label }: { items: Template[]; label: string }) {
  const { t, i18n } = useTranslation();
  if (items.length === 0) return null;
  return (
    <ul className="note-list" aria-label={label}>
      {items.map((tp) => (
        <li key={tp.id} className="note" data-testid="report-template">
          <Link to="/reports/new" search={{ template: tp.id }} className="note-link">
            <span className="note-main">
              <span className="note-top">
                <span className="note-head">{tp.name}</span>
                <span className="badge badge-muted">{periodLabel(t, tp.period)}</span>
                {tp.expected && <span className="badge">{t("reports.expected")}</span>}
              </span>
              {tp.current_due_at > 0 && (
                <span className="muted small">
                  {t("reports.dueAt", {
                    period: tp.current_period,
                    time: formatTime(tp.current_due_at, i18n.language),
                  })}
                </span>
              )}
            </span>
          </Link>
        </li>
      ))}
    </ul>
  );
}

/** NewReport writes a report on a template (for its current period, or the one named). */
export function NewReport({ templateId, period }: { templateId: string; period?: string }) {
  const { t } = useTranslation();
  const tq = useQuery({
    queryKey: [...reportsKey, "template", templateId],
    queryFn: () => must(api.GET("/api/v1/report-templates/{id}", { params: { path: { id: templateId } } })),
  });
  return (
    <section className="page rep-wrap" aria-labelledby="page-title">
      <p>
        <Link to="/reports/new" search={{}} className="btn-link">
          ← {t("reports.back")}
        </Link>
      </p>
      {tq.error && <Alert>{errorText(t, tq.error)}</Alert>}
      {tq.data && <ReportForm template={tq.data} period={period} />}
    </section>
  );
}

/** EditReport edits my report: a draft, or a submitted one within its edit window. */
export function EditReport({ id }: { id: string }) {
  const { t } = useTranslation();
  const rq = useQuery({
    queryKey: [...reportsKey, "one", id],
    queryFn: () => must(api.GET("/api/v1/reports/{id}", { params: { path: { id } } })),
  });
  const tid = rq.data?.template_id;
  const tq = useQuery({
    queryKey: [...reportsKey, "template", tid],
    queryFn: () => must(api.GET("/api/v1/report-templates/{id}", { params: { path: { id: tid ?? "" } } })),
    enabled: !!tid,
  });
  return (
    <section className="page rep-wrap" aria-labelledby="page-title">
      <p>
        <Link to="/reports/$id" params={{ id }} className="btn-link">
          ← {t("reports.backToReport")}
        </Link>
      </p>
      {(rq.error || tq.error) && <Alert>{errorText(t, rq.error ?? tq.error)}</Alert>}
      {rq.data && tq.data && <ReportForm template={tq.data} report={rq.data} />}
    </section>
  );
}

/**
 * ReportForm is the form a template's fields make: text, number, choice,
 * date and attachment fields, and the plans for the next period when the
 * template has them. A draft may leave required fields empty; submitting
 * may not; saving waits for uploads under way.
 */
function ReportForm({ template, report, period }: { template: Template; report?: Report; period?: string }) {
  const { t, i18n } = useTranslation();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const fields = template.fields;
  const [values, setValues] = useState<Values>(() => formValues(fields, report?.values));
  const [files, setFiles] = useState<Attached>(() => attachedOf(fields, report));
  const [busy, setBusy] = useState<Record<string, boolean>>({});
  const uploading = Object.values(busy).some(Boolean);
  const [plans, setPlans] = useState(report?.plans ?? "");
  const [shown, setShown] = useState<Problem[]>([]);
  const [existing, setExisting] = useState("");
  // A report written elsewhere meanwhile (another tab) fills the form once.
  // biome-ignore lint/correctness/useExhaustiveDependencies: once per report
  useEffect(() => {
    if (report) {
      setValues(formValues(fields, report.values));
      setFiles(attachedOf(fields, report));
      setPlans(report.plans);
    }
  }, [report?.id]);
  const submitted = report?.status === "submitted";
  const save = useMutation({
    mutationFn: async (submit: boolean) => {
      const body = { values: valuesOf(fields, values, files), plans: template.plans ? plans : undefined };
      if (report) {
        return must(
          api.PATCH("/api/v1/reports/{id}", {
            params: { path: { id: report.id } },
            body: { ...body, submit: submit || undefined },
          }),
        );
      }
      return must(
        api.POST("/api/v1/reports", {
          body: { ...body, template_id: template.id, period: period || undefined, submit },
        }),
      );
    },
    onSuccess: (r) => {
      void qc.invalidateQueries({ queryKey: reportsKey });
      void navigate({ to: "/reports/$id", params: { id: r.id } });
    },
    onError: (e) => {
      if (e instanceof ApiError && e.code === "report_exists" && typeof e.details?.id === "string") {
        setExisting(e.details.id);
      }
    },
  });
  const onSubmit = (e: FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const submitter = (e.nativeEvent as SubmitEvent).submitter as HTMLButtonElement | null;
    const submit = submitted || submitter?.value === "submit";
    const ps = problems(fields, values, submit, files);
    setShown(ps);
    if (ps.length === 0) save.mutate(submit);
  };
  const problemOf = (id: string) => shown.find((p) => p.id === id);
  const late = !submitted && template.current_due_at > 0 && Date.now() > template.current_due_at && !period;
  return (
    <form className="stack rep-form" onSubmit={onSubmit} noValidate>
      <h1 id="page-title">{template.name}</h1>
      <p className="muted small">
        {t("reports.period", { period: report?.period ?? (period || template.current_period) })}
        {report?.status === "submitted" && report.editable_until > 0 && (
          <> · {t("reports.editableUntil", { time: formatTime(report.editable_until, i18n.language) })}</>
        )}
      </p>
      {(late || report?.late) && (
        <Alert kind="warn">{report?.late ? t("reports.submittedLate") : t("reports.willBeLate")}</Alert>
      )}
      {fields.map((f) =>
        f.kind === "attachment" ? (
          <FilesInput
            key={f.id}
            label={f.required ? `${f.label} *` : f.label}
            files={files[f.id] ?? []}
            error={problemOf(f.id) ? problemText(t, problemOf(f.id) as Problem) : undefined}
            onChange={(update) => setFiles((old) => ({ ...old, [f.id]: update(old[f.id] ?? []) }))}
            onBusy={(b) => setBusy((old) => ({ ...old, [f.id]: b }))}
          />
        ) : (
          <FieldInput
            key={f.id}
            field={f}
            value={values[f.id] ?? ""}
            problem={problemOf(f.id)}
            onChange={(v) => setValues((old) => ({ ...old, [f.id]: v }))}
          />
        ),
      )}
      {template.plans && <TextArea label={t("reports.plans")} value={plans} onChange={setPlans} />}
      {shown.length > 0 && <Alert>{t("reports.fixFields")}</Alert>}
      {existing ? (
        <Alert kind="info">
          {t("reports.exists")}{" "}
          <Link to="/reports/$id" params={{ id: existing }} className="btn-link">
            {t("reports.openExisting")}
          </Link>
        </Alert>
      ) : (
        <Alert>{save.error ? errorText(t, save.error) : ""}</Alert>
      )}
      <div className="row">
        {submitted ? (
          <button
            type="submit"
            value="submit"
            className="btn btn-primary"
            disabled={save.isPending || uploading}
          >
            {t("common.save")}
          </button>
        ) : (
          <>
            <button type="submit" value="draft" className="btn" disabled={save.isPending || uploading}>
              {t("reports.saveDraft")}
            </button>
            <button
              type="submit"
              value="submit"
              className="btn btn-primary"
              disabled={save.isPending || uploading}
            >
              {t("reports.submit")}
            </button>
          </>
        )}
      </div>
    </form>
  );
}

function FieldInput({
  field,
  value,
  problem,
  onChange,
}: {
  field: TemplateField;
  value: string;
  problem?: Problem;
  onChange: (v: string) => void;
}) {
  const { t } = useTranslation();
  const id = useId();
  const error = problem ? problemText(t, problem) : "";
  const label = field.required ? `${field.label} *` : field.label;
  if (field.kind === "text") {
    return (
      <TextArea label={label} value={value} onChange={onChange} error={error} required={field.required} />
    );
  }
  const common = {
    id,
    value,
    "aria-invalid": error ? true : undefined,
    "aria-required": field.required || undefined,
    "aria-describedby": error ? `${id}-err` : undefined,
  };
  return (
    <div className="field">
      <label htmlFor={id} className="field-label">
        {label}
      </label>
      {field.kind === "choice" ? (
        <select {...common} onChange={(e) => onChange(e.target.value)}>
          <option value="">{t("reports.pick")}</option>
          {field.options.map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </select>
      ) : (
        <input
          {...common}
          type={field.kind === "date" ? "date" : "text"}
          inputMode={field.kind === "number" ? "decimal" : undefined}
          onChange={(e) => onChange(e.target.value)}
        />
      )}
      {error && (
        <span id={`${id}-err`} className="error-text small">
          {error}
        </span>
      )}
    </div>
  );
}

function TextArea({
  label,
  value,
  onChange,
  error,
  required,
}: {
  label: string;
  value: string;
  onChange: (v: string) => void;
  error?: string;
  required?: boolean;
}) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id} className="field-label">
        {label}
      </label>
      <textarea
        id={id}
        rows={4}
        value={value}
        maxLength={20000}
        aria-invalid={error ? true : undefined}
        aria-required={required || undefined}
        aria-describedby={error ? `${id}-err` : undefined}
        onChange={(e) => onChange(e.target.value)}
      />
      {error && (
        <span id={`${id}-err`} className="error-text small">
          {error}
        </span>
      )}
    </div>
  );
}

function problemText(t: TFunction, p: Problem): string {
  switch (p.kind) {
    case "required":
      return t("reports.required");
    case "number":
      return t("reports.notNumber");
    case "choice":
      return t("reports.notChoice");
    default:
      return t("reports.notDate");
  }
}

/** attachedOf is what a report's attachment fields hold (nothing for a new one). */
function attachedOf(fields: TemplateField[], report?: Report): Attached {
  const out: Attached = {};
  for (const f of fields) {
    if (f.kind === "attachment") out[f.id] = filesOf(report?.values[f.id], report?.files);
  }
  return out;
}

/** periodLabel names a template's period kind. */
export function periodLabel(t: TFunction, period: string): string {
  switch (period) {
    case "daily":
      return t("reports.daily");
    case "weekly":
      return t("reports.weekly");
    case "monthly":
      return t("reports.monthly");
    default:
      return t("reports.custom");
  }
}
