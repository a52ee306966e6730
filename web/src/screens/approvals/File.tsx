import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, useNavigate } from "@tanstack/react-router";
import { type FormEvent, useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { Alert } from "../../components/ui";
import { errorText, hintText } from "../../lib/errors";
import {
  approvalsKey,
  call,
  formErrorField,
  newClientId,
  preview,
  submitRequest,
  templateQuery,
  templatesQuery,
} from "./data";
import { ApprovalForm } from "./FormRenderer";
import { emptyForm, fillForm, type Problem, payload, problems as problemsOf } from "./form";
import { modeText, reasonText } from "./labels";
import { MemberPicker } from "./Pickers";
import { ApprovalTabs } from "./Tabs";
import type { FormField, FormValues, Request, ResolvedStep, Template } from "./types";

/** ChooseTemplate lists the templates I may file, by group. */
export function ChooseTemplate() {
  const { t } = useTranslation();
  const q = useQuery(templatesQuery);
  const groups = new Map<string, Template[]>();
  for (const tp of q.data?.items ?? []) {
    if (tp.archived) continue;
    const g = tp.group || t("approvals.otherGroup");
    groups.set(g, [...(groups.get(g) ?? []), tp]);
  }
  return (
    <section className="page rep-wrap" aria-labelledby="page-title">
      <h1 id="page-title">{t("approvals.title")}</h1>
      <ApprovalTabs />
      <h2 className="rep-sub">{t("approvals.choose")}</h2>
      {q.error && <Alert>{errorText(t, q.error)}</Alert>}
      {q.data && groups.size === 0 && <p className="muted">{t("approvals.noTemplates")}</p>}
      {[...groups].map(([g, items]) => (
        <section key={g} aria-label={g}>
          <h3 className="apv-group">{g}</h3>
          <ul className="note-list">
            {items.map((tp) => (
              <li key={tp.id} className="note" data-testid="approval-template">
                <Link to="/approvals/new" search={{ template: tp.id }} className="note-link">
                  <span className="note-main">
                    <span className="note-head">{tp.name}</span>
                    {tp.description && <span className="muted small">{tp.description}</span>}
                  </span>
                </Link>
              </li>
            ))}
          </ul>
        </section>
      ))}
    </section>
  );
}

/**
 * NewBuiltin files a request on the built-in template with a key (for
 * instance "correction"), its form prefilled from the link.
 */
export function NewBuiltin({ builtin, prefill }: { builtin: string; prefill?: FormValues }) {
  const { t } = useTranslation();
  const q = useQuery(templatesQuery);
  const tp = q.data?.items.find((x) => x.builtin === builtin && !x.archived);
  if (tp) return <NewRequest templateId={tp.id} prefill={prefill} />;
  return (
    <section className="page rep-wrap" aria-labelledby="page-title">
      <h1 id="page-title">{t("approvals.title")}</h1>
      <p>
        <Link to="/approvals/new" search={{}} className="btn-link">
          ← {t("approvals.backToTemplates")}
        </Link>
      </p>
      {q.error && <Alert>{errorText(t, q.error)}</Alert>}
      {q.data && <p className="muted">{t("approvals.builtinMissing")}</p>}
    </section>
  );
}

/** NewRequest files a request on a template (its form prefilled when the link carries values). */
export function NewRequest({ templateId, prefill }: { templateId: string; prefill?: FormValues }) {
  const { t } = useTranslation();
  const q = useQuery(templateQuery(templateId));
  return (
    <section className="page rep-wrap" aria-labelledby="page-title">
      <p>
        <Link to="/approvals/new" search={{}} className="btn-link">
          ← {t("approvals.backToTemplates")}
        </Link>
      </p>
      {q.error && <Alert>{errorText(t, q.error)}</Alert>}
      {q.data && <FilingForm template={q.data} prefill={prefill} />}
    </section>
  );
}

/**
 * FilingForm fills a template's form, checks it as the server will, shows
 * the flow it will take (the preview) and then submits it. A request sent
 * back to its applicant is filed again the same way (resubmit).
 */
export function FilingForm({
  template,
  returned,
  prefill,
  onDone,
}: {
  template: Pick<Template, "id" | "name" | "description" | "fields" | "flow">;
  returned?: Request;
  prefill?: FormValues;
  onDone?: () => void;
}) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const fields: FormField[] = returned?.fields ?? template.fields;
  const [values, setValues] = useState<FormValues>(() =>
    returned ? fillForm(fields, returned.form) : prefill ? fillForm(fields, prefill) : emptyForm(fields),
  );
  const [shown, setShown] = useState<Problem[]>([]);
  const [serverProblem, setServerProblem] = useState<Problem | null>(null);
  const [chosen, setChosen] = useState<Record<string, string[]>>({});
  const [steps, setSteps] = useState<ResolvedStep[] | null>(null);
  // One idempotency key per filing: a retry after a lost answer files once.
  const clientId = useMemo(() => newClientId(), []);
  const choiceSteps = (template.flow?.steps ?? []).filter((s) => s.approvers.type === "applicant_choice");

  const fail = (e: unknown) => {
    const field = formErrorField(e);
    if (field) setServerProblem({ field, kind: "server", message: hintText(t, e) });
  };
  const look = useMutation({
    mutationFn: () => preview(template.id, payload(fields, values), chosen),
    onSuccess: (r) => setSteps(r.steps),
    onError: fail,
  });
  const send = useMutation({
    mutationFn: () =>
      returned
        ? call<Request>("POST", `/approvals/${encodeURIComponent(returned.id)}/resubmit`, {
            form: payload(fields, values),
          })
        : submitRequest({
            template_id: template.id,
            form: payload(fields, values),
            chosen,
            client_id: clientId,
          }),
    onSuccess: (r) => {
      void qc.invalidateQueries({ queryKey: approvalsKey });
      if (onDone) onDone();
      else void navigate({ to: "/approvals/$id", params: { id: r.id } });
    },
    onError: fail,
  });

  const change = (v: FormValues) => {
    setValues(v);
    setSteps(null);
    setServerProblem(null);
    if (shown.length) setShown(problemsOf(fields, v));
  };
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    const ps = problemsOf(fields, values);
    for (const s of choiceSteps)
      if (!(chosen[s.id]?.length > 0)) ps.push({ field: `chosen.${s.id}`, kind: "required" });
    setShown(ps);
    setServerProblem(null);
    if (ps.length > 0) {
      // Take the person to the first field that needs attention.
      requestAnimationFrame(() =>
        (document.querySelector("[aria-invalid='true']") as HTMLElement | null)?.focus(),
      );
      return;
    }
    if (steps || returned) send.mutate();
    else look.mutate();
  };
  const all = serverProblem ? [serverProblem, ...shown] : shown;
  return (
    <form className="stack rep-form apv-filing" onSubmit={onSubmit} noValidate aria-labelledby="page-title">
      <h1 id="page-title">{template.name}</h1>
      {template.description && <p className="muted">{template.description}</p>}
      <ApprovalForm fields={fields} values={values} problems={all} onChange={change} />
      {!returned &&
        choiceSteps.map((s) => (
          <div key={s.id} className="field">
            <MemberPicker
              label={t("approvals.chooseApprovers", { step: s.name })}
              value={chosen[s.id] ?? []}
              multiple={s.approvers.multiple}
              invalid={all.some((p) => p.field === `chosen.${s.id}`)}
              onChange={(ids) => {
                setChosen({ ...chosen, [s.id]: ids });
                setSteps(null);
              }}
            />
          </div>
        ))}
      {all.length > 0 && <Alert>{t("approvals.fixFields")}</Alert>}
      {!serverProblem && !!(look.error || send.error) && (
        <Alert>{errorText(t, look.error ?? send.error)}</Alert>
      )}
      {steps && <FlowPreview steps={steps} />}
      <div className="row">
        {onDone && (
          <button type="button" className="btn" onClick={onDone}>
            {t("common.cancel")}
          </button>
        )}
        {steps || returned ? (
          <button type="submit" className="btn btn-primary" disabled={send.isPending}>
            {returned ? t("approvals.resubmit") : t("approvals.submit")}
          </button>
        ) : (
          <button type="submit" className="btn btn-primary" disabled={look.isPending}>
            {t("approvals.previewFlow")}
          </button>
        )}
      </div>
    </form>
  );
}

/** FlowPreview shows the steps a request would take now, and who decides each. */
export function FlowPreview({ steps }: { steps: ResolvedStep[] }) {
  const { t } = useTranslation();
  return (
    <section className="card apv-preview" aria-labelledby="apv-preview" data-testid="flow-preview">
      <h2 id="apv-preview">{t("approvals.flowPreview")}</h2>
      {steps.length === 0 && <p className="muted small">{t("approvals.noSteps")}</p>}
      <ol className="apv-steps">
        {steps.map((s) => (
          <li
            key={s.id}
            className={s.skipped ? "apv-step apv-step-skipped" : "apv-step"}
            data-testid="preview-step"
          >
            <span className="apv-step-name">{s.name}</span>{" "}
            {s.skipped ? (
              <span className="badge badge-muted">
                {t("approvals.skipped")}
                {s.reason ? `: ${reasonText(t, s.reason)}` : ""}
              </span>
            ) : (
              <>
                {s.mode && <span className="muted small">{modeText(t, s.mode)}</span>}
                <span className="apv-step-people">{(s.approvers ?? []).map((p) => p.name).join(", ")}</span>
              </>
            )}
          </li>
        ))}
      </ol>
    </section>
  );
}
