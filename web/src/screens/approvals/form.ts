// The filing form's rules, mirroring the server's (contract §1): what an
// empty form holds, what stops a form from being sent, the table's live
// total, and the body sent (money normalized to two decimals, durations and
// totals left to the server).
import { cmpDec, decimals, formatDec, formatMoney, parseDec, parseMoney, sumDec, sumMoney } from "./decimal";
import { duration } from "./duration";
import type { DateRangeValue, FieldValue, FormField, FormValues, LocationValue, TableValue } from "./types";

export const MAX_ROWS = 200;
const TEXT_MAX = 2000;
const TEXTAREA_MAX = 20000;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;

/** ProblemKind is why a field cannot be sent as it is; each has a message on screen. */
export type ProblemKind =
  | "required"
  | "too_long"
  | "one_line"
  | "number"
  | "decimals"
  | "money"
  | "min"
  | "max"
  | "date"
  | "time"
  | "range"
  | "order"
  | "choice"
  | "one"
  | "rows"
  | "location"
  | "server";

/**
 * Problem names a field (a table cell as "table.2.col", rows counted from 0)
 * and what is wrong; limit carries the bound for min/max/decimals.
 */
export type Problem = { field: string; kind: ProblemKind; limit?: string; message?: string };

/** emptyValue is what a new form holds for a field. */
export function emptyValue(f: FormField): FieldValue | undefined {
  switch (f.type) {
    case "multichoice":
    case "member":
    case "department":
    case "attachment":
    case "image":
      return [];
    case "daterange":
      return f.unit === "half_day"
        ? { start: "", end: "", start_half: "am", end_half: "pm" }
        : { start: "", end: "" };
    case "location":
      return { lat: "", lng: "", address: "" };
    case "table":
      return { rows: [emptyRow(f)] };
    case "description":
      return undefined;
    default:
      return "";
  }
}

/** emptyRow is a new row of a table field. */
export function emptyRow(f: FormField): Record<string, FieldValue> {
  const row: Record<string, FieldValue> = {};
  for (const c of f.columns ?? []) {
    const v = emptyValue(c);
    if (v !== undefined) row[c.id] = v;
  }
  return row;
}

/** emptyForm is a new form for the fields. */
export function emptyForm(fields: FormField[]): FormValues {
  const out: FormValues = {};
  for (const f of fields) {
    const v = emptyValue(f);
    if (v !== undefined) out[f.id] = v;
  }
  return out;
}

/**
 * fillForm fills a form from a request's values (a returned request filed
 * again, or a link's prefill), empty where absent. A choice may be given
 * by position — "#0" is its first option — so that a link need not know
 * the language the template was seeded in (the built-in correction's
 * "Check-out" or "下班打卡" is "#1").
 */
export function fillForm(fields: FormField[], form: FormValues): FormValues {
  const out = emptyForm(fields);
  for (const f of fields) {
    let v = form[f.id];
    if (f.type === "choice" && typeof v === "string" && /^#\d+$/.test(v))
      v = f.options?.[Number(v.slice(1))] ?? "";
    if (v !== undefined && v !== null && f.type !== "description") out[f.id] = v;
  }
  return out;
}

/** isEmpty reports whether a value counts as not filled in. */
export function isEmpty(f: FormField, v: FieldValue | undefined): boolean {
  if (v === undefined || v === null) return true;
  if (typeof v === "string") return v.trim() === "";
  if (Array.isArray(v)) return v.length === 0;
  switch (f.type) {
    case "daterange": {
      const r = v as DateRangeValue;
      return !r.start && !r.end;
    }
    case "location": {
      const l = v as LocationValue;
      return !l.lat.trim() && !l.lng.trim() && !(l.address ?? "").trim();
    }
    case "table":
      return (v as TableValue).rows.every((row) => (f.columns ?? []).every((c) => isEmpty(c, row[c.id])));
    default:
      return false;
  }
}

function chars(s: string): number {
  return [...s].length;
}

/** checkValue lists the problems of one field's value; key names it in the problems. */
function checkValue(f: FormField, v: FieldValue | undefined, key: string, out: Problem[]) {
  if (f.type === "description") return;
  if (isEmpty(f, v)) {
    if (f.required) out.push({ field: key, kind: "required" });
    return;
  }
  const p = (kind: ProblemKind, limit?: string) => out.push({ field: key, kind, limit });
  switch (f.type) {
    case "text": {
      const s = v as string;
      if (/[\r\n]/.test(s)) p("one_line");
      else if (chars(s) > TEXT_MAX) p("too_long", String(TEXT_MAX));
      return;
    }
    case "textarea":
      if (chars(v as string) > TEXTAREA_MAX) p("too_long", String(TEXTAREA_MAX));
      return;
    case "number": {
      const d = parseDec(v as string);
      if (!d) return p("number");
      const places = f.decimals ?? 0;
      if (d.scale > places) return p("decimals", String(places));
      bounds(f, d, p);
      return;
    }
    case "money": {
      const s = v as string;
      const d = parseDec(s);
      if (!d) return p("money");
      if (decimals(s) > 2) return p("decimals", "2");
      bounds(f, d, p);
      return;
    }
    case "date": {
      const s = v as string;
      if (!DATE.test(s) || duration("day", { start: s, end: s }).ok === false) p("date");
      return;
    }
    case "time":
      if (!TIME.test(v as string)) p("time");
      return;
    case "daterange": {
      const r = v as DateRangeValue;
      if (!r.start || !r.end) return p("range");
      const d = duration(f.unit, r);
      if (!d.ok) p(d.reason === "order" ? "order" : "range");
      return;
    }
    case "choice":
      if (!(f.options ?? []).includes(v as string)) p("choice");
      return;
    case "multichoice":
      if ((v as string[]).some((x) => !(f.options ?? []).includes(x))) p("choice");
      return;
    case "member":
    case "department":
    case "attachment":
    case "image":
      if (!f.multiple && (v as string[]).length > 1) p("one");
      return;
    case "location": {
      const l = v as LocationValue;
      const lat = parseDec(l.lat);
      const lng = parseDec(l.lng);
      const inside = (d: Dec | null, lim: bigint) =>
        !!d && cmpDec(d, { n: -lim, scale: 0 }) >= 0 && cmpDec(d, { n: lim, scale: 0 }) <= 0;
      if (!inside(lat, 90n) || !inside(lng, 180n)) p("location");
      return;
    }
    case "table": {
      const rows = (v as TableValue).rows;
      if (rows.length > MAX_ROWS) return p("rows", String(MAX_ROWS));
      rows.forEach((row, i) => {
        if ((f.columns ?? []).every((c) => isEmpty(c, row[c.id]))) return; // an empty row is left out
        for (const c of f.columns ?? []) checkValue(c, row[c.id], `${key}.${i}.${c.id}`, out);
      });
      return;
    }
  }
}

type Dec = NonNullable<ReturnType<typeof parseDec>>;

function bounds(f: FormField, d: Dec, p: (k: ProblemKind, limit?: string) => void) {
  const min = f.min ? parseDec(f.min) : null;
  const max = f.max ? parseDec(f.max) : null;
  if (min && cmpDec(d, min) < 0) p("min", f.min);
  else if (max && cmpDec(d, max) > 0) p("max", f.max);
}

/** problems lists everything that stops the form from being sent, in the order of the fields. */
export function problems(fields: FormField[], values: FormValues): Problem[] {
  const out: Problem[] = [];
  for (const f of fields) checkValue(f, values[f.id], f.id, out);
  return out;
}

/**
 * tableTotal is a table's live total: the sum of its total column (money
 * exact to the cent, numbers exact), "" when the table has none.
 */
export function tableTotal(f: FormField, v: TableValue | null | undefined): string {
  const col = (f.columns ?? []).find((c) => c.id === f.total);
  if (!col) return "";
  const cells = (v?.rows ?? []).map((r) => (typeof r[col.id] === "string" ? (r[col.id] as string) : ""));
  if (col.type === "money") return formatMoney(sumMoney(cells));
  return formatDec(sumDec(cells));
}

/** normalize is one value as the API takes it; undefined leaves the field out. */
function normalize(f: FormField, v: FieldValue | undefined): FieldValue | undefined {
  if (f.type === "description" || isEmpty(f, v) || v === undefined || v === null) return undefined;
  switch (f.type) {
    case "text":
    case "textarea":
      return v;
    case "money": {
      const c = parseMoney(v as string);
      return c === null ? (v as string).trim() : formatMoney(c);
    }
    case "number": {
      const d = parseDec(v as string);
      return d ? formatDec(d) : (v as string).trim();
    }
    case "daterange": {
      const { duration: _, ...r } = v as DateRangeValue;
      if (f.unit !== "half_day") {
        delete r.start_half;
        delete r.end_half;
      }
      return r;
    }
    case "location": {
      const l = v as LocationValue;
      return { lat: l.lat.trim(), lng: l.lng.trim(), address: (l.address ?? "").trim() };
    }
    case "table": {
      const rows = (v as TableValue).rows
        .filter((row) => !(f.columns ?? []).every((c) => isEmpty(c, row[c.id])))
        .map((row) => {
          const out: Record<string, FieldValue> = {};
          for (const c of f.columns ?? []) {
            const x = normalize(c, row[c.id]);
            if (x !== undefined) out[c.id] = x;
          }
          return out;
        });
      return { rows };
    }
    default:
      return v;
  }
}

/** payload is the form as POST /approvals takes it: empty fields left out, money as "8000.00". */
export function payload(fields: FormField[], values: FormValues): Record<string, FieldValue> {
  const out: Record<string, FieldValue> = {};
  for (const f of fields) {
    const v = normalize(f, values[f.id]);
    if (v !== undefined) out[f.id] = v;
  }
  return out;
}
