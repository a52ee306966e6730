// Announcement files: upload with progress, where a file is downloaded,
// and the Markdown that shows an uploaded image in the body.
import { ApiError, csrfToken, type Schemas } from "../../api/client";

export type AnnouncementFile = Schemas["AnnounceFile"];

/** FILE_PATH is where files are downloaded; the body names images by it. */
export const FILE_PATH = "/api/v1/announcement-files/";

/** MAX_FILE is the largest upload the server takes (20 MB). */
export const MAX_FILE = 20 << 20;

/** fileURL is where an announcement's file is downloaded. */
export function fileURL(id: string): string {
  return FILE_PATH + encodeURIComponent(id);
}

/** isImage reports whether a file shows inline (the server serves SVG as a download). */
export function isImage(f: Pick<AnnouncementFile, "content_type">): boolean {
  return f.content_type.startsWith("image/") && !f.content_type.startsWith("image/svg");
}

/** imageMarkdown is the Markdown that shows an uploaded image in the body. */
export function imageMarkdown(f: Pick<AnnouncementFile, "id" | "name">): string {
  const alt =
    f.name
      .replace(/\.[^.]*$/, "")
      .replace(/[[\]\n\\]/g, " ")
      .trim() || "image";
  return `![${alt}](${FILE_PATH}${f.id})`;
}

/** insertAt puts text into s at the cursor, on a line of its own. */
export function insertAt(s: string, at: number, text: string): { value: string; cursor: number } {
  const i = Math.max(0, Math.min(at, s.length));
  const before = s.slice(0, i);
  const after = s.slice(i);
  const pre = before === "" || before.endsWith("\n") ? "" : "\n";
  const post = after.startsWith("\n") ? "" : "\n";
  const value = before + pre + text + post + after;
  return { value, cursor: before.length + pre.length + text.length + post.length };
}

/**
 * uploadAnnouncementFile posts a file's raw bytes to /api/v1/announcement-files
 * with progress (fetch has no upload progress, so this uses XMLHttpRequest).
 */
export function uploadAnnouncementFile(
  file: File,
  onProgress: (fraction: number) => void,
): Promise<AnnouncementFile> {
  if (file.size > MAX_FILE)
    return Promise.reject(new ApiError(413, "file_too_large", "the file is too large"));
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", `/api/v1/announcement-files?name=${encodeURIComponent(file.name)}`);
    xhr.setRequestHeader("X-CSRF-Token", csrfToken());
    xhr.setRequestHeader("Content-Type", file.type || "application/octet-stream");
    xhr.responseType = "json";
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total);
    };
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) resolve(xhr.response as AnnouncementFile);
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
