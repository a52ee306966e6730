// The template designer's rules: new fields and steps, moving them, the
// condition tree, and what stops a design from being saved.
import { parseDec } from "./decimal";
import type { Condition, FieldType, Flow, FlowStep, FormField, Template, TemplateInput } from "./types";

/** newTemplate is an empty design: one supervisor step, everyone may file it. */
export function newTemplate(): TemplateInput {
  return {
    name: "",
    description: "",
    group: "",
    fields: [],
    flow: {
      steps: [newStep([])],
      cc: { member_ids: [], role_ids: [], supervisor: false, at: "submit" },
      auto_approve: { applicant: true, repeated: true },
    },
    available_to: { all: true, department_ids: [], role_ids: [] },
  };
}

/** inputOf is a template as the designer edits it. */
export function inputOf(t: Template): TemplateInput {
  return {
    name: t.name,
    description: t.description,
    group: t.group,
    fields: t.fields,
    flow: {
      steps: t.flow.steps ?? [],
      cc: { member_ids: [], role_ids: [], supervisor: false, at: "submit", ...t.flow.cc },
      auto_approve: { applicant: true, repeated: true, ...t.flow.auto_approve },
    },
    available_to: {
      all: t.available_to?.all ?? true,
      department_ids: t.available_to?.department_ids ?? [],
      role_ids: t.available_to?.role_ids ?? [],
    },
  };
}

/**
 * slug makes an id from a label: lower-case letters, digits and "_",
 * starting with a letter, unique among taken (prefix + N when the label
 * has none of those characters, as Chinese labels do).
 */
export function slug(label: string, taken: string[], prefix = "field"): string {
  let base = label
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^[_0-9]+|_+$/g, "")
    .slice(0, 36);
  if (!base) base = prefix;
  if (base !== prefix && !taken.includes(base)) return base;
  for (let n = 1; ; n++) if (!taken.includes(`${base}_${n}`)) return `${base}_${n}`;
}

/** newField is a field of the type, with an id not in taken. */
export function newField(type: FieldType, taken: string[]): FormField {
  const f: FormField = { id: slug("", taken), type, label: "", required: false };
  return withType(f, type);
}

/** withType changes a field's type, keeping what still applies and giving what the new type needs. */
export function withType(f: FormField, type: FieldType): FormField {
  const out: FormField = { id: f.id, type, label: f.label, required: f.required, help: f.help };
  if (type === "text" || type === "textarea" || type === "number" || type === "money")
    out.placeholder = f.placeholder;
  if (type === "choice" || type === "multichoice") out.options = f.options ?? [];
  if (type === "money") out.currency = f.currency || "CNY";
  if (type === "number") out.decimals = f.decimals ?? 0;
  if (type === "number" || type === "money") {
    out.min = f.min;
    out.max = f.max;
  }
  if (["member", "department", "attachment", "image"].includes(type)) out.multiple = !!f.multiple;
  if (type === "daterange") out.unit = f.unit ?? "day";
  if (type === "table") {
    out.columns = f.columns ?? [{ id: "item", type: "text", label: "", required: false }];
    out.total = f.total;
  }
  if (type === "description") {
    out.text = f.text ?? "";
    out.required = false;
  }
  return out;
}

/** newStep is a supervisor step with an id not in taken. */
export function newStep(taken: string[]): FlowStep {
  let n = 1;
  while (taken.includes(`s${n}`)) n++;
  return { id: `s${n}`, name: "", approvers: { type: "supervisor", levels: 1 }, mode: "any" };
}

/** move returns items with the one at from moved to to (clamped); the same array when nothing moves. */
export function move<T>(items: T[], from: number, to: number): T[] {
  const dest = Math.max(0, Math.min(items.length - 1, to));
  if (from === dest || from < 0 || from >= items.length) return items;
  const out = [...items];
  const [x] = out.splice(from, 1);
  out.splice(dest, 0, x);
  return out;
}

/** optionsOf splits choice options typed separated by commas or new lines. */
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

/** isGroup reports whether a condition is an all/any group. */
export function isGroup(c: Condition): boolean {
  return c.all !== undefined || c.any !== undefined;
}

/** children are a group's conditions. */
export function children(c: Condition): Condition[] {
  return c.all ?? c.any ?? [];
}

/** withChildren gives a group new conditions, keeping its kind. */
export function withChildren(c: Condition, xs: Condition[]): Condition {
  return c.any !== undefined ? { any: xs } : { all: xs };
}

/** NUMERIC are the field types compared as numbers (a date range by its duration, a table by its total). */
export const NUMERIC: FieldType[] = ["number", "money", "daterange", "table"];

/** condFields are the fields a condition may test. */
export function condFields(fields: FormField[]): FormField[] {
  return fields.filter(
    (f) =>
      NUMERIC.includes(f.type) || ["date", "choice", "multichoice", "text", "department"].includes(f.type),
  );
}

/** opsFor are the comparisons that make sense for a field type (or an applicant's department/role). */
export function opsFor(type: FieldType | "applicant"): string[] {
  if (type === "applicant" || type === "department") return ["in", "not_in"];
  if (NUMERIC.includes(type) || type === "date") return ["gt", "gte", "lt", "lte", "eq", "ne"];
  if (type === "multichoice") return ["contains"];
  return ["eq", "ne", "in", "not_in"];
}

/** isListOp reports whether an op takes a list of values. */
export function isListOp(op: string | undefined): boolean {
  return op === "in" || op === "not_in";
}

/** DesignProblem is what stops a design from being saved, on screen as a sentence. */
export type DesignProblem =
  | { kind: "name" }
  | { kind: "label"; field: string }
  | { kind: "id"; field: string }
  | { kind: "duplicate"; field: string }
  | { kind: "options"; field: string }
  | { kind: "columns"; field: string }
  | { kind: "bound"; field: string }
  | { kind: "steps" }
  | { kind: "stepName"; step: string }
  | { kind: "approvers"; step: string }
  | { kind: "condition"; step: string };

const ID = /^[a-z][a-z0-9_]{0,39}$/;

function fieldProblems(fields: FormField[], out: DesignProblem[]) {
  const seen = new Set<string>();
  for (const f of fields) {
    const name = f.label || f.id;
    if (!ID.test(f.id)) out.push({ kind: "id", field: name });
    else if (seen.has(f.id)) out.push({ kind: "duplicate", field: name });
    seen.add(f.id);
    if (f.type !== "description" && !f.label.trim()) out.push({ kind: "label", field: f.id });
    if ((f.type === "choice" || f.type === "multichoice") && (f.options ?? []).length === 0)
      out.push({ kind: "options", field: name });
    if ((f.min && !parseDec(f.min)) || (f.max && !parseDec(f.max))) out.push({ kind: "bound", field: name });
    if (f.type === "table") {
      if ((f.columns ?? []).length === 0) out.push({ kind: "columns", field: name });
      fieldProblems(f.columns ?? [], out);
    }
  }
}

/** conditionComplete reports whether every comparison of a condition names what it tests and a value. */
export function conditionComplete(c: Condition, fieldIds: string[]): boolean {
  if (isGroup(c)) return children(c).length > 0 && children(c).every((x) => conditionComplete(x, fieldIds));
  if (!(c.field || c.applicant) || !c.op) return false;
  if (c.field && !fieldIds.includes(c.field)) return false;
  if (Array.isArray(c.value)) return c.value.length > 0;
  return typeof c.value === "string" && c.value.trim() !== "";
}

/** designProblems lists what stops the design from being saved. */
export function designProblems(d: TemplateInput): DesignProblem[] {
  const out: DesignProblem[] = [];
  if (!d.name.trim()) out.push({ kind: "name" });
  fieldProblems(d.fields, out);
  if (d.flow.steps.length === 0) out.push({ kind: "steps" });
  const ids = d.fields.map((f) => f.id);
  for (const s of d.flow.steps) {
    const name = s.name || s.id;
    if (!s.name.trim()) out.push({ kind: "stepName", step: s.id });
    const a = s.approvers;
    if ((a.type === "members" && (a.member_ids ?? []).length === 0) || (a.type === "role" && !a.role_id))
      out.push({ kind: "approvers", step: name });
    // An empty condition is no condition (cleanFlow drops it).
    const none = !s.when || (isGroup(s.when) && children(s.when).length === 0);
    if (s.when && !none && !conditionComplete(s.when, ids)) out.push({ kind: "condition", step: name });
  }
  return out;
}

/** cleanFlow drops what the server does not need: empty conditions and unused settings. */
export function cleanFlow(f: Flow): Flow {
  return {
    ...f,
    steps: f.steps.map((s) => {
      const out: FlowStep = { ...s, name: s.name.trim() };
      if (!out.when || (isGroup(out.when) && children(out.when).length === 0)) delete out.when;
      if (!out.hidden_fields?.length) delete out.hidden_fields;
      return out;
    }),
  };
}

/** bodyOf is the body of POST or PUT /approval-templates. */
export function bodyOf(d: TemplateInput): TemplateInput {
  return { ...d, name: d.name.trim(), group: d.group.trim(), flow: cleanFlow(d.flow) };
}
