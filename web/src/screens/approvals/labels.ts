// Words for the approval API's codes, in the UI language. Literal keys, so
// that the i18n test sees each one.
import type { TFunction } from "i18next";
import type { Problem } from "./form";
import type { FieldType } from "./types";

export function problemText(t: TFunction, p: Problem): string {
  switch (p.kind) {
    case "required":
      return t("approvals.problem.required");
    case "too_long":
      return t("approvals.problem.tooLong", { max: p.limit });
    case "one_line":
      return t("approvals.problem.oneLine");
    case "number":
      return t("approvals.problem.number");
    case "decimals":
      return t("approvals.problem.decimals", { n: p.limit });
    case "money":
      return t("approvals.problem.money");
    case "min":
      return t("approvals.problem.min", { min: p.limit });
    case "max":
      return t("approvals.problem.max", { max: p.limit });
    case "date":
      return t("approvals.problem.date");
    case "time":
      return t("approvals.problem.time");
    case "range":
      return t("approvals.problem.range");
    case "order":
      return t("approvals.problem.order");
    case "choice":
      return t("approvals.problem.choice");
    case "one":
      return t("approvals.problem.one");
    case "rows":
      return t("approvals.problem.rows", { max: p.limit });
    case "location":
      return t("approvals.problem.location");
    default:
      return p.message || t("errors.generic");
  }
}

export function statusText(t: TFunction, s: string): string {
  switch (s) {
    case "pending":
      return t("approvals.status.pending");
    case "approved":
      return t("approvals.status.approved");
    case "rejected":
      return t("approvals.status.rejected");
    case "withdrawn":
      return t("approvals.status.withdrawn");
    case "returned":
      return t("approvals.status.returned");
    default:
      return s;
  }
}

/** statusClass is the badge class of a request's, step's or task's status. */
export function statusClass(s: string): string {
  if (s === "approved") return "badge badge-ok";
  if (s === "rejected") return "badge badge-danger";
  if (s === "pending" || s === "active") return "badge";
  return "badge badge-muted";
}

export function stepStatusText(t: TFunction, s: string): string {
  switch (s) {
    case "waiting":
      return t("approvals.stepStatus.waiting");
    case "active":
      return t("approvals.stepStatus.active");
    case "approved":
      return t("approvals.stepStatus.approved");
    case "rejected":
      return t("approvals.stepStatus.rejected");
    case "skipped":
      return t("approvals.stepStatus.skipped");
    case "returned":
      return t("approvals.stepStatus.returned");
    case "pending":
      return t("approvals.stepStatus.pending");
    case "transferred":
      return t("approvals.stepStatus.transferred");
    default:
      return s;
  }
}

export function actionText(t: TFunction, a: string): string {
  switch (a) {
    case "submitted":
      return t("approvals.action.submitted");
    case "approved":
      return t("approvals.action.approved");
    case "rejected":
      return t("approvals.action.rejected");
    case "withdrawn":
      return t("approvals.action.withdrawn");
    case "returned":
      return t("approvals.action.returned");
    case "resubmitted":
      return t("approvals.action.resubmitted");
    case "transferred":
      return t("approvals.action.transferred");
    case "added_approver":
      return t("approvals.action.added_approver");
    case "urged":
      return t("approvals.action.urged");
    case "commented":
      return t("approvals.action.commented");
    case "skipped":
      return t("approvals.action.skipped");
    case "auto_approved":
      return t("approvals.action.auto_approved");
    case "reassigned":
      return t("approvals.action.reassigned");
    case "escalated":
      return t("approvals.action.escalated");
    case "reminded":
      return t("approvals.action.reminded");
    case "cc":
      return t("approvals.action.cc");
    default:
      return a;
  }
}

export function modeText(t: TFunction, m: string): string {
  switch (m) {
    case "sequential":
      return t("approvals.mode.sequential");
    case "all":
      return t("approvals.mode.all");
    default:
      return t("approvals.mode.any");
  }
}

export const FIELD_TYPES: FieldType[] = [
  "text",
  "textarea",
  "number",
  "money",
  "date",
  "time",
  "daterange",
  "choice",
  "multichoice",
  "member",
  "department",
  "attachment",
  "image",
  "location",
  "table",
  "description",
];

export function typeText(t: TFunction, ty: string): string {
  switch (ty) {
    case "text":
      return t("approvals.type.text");
    case "textarea":
      return t("approvals.type.textarea");
    case "number":
      return t("approvals.type.number");
    case "money":
      return t("approvals.type.money");
    case "date":
      return t("approvals.type.date");
    case "time":
      return t("approvals.type.time");
    case "daterange":
      return t("approvals.type.daterange");
    case "choice":
      return t("approvals.type.choice");
    case "multichoice":
      return t("approvals.type.multichoice");
    case "member":
      return t("approvals.type.member");
    case "department":
      return t("approvals.type.department");
    case "attachment":
      return t("approvals.type.attachment");
    case "image":
      return t("approvals.type.image");
    case "location":
      return t("approvals.type.location");
    case "table":
      return t("approvals.type.table");
    default:
      return t("approvals.type.description");
  }
}

export function approverTypeText(t: TFunction, ty: string): string {
  switch (ty) {
    case "members":
      return t("approvals.approver.members");
    case "role":
      return t("approvals.approver.role");
    case "supervisor":
      return t("approvals.approver.supervisor");
    case "department_leaders":
      return t("approvals.approver.department_leaders");
    default:
      return t("approvals.approver.applicant_choice");
  }
}

export function opText(t: TFunction, op: string): string {
  switch (op) {
    case "gt":
      return t("approvals.op.gt");
    case "gte":
      return t("approvals.op.gte");
    case "lt":
      return t("approvals.op.lt");
    case "lte":
      return t("approvals.op.lte");
    case "eq":
      return t("approvals.op.eq");
    case "ne":
      return t("approvals.op.ne");
    case "in":
      return t("approvals.op.in");
    case "not_in":
      return t("approvals.op.not_in");
    default:
      return t("approvals.op.contains");
  }
}

/** durationText says a duration with its unit: "2 days", "7.5 hours". */
export function durationText(t: TFunction, unit: string | undefined, value: string): string {
  // count picks the plural form only; the text shows the exact value.
  const count = Number(value);
  return unit === "hour"
    ? t("approvals.hours", { count, n: value })
    : t("approvals.days", { count, n: value });
}

/** reasonText says why a step was skipped or reassigned, in words when the reason is one the server names. */
export function reasonText(t: TFunction, reason: string): string {
  switch (reason) {
    case "condition":
      return t("approvals.reason.condition");
    case "no_approver":
      return t("approvals.reason.no_approver");
    case "vacancy":
      return t("approvals.reason.vacancy");
    case "approval_admins":
      return t("approvals.reason.approval_admins");
    case "inactive":
    case "left":
      return t("approvals.reason.left");
    default:
      return reason;
  }
}
