// Work reports: queries, and the rules the screens share (the form a
// template's fields make, what it sends, what it lacks before submitting).
import { useQuery } from "@tanstack/react-query";
import { api, must, type Schemas } from "../../api/client";
import { useCurrentOrg } from "../../lib/org";
import type { Attached } from "./files";

export type Report = Schemas["ReportReport"];
export type Template = Schemas["ReportTemplate"];
export type TemplateField = Schemas["ReportField"];

/** Every report query starts with this key; stream events refetch them all. */
export const reportsKey = ["reports"] as const;

/** templatesQuery is the organization's active templates. */
export const templatesQuery = {
  queryKey: [...reportsKey, "templates"] as const,
  queryFn: () => must(api.GET("/api/v1/report-templates")),
  staleTime: 60_000,
};

/** inboxSummaryQuery is the first page of my inbox: the unread count. */
export const inboxSummaryQuery = {
  queryKey: [...reportsKey, "inbox", "summary"] as const,
  queryFn: () => must(api.GET("/api/v1/reports/inbox", { params: { query: { limit: 1 } } })),
  retry: false,
  refetchInterval: 5 * 60_000,
};

/** useUnreadReports is how many received reports I have not read (0 outside an organization). */
export function useUnreadReports(): number {
  const org = useCurrentOrg();
  return useQuery({ ...inboxSummaryQuery, enabled: !!org }).data?.unread ?? 0;
}

/**
 * Values is what the form holds: one string per field (numbers as typed;
 * attachment fields hold their files apart, in Attached).
 */
export type Values = Record<string, string>;

/** formValues fills the form from a report's values (empty for a new one). */
export function formValues(fields: TemplateField[], values: Record<string, unknown> = {}): Values {
  const out: Values = {};
  for (const f of fields) {
    const v = values[f.id];
    out[f.id] = v === undefined || v === null || f.kind === "attachment" ? "" : String(v);
  }
  return out;
}

/** Problem is a field the form cannot send as it is. */
export type Problem = { id: string; kind: "required" | "number" | "choice" | "date" };

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * problems lists what stops the form from being sent: a value of the
 * wrong shape always, an empty required field only when submitting (a
 * draft may leave them empty).
 */
export function problems(
  fields: TemplateField[],
  v: Values,
  submit: boolean,
  files: Attached = {},
): Problem[] {
  const out: Problem[] = [];
  for (const f of fields) {
    if (f.kind === "attachment") {
      if (submit && f.required && !files[f.id]?.length) out.push({ id: f.id, kind: "required" });
      continue;
    }
    const s = (v[f.id] ?? "").trim();
    if (!s) {
      if (submit && f.required) out.push({ id: f.id, kind: "required" });
      continue;
    }
    if (f.kind === "number" && !Number.isFinite(Number(s))) out.push({ id: f.id, kind: "number" });
    if (f.kind === "choice" && !f.options.includes(s)) out.push({ id: f.id, kind: "choice" });
    if (f.kind === "date" && (!DATE.test(s) || Number.isNaN(Date.parse(s))))
      out.push({ id: f.id, kind: "date" });
  }
  return out;
}

/**
 * valuesOf is the values map the API takes: numbers as numbers, attachment
 * fields as lists of file ids, empty fields left out.
 */
export function valuesOf(
  fields: TemplateField[],
  v: Values,
  files: Attached = {},
): Record<string, string | number | string[]> {
  const out: Record<string, string | number | string[]> = {};
  for (const f of fields) {
    if (f.kind === "attachment") {
      const ids = (files[f.id] ?? []).map((x) => x.id);
      if (ids.length) out[f.id] = ids;
      continue;
    }
    const raw = v[f.id] ?? "";
    const s = f.kind === "text" ? raw : raw.trim();
    if (!s.trim()) continue;
    out[f.id] = f.kind === "number" ? Number(s) : s;
  }
  return out;
}

/** shown is a report value as text (an empty one as ""). */
export function shown(v: unknown): string {
  if (v === undefined || v === null) return "";
  return String(v);
}
