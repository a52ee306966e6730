// Approvals: the API calls and queries the screens share.
import { useQuery } from "@tanstack/react-query";
import { ApiError, csrfToken } from "../../api/client";
import { useCurrentOrg } from "../../lib/org";
import type {
  Box,
  FormValues,
  Request,
  RequestPage,
  ResolvedStep,
  Template,
  TemplateInput,
  UploadedFile,
} from "./types";

/** Every approval query starts with this key; stream events refetch them all. */
export const approvalsKey = ["approvals"] as const;

/** call sends one request to /api/v1 and returns its JSON, or throws an ApiError with the server's code. */
export async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (method !== "GET") headers["X-CSRF-Token"] = csrfToken();
  const r = await fetch(`/api/v1${path}`, {
    method,
    headers,
    credentials: "same-origin",
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  const data = text ? JSON.parse(text) : undefined;
  if (r.ok) return data as T;
  const e = (data?.error ?? data ?? {}) as {
    code?: string;
    message?: string;
    field?: string;
    details?: Record<string, unknown>;
  };
  const details = { ...(e.details ?? {}) };
  if (e.field && details.field === undefined) details.field = e.field;
  throw new ApiError(r.status, e.code ?? `http_${r.status}`, e.message ?? r.statusText, details);
}

/** query joins the non-empty parameters into a query string ("" when none). */
export function query(params: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== "") q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : "";
}

/** formErrorField is the field an invalid_form error names ("" for other errors). */
export function formErrorField(e: unknown): string {
  if (!(e instanceof ApiError) || e.code !== "invalid_form") return "";
  const f = e.details?.field;
  if (typeof f === "string" && f) return f;
  // The message names the field too: "amount: must have at most two decimals".
  const m = /^([a-z][a-z0-9_.[\]]*):/.exec(e.message);
  return m ? m[1].replace(/\[(\d+)\]/g, ".$1") : "";
}

export const templatesQuery = {
  queryKey: [...approvalsKey, "templates"] as const,
  queryFn: () => call<{ items: Template[] }>("GET", "/approval-templates"),
  staleTime: 60_000,
};

export const allTemplatesQuery = {
  queryKey: [...approvalsKey, "templates", "all"] as const,
  queryFn: () => call<{ items: Template[] }>("GET", "/approval-templates?all=1"),
};

export const templateQuery = (id: string) => ({
  queryKey: [...approvalsKey, "template", id] as const,
  queryFn: () => call<Template>("GET", `/approval-templates/${encodeURIComponent(id)}`),
});

export const requestKey = (id: string) => [...approvalsKey, "request", id] as const;

export const requestQuery = (id: string) => ({
  queryKey: requestKey(id),
  queryFn: () => call<Request>("GET", `/approvals/${encodeURIComponent(id)}`),
});

export type ListFilter = { status?: string; template_id?: string; q?: string };

export function listPage(box: Box, f: ListFilter, cursor: string, limit: number): Promise<RequestPage> {
  return call<RequestPage>(
    "GET",
    `/approvals${query({ box, status: f.status, template_id: f.template_id, q: f.q, cursor, limit })}`,
  );
}

/** todoQuery is the first page of requests waiting for me: the count beside the navigation entry. */
export const todoQuery = {
  queryKey: [...approvalsKey, "list", "todo", "count"] as const,
  queryFn: () => listPage("todo", {}, "", 100),
  retry: false,
  refetchInterval: 5 * 60_000,
};

/** useTodoCount is how many requests wait for my decision (100 means "more than 99"). */
export function useTodoCount(): number {
  const org = useCurrentOrg();
  const d = useQuery({ ...todoQuery, enabled: !!org }).data;
  if (!d) return 0;
  return d.items.length + (d.next_cursor ? 1 : 0);
}

export function preview(templateId: string, form: FormValues, chosen: Record<string, string[]>) {
  return call<{ steps: ResolvedStep[] }>(
    "POST",
    `/approval-templates/${encodeURIComponent(templateId)}/preview`,
    { form, chosen },
  );
}

export function submitRequest(body: {
  template_id: string;
  form: FormValues;
  chosen: Record<string, string[]>;
  client_id: string;
}) {
  return call<Request>("POST", "/approvals", body);
}

export function saveTemplate(id: string, body: TemplateInput) {
  return id
    ? call<Template>("PUT", `/approval-templates/${encodeURIComponent(id)}`, body)
    : call<Template>("POST", "/approval-templates", body);
}

/** act posts one of a request's actions (approve, reject, withdraw, return, …). */
export function act<T = Request>(id: string, action: string, body?: unknown): Promise<T> {
  return call<T>("POST", `/approvals/${encodeURIComponent(id)}/${action}`, body ?? {});
}

/** uploadFile posts a file's bytes to /api/v1/approval-files (its type kept) and returns its id. */
export async function uploadFile(file: File): Promise<UploadedFile> {
  const r = await fetch(`/api/v1/approval-files?name=${encodeURIComponent(file.name)}`, {
    method: "POST",
    credentials: "same-origin",
    headers: {
      "Content-Type": file.type || "application/octet-stream",
      "X-CSRF-Token": csrfToken(),
    },
    body: file,
  });
  const text = await r.text();
  const data = text ? JSON.parse(text) : {};
  if (!r.ok) {
    const e = (data.error ?? {}) as { code?: string; message?: string };
    throw new ApiError(r.status, e.code ?? `http_${r.status}`, e.message ?? r.statusText);
  }
  return data as UploadedFile;
}

/** fileURL is where a request's file is downloaded. */
export function fileURL(id: string): string {
  return `/api/v1/approval-files/${encodeURIComponent(id)}`;
}

/** newClientId is an idempotency key for one submission (a retry sends the same one). */
export function newClientId(): string {
  const a = new Uint8Array(12);
  crypto.getRandomValues(a);
  return [...a].map((b) => b.toString(16).padStart(2, "0")).join("");
}
