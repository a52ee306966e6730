import { ApiError, csrfToken, type Schemas } from "../../api/client";

/**
 * uploadFile posts a file to /api/v1/files with progress (fetch has no upload
 * progress, so this uses XMLHttpRequest), sending the CSRF header.
 */
export function uploadFile(
  file: File,
  onProgress: (fraction: number) => void,
  signal?: AbortSignal,
): Promise<Schemas["ChatFile"]> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", "/api/v1/files");
    xhr.setRequestHeader("X-CSRF-Token", csrfToken());
    xhr.responseType = "json";
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total);
    };
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) resolve(xhr.response as Schemas["ChatFile"]);
      else {
        const e = (xhr.response ?? {}) as { error?: { code?: string; message?: string } };
        reject(
          new ApiError(xhr.status, e.error?.code ?? `http_${xhr.status}`, e.error?.message ?? xhr.statusText),
        );
      }
    };
    xhr.onerror = () => reject(new TypeError("network error"));
    signal?.addEventListener("abort", () => xhr.abort());
    const form = new FormData();
    form.append("file", file, file.name);
    xhr.send(form);
  });
}

/** formatSize renders a byte count. */
export function formatSize(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}
