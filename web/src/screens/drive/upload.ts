// Uploads: files and folders dropped or chosen, each file sent whole when
// small and through a resumable upload (chunks at an offset the server
// confirms) when large, so a cut connection resumes where it stopped.
import { ApiError, csrfToken } from "../../api/client";
import { call, drive, type Item, paths, type UploadSession } from "./api";

/** RESUMABLE_FROM is the size from which a file goes through the resumable upload. */
export const RESUMABLE_FROM = 8 << 20;
/** CHUNK is the size of one chunk of a resumable upload. */
export const CHUNK = 8 << 20;

/** Picked is a file with the folders it sits in, relative to what was dropped. */
export type Picked = { file: File; dirs: string[] };

/** splitRelative turns a webkitRelativePath ("a/b/c.txt") into its folders and name. */
export function splitRelative(rel: string): string[] {
  const parts = rel.split("/").filter((p) => p !== "" && p !== ".");
  return parts.slice(0, -1);
}

/** fromInput lists the files of an <input type=file> (webkitdirectory keeps their folders). */
export function fromInput(files: FileList | File[]): Picked[] {
  return [...files].map((file) => ({
    file,
    dirs: splitRelative((file as File & { webkitRelativePath?: string }).webkitRelativePath || file.name),
  }));
}

type Entry = {
  isFile: boolean;
  isDirectory: boolean;
  name: string;
  file?: (ok: (f: File) => void, fail: (e: unknown) => void) => void;
  createReader?: () => { readEntries: (ok: (es: Entry[]) => void, fail: (e: unknown) => void) => void };
};

async function walk(e: Entry, dirs: string[], out: Picked[], emptyDirs: string[][]): Promise<void> {
  if (e.isFile && e.file) {
    const f = await new Promise<File>((ok, fail) => e.file?.(ok, fail));
    out.push({ file: f, dirs });
    return;
  }
  if (!e.isDirectory || !e.createReader) return;
  const here = [...dirs, e.name];
  const reader = e.createReader();
  let any = false;
  // readEntries answers in batches until an empty one.
  for (;;) {
    const batch = await new Promise<Entry[]>((ok, fail) => reader.readEntries(ok, fail));
    if (batch.length === 0) break;
    any = true;
    for (const c of batch) await walk(c, here, out, emptyDirs);
  }
  if (!any) emptyDirs.push(here);
}

/**
 * fromDrop lists what a drop carries: files, and folders walked through
 * DataTransferItem.webkitGetAsEntry (empty folders too, to create them).
 */
export async function fromDrop(dt: DataTransfer): Promise<{ files: Picked[]; emptyDirs: string[][] }> {
  const out: Picked[] = [];
  const emptyDirs: string[][] = [];
  const entries: Entry[] = [];
  for (const it of [...(dt.items ?? [])]) {
    if (it.kind !== "file") continue;
    const e = (it as DataTransferItem & { webkitGetAsEntry?: () => Entry | null }).webkitGetAsEntry?.();
    if (e) entries.push(e);
  }
  if (entries.length === 0) return { files: fromInput(dt.files), emptyDirs };
  for (const e of entries) await walk(e, [], out, emptyDirs);
  return { files: out, emptyDirs };
}

/**
 * Folders creates (or finds) the folders uploads go into, each once: a
 * folder that exists already is used as it is.
 */
export class Folders {
  private made = new Map<string, Promise<string>>();
  constructor(private root: string) {}

  async ensure(dirs: string[]): Promise<string> {
    let parent = this.root;
    for (let i = 0; i < dirs.length; i++) {
      const key = dirs.slice(0, i + 1).join("/");
      let p = this.made.get(key);
      if (!p) {
        const from = parent;
        const name = dirs[i];
        p = drive.mkdir(from, name).then(
          (it) => it.id,
          async (e) => {
            if (!(e instanceof ApiError) || e.code !== "name_taken") throw e;
            const l = await drive.children(from);
            const hit = l.items.find(
              (x) => x.kind === "folder" && x.name.toLowerCase() === name.toLowerCase(),
            );
            if (!hit) throw e;
            return hit.id;
          },
        );
        this.made.set(key, p);
      }
      parent = await p;
    }
    return parent;
  }
}

/** send sends a body with XMLHttpRequest (progress events), answering the decoded JSON. */
function send<T>(
  method: string,
  url: string,
  body: Blob,
  headers: Record<string, string>,
  onProgress: (sent: number) => void,
  signal?: AbortSignal,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(method, url);
    xhr.withCredentials = true;
    const token = csrfToken();
    if (token) xhr.setRequestHeader("X-CSRF-Token", token);
    xhr.setRequestHeader("Accept", "application/json");
    for (const [k, v] of Object.entries(headers)) xhr.setRequestHeader(k, v);
    xhr.upload.onprogress = (e) => onProgress(e.loaded);
    xhr.onload = () => {
      let data: unknown;
      try {
        data = xhr.responseText ? JSON.parse(xhr.responseText) : undefined;
      } catch {
        data = undefined;
      }
      if (xhr.status >= 200 && xhr.status < 300) return resolve(data as T);
      const e = (data ?? {}) as {
        error?: { code?: string; message?: string; details?: Record<string, unknown> };
      };
      reject(
        new ApiError(
          xhr.status,
          e.error?.code ?? `http_${xhr.status}`,
          e.error?.message ?? xhr.statusText,
          e.error?.details,
        ),
      );
    };
    xhr.onerror = () => reject(new TypeError("network"));
    xhr.onabort = () => reject(new DOMException("aborted", "AbortError"));
    signal?.addEventListener("abort", () => xhr.abort());
    xhr.send(body);
  });
}

/** Progress reports how many bytes of a file the server has. */
export type Progress = (sent: number) => void;

/**
 * uploadSimple sends a small file in one request (replace: as a new
 * version of the file of that name in the folder).
 */
export function uploadSimple(
  folderId: string,
  f: File,
  onProgress: Progress,
  signal?: AbortSignal,
  replace = false,
) {
  return send<Item>(
    "POST",
    `${paths.upload(folderId, f.name)}${replace ? "&replace=true" : ""}`,
    f,
    { "Content-Type": f.type || "application/octet-stream" },
    onProgress,
    signal,
  );
}

/**
 * uploadResumable sends a large file in chunks. session, when given, is
 * an upload started before (a retry): it asks the server its offset and
 * goes on from there.
 */
export async function uploadResumable(
  folderId: string,
  f: File,
  onProgress: Progress,
  onSession: (id: string) => void,
  session?: string,
  signal?: AbortSignal,
  replace = false,
): Promise<Item> {
  let s: UploadSession;
  if (session) {
    s = await call<UploadSession>("GET", paths.uploadSession(session));
  } else {
    s = await call<UploadSession>("POST", paths.uploads, {
      parent_id: folderId,
      name: f.name,
      size: f.size,
      content_type: f.type || undefined,
      replace: replace || undefined,
    });
    onSession(s.id);
  }
  let offset = s.offset;
  onProgress(offset);
  while (offset < f.size) {
    const end = Math.min(f.size, offset + CHUNK);
    const from = offset;
    const next = await send<UploadSession>(
      "PATCH",
      paths.uploadSession(s.id),
      f.slice(from, end),
      { "Upload-Offset": String(from), "Content-Type": "application/offset+octet-stream" },
      (n) => onProgress(from + n),
      signal,
    );
    offset = next?.offset ?? end;
    onProgress(offset);
  }
  return call<Item>("POST", paths.completeUpload(s.id), {});
}

/**
 * uploadFile picks the way a file goes by its size (replace: a new
 * version of the file of that name).
 */
export function uploadFile(
  folderId: string,
  f: File,
  onProgress: Progress,
  onSession: (id: string) => void,
  session?: string,
  signal?: AbortSignal,
  replace = false,
): Promise<Item> {
  if (f.size >= RESUMABLE_FROM)
    return uploadResumable(folderId, f, onProgress, onSession, session, signal, replace);
  return uploadSimple(folderId, f, onProgress, signal, replace);
}
