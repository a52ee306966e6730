// Event attachments: upload (POST /api/v1/calendar-files, raw bytes) and
// where a file is downloaded.
import { ApiError, csrfToken, type Schemas } from "../../api/client";

export type EventFile = Schemas["CalendarFile"];

/** MAX_FILE is the largest upload the server takes (50 MB). */
export const MAX_FILE = 50 << 20;

/** MAX_FILES is how many files one event holds. */
export const MAX_FILES = 20;

/** fileURL is where an event's file is downloaded. */
export function fileURL(id: string): string {
  return `/api/v1/calendar-files/${encodeURIComponent(id)}`;
}

/** uploadEventFile posts a file's bytes and returns it as stored, or throws the server's error. */
export async function uploadEventFile(file: File): Promise<EventFile> {
  if (file.size > MAX_FILE) throw new ApiError(413, "file_too_large", "the file is too large");
  const r = await fetch(`/api/v1/calendar-files?name=${encodeURIComponent(file.name)}`, {
    method: "POST",
    credentials: "same-origin",
    headers: { "X-CSRF-Token": csrfToken(), "Content-Type": file.type || "application/octet-stream" },
    body: file,
  });
  const body = (await r.json().catch(() => ({}))) as EventFile & {
    error?: { code?: string; message?: string };
  };
  if (!r.ok)
    throw new ApiError(r.status, body.error?.code ?? `http_${r.status}`, body.error?.message ?? r.statusText);
  return body;
}
