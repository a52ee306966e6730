// Report files: what attachment fields hold, where a file is downloaded,
// and the upload with progress.
import { ApiError, csrfToken, type Schemas } from "../../api/client";

export type ReportFile = Schemas["ReportFile"];

/** MAX_FILE is the largest upload the server takes (20 MB). */
export const MAX_FILE = 20 << 20;

/** MAX_FILES is how many files one attachment field holds. */
export const MAX_FILES = 20;

/** fileURL is where a report's file is downloaded. */
export function fileURL(id: string): string {
  return `/api/v1/report-files/${encodeURIComponent(id)}`;
}

/** Attached is what the form's attachment fields hold, by field id. */
export type Attached = Record<string, ReportFile[]>;

/** fileIds is an attachment field's value as the API gives it: a list of file ids. */
export function fileIds(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
}

/**
 * filesOf is the files an attachment field's value names, in its order,
 * described by the report's files (an id the report does not describe
 * keeps its id as its name).
 */
export function filesOf(v: unknown, files: ReportFile[] = []): ReportFile[] {
  return fileIds(v).map(
    (id) =>
      files.find((f) => f.id === id) ?? { id, name: id, size: 0, content_type: "application/octet-stream" },
  );
}

/**
 * uploadReportFile posts a file's raw bytes to /api/v1/report-files with
 * progress (fetch has no upload progress, so this uses XMLHttpRequest).
 */
export function uploadReportFile(file: File, onProgress: (fraction: number) => void): Promise<ReportFile> {
  if (file.size > MAX_FILE)
    return Promise.reject(new ApiError(413, "file_too_large", "the file is too large"));
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", `/api/v1/report-files?name=${encodeURIComponent(file.name)}`);
    xhr.setRequestHeader("X-CSRF-Token", csrfToken());
    xhr.setRequestHeader("Content-Type", file.type || "application/octet-stream");
    xhr.responseType = "json";
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total);
    };
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) resolve(xhr.response as ReportFile);
      else {
        const e = (xhr.response ?? {}) as { error?: { code?: string; message?: string } };
        reject(
          new ApiError(xhr.status, e.error?.code ?? `http_${xhr.status}`, e.error?.message ?? xhr.statusText),
        );
      }
    };
    xhr.onerror = () => reject(new TypeError("network error"));
    xhr.send(file);
  });
}
