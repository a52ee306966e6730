// The template designer's form: what it holds, and the body it sends.
import type { Schemas } from "../../api/client";
import type { Chosen } from "../../components/AudiencePicker";
import type { Picked } from "../chat/PickPeople";
import type { Template } from "./data";

export type FieldForm = { id: string; label: string; kind: string; required: boolean; options: string };

/** TemplateForm is what the designer holds; settings it does not show are kept as they were. */
export type TemplateForm = {
  name: string;
  period: string;
  dueTime: string;
  dueWeekday: number;
  dueDay: number;
  editWindow: number;
  plans: boolean;
  supervisor: boolean;
  leaders: boolean;
  /** alsoTo are chosen members every report goes to. */
  alsoTo: Picked[];
  /** everyone: the whole organization writes; otherwise submitters. */
  everyone: boolean;
  submitters: Chosen;
  timezone: string;
  /** workdays are ISO weekdays, 1 (Monday) … 7 (Sunday). */
  workdays: number[];
  remindBefore: number;
  fields: FieldForm[];
  keep?: Template;
};

/** localZone is the browser's time zone, the default of a new template. */
export function localZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  } catch {
    return "UTC";
  }
}

export const emptyTemplate: TemplateForm = {
  name: "",
  period: "daily",
  dueTime: "18:00",
  dueWeekday: 5,
  dueDay: 0,
  editWindow: 1440,
  plans: false,
  supervisor: true,
  leaders: true,
  alsoTo: [],
  everyone: true,
  submitters: { departments: [], roles: [], members: [] },
  timezone: "UTC",
  workdays: [1, 2, 3, 4, 5],
  remindBefore: 0,
  fields: [],
};

/** newTemplate is an empty template in the browser's time zone. */
export function newTemplate(): TemplateForm {
  return { ...emptyTemplate, timezone: localZone() };
}

const named = (ids: string[]): Picked[] => ids.map((id) => ({ id, name: "" }));

/** templateForm fills the designer from a template. */
export function templateForm(t: Template): TemplateForm {
  return {
    name: t.name,
    period: t.period,
    dueTime: t.due_time,
    dueWeekday: t.due_weekday,
    dueDay: t.due_day,
    editWindow: t.edit_window_minutes,
    plans: t.plans,
    supervisor: t.recipients.supervisor,
    leaders: t.recipients.department_leaders,
    alsoTo: named(t.recipients.member_ids),
    everyone: t.submitters.all,
    submitters: {
      departments: t.submitters.department_ids,
      roles: t.submitters.role_ids,
      members: named(t.submitters.member_ids),
    },
    timezone: t.timezone,
    workdays: t.workdays,
    remindBefore: t.remind_before_minutes,
    fields: t.fields.map((f) => ({ ...f, options: f.options.join(", ") })),
    keep: t,
  };
}

/**
 * fieldId makes a field id from its label: lower-case letters, digits and
 * "_", unique among taken; a label with none of them gets field_N.
 */
export function fieldId(label: string, taken: string[]): string {
  const base0 = label
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "")
    .slice(0, 40);
  const base = base0 || "field";
  if (base !== "field" && !taken.includes(base)) return base;
  for (let n = 2; ; n++) if (!taken.includes(`${base}_${n}`)) return `${base}_${n}`;
}

/** optionsOf splits a choice field's options, written separated by commas. */
export function optionsOf(s: string): string[] {
  return [
    ...new Set(
      s
        .split(/[,，\n]/)
        .map((x) => x.trim())
        .filter(Boolean),
    ),
  ];
}

/** templateBody is the body of POST or PUT /api/v1/report-templates for the form. */
export function templateBody(f: TemplateForm): Schemas["ReportTemplateInput"] {
  return {
    name: f.name.trim(),
    period: f.period,
    due_time: f.dueTime,
    due_weekday: f.dueWeekday,
    due_day: f.dueDay,
    edit_window_minutes: f.editWindow,
    plans: f.plans,
    fields: f.fields.map((x) => ({
      id: x.id,
      label: x.label.trim(),
      kind: x.kind,
      required: x.required,
      options: x.kind === "choice" ? optionsOf(x.options) : [],
    })),
    recipients: {
      supervisor: f.supervisor,
      department_leaders: f.leaders,
      member_ids: f.alsoTo.map((p) => p.id),
    },
    submitters: f.everyone
      ? { all: true, department_ids: [], role_ids: [], member_ids: [] }
      : {
          all: false,
          department_ids: f.submitters.departments,
          role_ids: f.submitters.roles,
          member_ids: f.submitters.members.map((p) => p.id),
        },
    timezone: f.timezone,
    workdays: [...f.workdays].sort((a, b) => a - b),
    remind_before_minutes: f.remindBefore,
  };
}
