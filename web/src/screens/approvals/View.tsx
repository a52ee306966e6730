import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import type { TFunction } from "i18next";
import { type FormEvent, type ReactNode, useId, useState } from "react";
import { useTranslation } from "react-i18next";
import { ApiError } from "../../api/client";
import { Alert, ConfirmDialog, Dialog, formatTime } from "../../components/ui";
import { errorText } from "../../lib/errors";
import { useCurrentOrg } from "../../lib/org";
import { act, approvalsKey, fileURL, requestKey, requestQuery, uploadFile } from "./data";
import { showAmount } from "./decimal";
import { FilingForm } from "./File";
import {
  actionText,
  durationText,
  modeText,
  reasonText,
  statusClass,
  statusText,
  stepStatusText,
} from "./labels";
import { MemberPicker, useDepartments, useMemberNames } from "./Pickers";
import type {
  DateRangeValue,
  FieldValue,
  FormField,
  LocationValue,
  Request,
  TableValue,
  TimelineEntry,
} from "./types";

/**
 * RequestView is one request: its form, the steps with who decided what,
 * the timeline, the comments, and the actions its `can` allows me.
 */
export function RequestView({ id }: { id: string }) {
  const { t, i18n } = useTranslation();
  const myMember = useCurrentOrg()?.member_id;
  const q = useQuery(requestQuery(id));
  const r = q.data;
  const [resubmitting, setResubmitting] = useState(false);
  const missing = q.error instanceof ApiError && q.error.status === 404;
  // People in a request are named by member id.
  const mine = !!r && !!myMember && r.applicant.id === myMember;
  return (
    <section className="page rep-wrap" aria-labelledby="page-title">
      <p>
        <Link to="/approvals" search={{ box: mine ? "mine" : "todo" }} className="btn-link">
          ← {t("approvals.back")}
        </Link>
      </p>
      {missing ? (
        <>
          <h1 id="page-title">{t("approvals.title")}</h1>
          <Alert kind="info">{t("approvals.notFound")}</Alert>
        </>
      ) : (
        q.error && <Alert>{errorText(t, q.error)}</Alert>
      )}
      {r && resubmitting && (
        <FilingForm
          template={{
            id: r.template_id,
            name: r.template_name,
            description: "",
            fields: r.fields,
            flow: { steps: [] },
          }}
          returned={r}
          onDone={() => setResubmitting(false)}
        />
      )}
      {r && !resubmitting && (
        <>
          <article className="card rep-article" data-testid="approval-view">
            <h1 id="page-title" className="ann-title">
              {r.title || r.template_name}
            </h1>
            <p className="muted small">
              {r.applicant.name} · {r.template_name}
              {r.submitted_at > 0 && <> · {formatTime(r.submitted_at, i18n.language)}</>}
            </p>
            <div className="ann-badges">
              <span className={statusClass(r.status)} data-testid="approval-status">
                {statusText(t, r.status)}
              </span>
              {r.status === "pending" && r.current_step && (
                <span className="muted small">{t("approvals.atStep", { step: r.current_step.name })}</span>
              )}
            </div>
            <Values fields={r.fields} form={r.form} />
            {mine && r.status === "returned" && (
              <div className="row">
                <Alert kind="warn">{t("approvals.returnedToYou")}</Alert>
                <button type="button" className="btn btn-primary" onClick={() => setResubmitting(true)}>
                  {t("approvals.editResubmit")}
                </button>
              </div>
            )}
          </article>
          <Actions r={r} />
          <Steps r={r} />
          <Timeline r={r} />
          <Comments r={r} />
        </>
      )}
    </section>
  );
}

/** Values shows the form's values, each as its type reads best. */
function Values({ fields, form }: { fields: FormField[]; form: Request["form"] }) {
  const { t } = useTranslation();
  const ids = fields.flatMap((f) => {
    const v = form[f.id];
    return f.type === "member" && Array.isArray(v) ? v : [];
  });
  const names = useMemberNames(ids);
  const depts = new Map(useDepartments().map((d) => [d.id, d.name]));
  return (
    <dl className="rep-values">
      {fields
        .filter((f) => f.type !== "description")
        .map((f) => (
          <div key={f.id} data-testid="approval-value">
            <dt>{f.label}</dt>
            <dd>
              {shownValue(f, form[f.id], names, depts) ?? (
                <span className="muted">{t("approvals.emptyValue")}</span>
              )}
            </dd>
          </div>
        ))}
    </dl>
  );
}

function ValueText({
  f,
  v,
  names,
  depts,
}: {
  f: FormField;
  v: FieldValue | undefined;
  names: Map<string, string>;
  depts: Map<string, string>;
}): ReactNode {
  return shownValue(f, v, names, depts) ?? "";
}

/** shownValue is a value on screen (undefined when empty). */
function shownValue(
  f: FormField,
  v: FieldValue | undefined,
  names: Map<string, string>,
  depts: Map<string, string>,
): ReactNode | undefined {
  if (v === undefined || v === null || v === "" || (Array.isArray(v) && v.length === 0)) return undefined;
  switch (f.type) {
    case "money":
      return <MoneyText s={String(v)} currency={f.currency} />;
    case "daterange":
      return <RangeText f={f} v={v as DateRangeValue} />;
    case "multichoice":
      return (v as string[]).join(", ");
    case "member":
      return (v as string[]).map((id) => names.get(id) ?? "…").join(", ");
    case "department":
      return (v as string[]).map((id) => depts.get(id) ?? id).join(", ");
    case "attachment":
    case "image":
      return (
        <ul className="apv-files">
          {(v as string[]).map((id) => (
            <li key={id}>
              <a href={fileURL(id)} target="_blank" rel="noreferrer">
                {f.type === "image" ? <img src={fileURL(id)} alt={f.label} className="apv-thumb" /> : id}
              </a>
            </li>
          ))}
        </ul>
      );
    case "location": {
      const l = v as LocationValue;
      return `${l.address ? `${l.address} ` : ""}(${l.lat}, ${l.lng})`;
    }
    case "table":
      return <TableText f={f} v={v as TableValue} names={names} depts={depts} />;
    default:
      return typeof v === "string" ? v : JSON.stringify(v);
  }
}

function MoneyText({ s, currency }: { s: string; currency?: string }) {
  const { i18n } = useTranslation();
  return <>{showAmount(s, currency, i18n.language)}</>;
}

function RangeText({ f, v }: { f: FormField; v: DateRangeValue }) {
  const { t } = useTranslation();
  const half = (h?: string) =>
    f.unit === "half_day" && h ? ` ${h === "am" ? t("approvals.am") : t("approvals.pm")}` : "";
  return (
    <>
      {v.start.replace("T", " ")}
      {half(v.start_half)} – {v.end.replace("T", " ")}
      {half(v.end_half)}
      {v.duration && <> · {durationText(t, f.unit, v.duration)}</>}
    </>
  );
}

function TableText({
  f,
  v,
  names,
  depts,
}: {
  f: FormField;
  v: TableValue;
  names: Map<string, string>;
  depts: Map<string, string>;
}) {
  const { t, i18n } = useTranslation();
  const cols = f.columns ?? [];
  const totalCol = cols.find((c) => c.id === f.total);
  return (
    <div className="rep-table-wrap">
      <table className="rep-table apv-value-table">
        <thead>
          <tr>
            {cols.map((c) => (
              <th key={c.id} scope="col">
                {c.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {v.rows.map((row, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: rows have no id; they never move here
            <tr key={i}>
              {cols.map((c) => (
                <td key={c.id}>
                  <ValueText f={c} v={row[c.id]} names={names} depts={depts} />
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      {totalCol && v.total !== undefined && (
        <p className="apv-total" data-testid="value-total">
          {t("approvals.total", {
            value:
              totalCol.type === "money" ? showAmount(v.total, totalCol.currency, i18n.language) : v.total,
          })}
        </p>
      )}
    </div>
  );
}

function Steps({ r }: { r: Request }) {
  const { t, i18n } = useTranslation();
  return (
    <section className="card" aria-labelledby="apv-steps">
      <h2 id="apv-steps">{t("approvals.steps")}</h2>
      <ol className="apv-steps">
        {r.steps.map((s) => (
          <li key={s.id} className={`apv-step apv-step-${s.status}`} data-testid="approval-step">
            <div className="row">
              <strong>{s.name}</strong>
              <span className={statusClass(s.status)}>{stepStatusText(t, s.status)}</span>
              <span className="muted small">{modeText(t, s.mode)}</span>
              {s.reason && <span className="muted small">{reasonText(t, s.reason)}</span>}
            </div>
            <ul className="rep-people">
              {s.tasks.map((k, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: one person may hold two tasks of a step
                <li key={`${k.approver.id}-${i}`}>
                  <span>
                    {k.approver.name}
                    {k.on_behalf_of && (
                      <span className="muted small">
                        {" "}
                        {t("approvals.onBehalfOf", { name: k.on_behalf_of.name })}
                      </span>
                    )}
                  </span>
                  <span className="muted small">
                    {stepStatusText(t, k.status)}
                    {k.decided_at ? ` · ${formatTime(k.decided_at, i18n.language)}` : ""}
                  </span>
                  {k.comment && <span className="apv-quote">{k.comment}</span>}
                </li>
              ))}
            </ul>
          </li>
        ))}
      </ol>
      {r.cc.length > 0 && (
        <p className="small">
          <strong>{t("approvals.cc")}</strong> {r.cc.map((p) => p.name).join(", ")}
        </p>
      )}
    </section>
  );
}

function Timeline({ r }: { r: Request }) {
  const { t, i18n } = useTranslation();
  const stepName = new Map(r.steps.map((s) => [s.id, s.name]));
  return (
    <section className="card" aria-labelledby="apv-timeline">
      <h2 id="apv-timeline">{t("approvals.timeline")}</h2>
      <ol className="apv-timeline">
        {r.timeline.map((e, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: the timeline only grows at its end
          <li key={i} data-testid="timeline-entry">
            <time className="muted small" dateTime={new Date(e.at).toISOString()}>
              {formatTime(e.at, i18n.language)}
            </time>
            <span>
              {e.actor?.name && <strong>{e.actor.name} </strong>}
              {actionText(t, e.action)}
              {e.step_id && stepName.get(e.step_id) && (
                <span className="muted"> · {stepName.get(e.step_id)}</span>
              )}
            </span>
            {detailText(t, e.detail) && <span className="muted small">{detailText(t, e.detail)}</span>}
            {e.comment && <span className="apv-quote">{e.comment}</span>}
          </li>
        ))}
      </ol>
    </section>
  );
}

type Open = "" | "approve" | "reject" | "withdraw" | "return" | "transfer" | "add-approver";

/** Actions offers what `can` allows: decide, send back, hand over, add someone, withdraw, urge. */
function Actions({ r }: { r: Request }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [open, setOpen] = useState<Open>("");
  const [comment, setComment] = useState("");
  const [people, setPeople] = useState<string[]>([]);
  const [position, setPosition] = useState<"before" | "after">("after");
  const [toStep, setToStep] = useState("");
  const [urged, setUrged] = useState(false);
  const commentId = useId();
  const run = useMutation({
    mutationFn: ({ action, body }: { action: string; body?: unknown }) => act<unknown>(r.id, action, body),
    onSuccess: (data, { action }) => {
      if (action === "urge") setUrged(true);
      else if (data && typeof data === "object" && "id" in data) qc.setQueryData(requestKey(r.id), data);
      setOpen("");
      void qc.invalidateQueries({ queryKey: approvalsKey });
    },
  });
  const c = r.can;
  if (!(c.approve || c.reject || c.withdraw || c.return || c.transfer || c.add_approver || c.urge))
    return null;
  const show = (o: Open) => {
    run.reset();
    setComment("");
    setPeople([]);
    setToStep("");
    setOpen(o);
  };
  const error = run.error ? errorText(t, run.error) : "";
  const earlier = r.steps.filter((s) => s.status === "approved");
  const commentBox = (required: boolean) => (
    <div className="field">
      <label htmlFor={commentId} className="field-label">
        {required ? `${t("approvals.comment")} *` : t("approvals.comment")}
      </label>
      <textarea
        id={commentId}
        rows={3}
        value={comment}
        maxLength={5000}
        aria-required={required || undefined}
        onChange={(e) => setComment(e.target.value)}
      />
    </div>
  );
  const submit = (action: string, body: unknown) => (e: FormEvent) => {
    e.preventDefault();
    run.mutate({ action, body });
  };
  const buttons = (ok: string, disabled = false, danger = false) => (
    <>
      <Alert>{error}</Alert>
      <div className="dialog-actions">
        <button type="button" className="btn" onClick={() => setOpen("")}>
          {t("common.cancel")}
        </button>
        <button
          type="submit"
          className={danger ? "btn btn-danger-solid" : "btn btn-primary"}
          disabled={disabled || run.isPending}
        >
          {ok}
        </button>
      </div>
    </>
  );
  return (
    <section className="card apv-actions" aria-label={t("approvals.actions")}>
      <div className="row">
        {c.approve && (
          <button type="button" className="btn btn-primary" onClick={() => show("approve")}>
            {t("approvals.approve")}
          </button>
        )}
        {c.reject && (
          <button type="button" className="btn btn-danger" onClick={() => show("reject")}>
            {t("approvals.reject")}
          </button>
        )}
        {c.return && (
          <button type="button" className="btn" onClick={() => show("return")}>
            {t("approvals.return")}
          </button>
        )}
        {c.transfer && (
          <button type="button" className="btn" onClick={() => show("transfer")}>
            {t("approvals.transfer")}
          </button>
        )}
        {c.add_approver && (
          <button type="button" className="btn" onClick={() => show("add-approver")}>
            {t("approvals.addApprover")}
          </button>
        )}
        {c.urge && (
          <button
            type="button"
            className="btn"
            disabled={run.isPending || urged}
            onClick={() => {
              run.reset();
              run.mutate({ action: "urge" });
            }}
          >
            {urged ? t("approvals.urged") : t("approvals.urge")}
          </button>
        )}
        {c.withdraw && (
          <button type="button" className="btn btn-danger" onClick={() => show("withdraw")}>
            {t("approvals.withdraw")}
          </button>
        )}
      </div>
      {!open && error && <Alert>{error}</Alert>}
      <Dialog open={open === "approve"} title={t("approvals.approveTitle")} onClose={() => setOpen("")}>
        <form onSubmit={submit("approve", { comment: comment.trim() })}>
          {commentBox(false)}
          {buttons(t("approvals.approve"))}
        </form>
      </Dialog>
      <Dialog open={open === "reject"} title={t("approvals.rejectTitle")} onClose={() => setOpen("")}>
        <form onSubmit={submit("reject", { comment: comment.trim() })}>
          {commentBox(true)}
          {buttons(t("approvals.reject"), !comment.trim(), true)}
        </form>
      </Dialog>
      <Dialog open={open === "return"} title={t("approvals.returnTitle")} onClose={() => setOpen("")}>
        <form onSubmit={submit("return", { to_step: toStep, comment: comment.trim() })}>
          <fieldset className="checks">
            <legend className="field-label">{t("approvals.returnTo")}</legend>
            <label className="checkbox">
              <input type="radio" name="to-step" checked={toStep === ""} onChange={() => setToStep("")} />
              {t("approvals.returnToApplicant")}
            </label>
            {earlier.map((s) => (
              <label key={s.id} className="checkbox">
                <input
                  type="radio"
                  name="to-step"
                  checked={toStep === s.id}
                  onChange={() => setToStep(s.id)}
                />
                {s.name}
              </label>
            ))}
          </fieldset>
          {commentBox(false)}
          {buttons(t("approvals.return"))}
        </form>
      </Dialog>
      <Dialog open={open === "transfer"} title={t("approvals.transferTitle")} onClose={() => setOpen("")}>
        <form onSubmit={submit("transfer", { to: people[0] ?? "", comment: comment.trim() })}>
          <MemberPicker label={t("approvals.transferTo")} value={people} onChange={setPeople} />
          {commentBox(false)}
          {buttons(t("approvals.transfer"), people.length === 0)}
        </form>
      </Dialog>
      <Dialog
        open={open === "add-approver"}
        title={t("approvals.addApproverTitle")}
        onClose={() => setOpen("")}
      >
        <form onSubmit={submit("add-approver", { member_ids: people, position, comment: comment.trim() })}>
          <MemberPicker label={t("approvals.addWho")} value={people} multiple onChange={setPeople} />
          <fieldset className="checks">
            <legend className="field-label">{t("approvals.position")}</legend>
            <label className="checkbox">
              <input
                type="radio"
                name="pos"
                checked={position === "before"}
                onChange={() => setPosition("before")}
              />
              {t("approvals.before")}
            </label>
            <label className="checkbox">
              <input
                type="radio"
                name="pos"
                checked={position === "after"}
                onChange={() => setPosition("after")}
              />
              {t("approvals.after")}
            </label>
          </fieldset>
          {commentBox(false)}
          {buttons(t("approvals.addApprover"), people.length === 0)}
        </form>
      </Dialog>
      <ConfirmDialog
        open={open === "withdraw"}
        title={t("approvals.withdrawTitle")}
        confirm={t("approvals.withdraw")}
        danger
        pending={run.isPending}
        error={error || undefined}
        onConfirm={() => run.mutate({ action: "withdraw" })}
        onClose={() => setOpen("")}
      >
        <p>{t("approvals.withdrawBody")}</p>
      </ConfirmDialog>
    </section>
  );
}

function Comments({ r }: { r: Request }) {
  const { t, i18n } = useTranslation();
  const qc = useQueryClient();
  const myMember = useCurrentOrg()?.member_id;
  const [body, setBody] = useState("");
  const [mentions, setMentions] = useState<string[]>([]);
  const [files, setFiles] = useState<{ id: string; name: string }[]>([]);
  const bodyId = useId();
  const fileId = useId();
  // Who may be mentioned: the people of the request.
  const people = new Map<string, string>();
  people.set(r.applicant.id, r.applicant.name);
  for (const s of r.steps) for (const k of s.tasks) people.set(k.approver.id, k.approver.name);
  for (const p of r.cc) people.set(p.id, p.name);
  if (myMember) people.delete(myMember);
  const upload = useMutation({
    mutationFn: (f: File) => uploadFile(f),
    onSuccess: (x) => setFiles((fs) => [...fs, { id: x.id, name: x.name }]),
  });
  const send = useMutation({
    mutationFn: () =>
      act(r.id, "comments", { body: body.trim(), mentions, file_ids: files.map((f) => f.id) }),
    onSuccess: () => {
      setBody("");
      setMentions([]);
      setFiles([]);
      void qc.invalidateQueries({ queryKey: requestKey(r.id) });
    },
  });
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    if (body.trim()) send.mutate();
  };
  return (
    <section className="card rep-comments" aria-labelledby="apv-comments">
      <h2 id="apv-comments">{t("approvals.comments")}</h2>
      {r.comments.length === 0 && <p className="muted small">{t("approvals.noComments")}</p>}
      <ul className="rep-comment-list">
        {r.comments.map((c) => (
          <li key={c.id} data-testid="approval-comment">
            <p className="small">
              <strong>{c.author?.name ?? ""}</strong>{" "}
              <time className="muted" dateTime={new Date(c.created_at).toISOString()}>
                {formatTime(c.created_at, i18n.language)}
              </time>
            </p>
            <p className="rep-comment-body">{c.body}</p>
            {(c.file_ids ?? []).length > 0 && (
              <ul className="apv-files">
                {(c.file_ids ?? []).map((id) => (
                  <li key={id}>
                    <a href={fileURL(id)} target="_blank" rel="noreferrer">
                      {t("approvals.attachment")}
                    </a>
                  </li>
                ))}
              </ul>
            )}
          </li>
        ))}
      </ul>
      {r.can.comment && (
        <form className="stack" onSubmit={onSubmit}>
          <div className="field">
            <label htmlFor={bodyId} className="field-label">
              {t("approvals.addComment")}
            </label>
            <textarea
              id={bodyId}
              rows={3}
              maxLength={5000}
              value={body}
              onChange={(e) => setBody(e.target.value)}
            />
          </div>
          {people.size > 0 && (
            <fieldset className="checks">
              <legend>{t("approvals.mention")}</legend>
              {[...people].map(([id, name]) => (
                <label key={id} className="checkbox">
                  <input
                    type="checkbox"
                    checked={mentions.includes(id)}
                    onChange={(e) =>
                      setMentions(e.target.checked ? [...mentions, id] : mentions.filter((x) => x !== id))
                    }
                  />
                  {name}
                </label>
              ))}
            </fieldset>
          )}
          <div className="field">
            <label htmlFor={fileId} className="field-label">
              {t("approvals.attach")}
            </label>
            <input
              id={fileId}
              type="file"
              disabled={upload.isPending}
              onChange={(e) => {
                const f = e.target.files?.[0];
                e.target.value = "";
                if (f) upload.mutate(f);
              }}
            />
            {files.length > 0 && <span className="small">{files.map((f) => f.name).join(", ")}</span>}
          </div>
          <Alert>{send.error || upload.error ? errorText(t, send.error ?? upload.error) : ""}</Alert>
          <div className="row">
            <button type="submit" className="btn btn-primary" disabled={send.isPending || !body.trim()}>
              {t("approvals.send")}
            </button>
          </div>
        </form>
      )}
    </section>
  );
}

/** detailText is what a timeline entry's detail adds (its reason), or "". */
function detailText(t: TFunction, d: TimelineEntry["detail"]): string {
  const reason = d && typeof d.reason === "string" ? d.reason : "";
  return reason ? reasonText(t, reason) : "";
}
