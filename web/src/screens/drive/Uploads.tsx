// The upload queue: each file's progress, and a retry that resumes a large
// file where the server stopped receiving it (also when the network comes
// back).
import { useCallback, useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { errorCode } from "../../api/client";
import { errorText } from "../../lib/errors";
import { formatBytes } from "./api";
import { Folders, type Picked, uploadFile } from "./upload";

type Task = {
  key: number;
  file: File;
  dirs: string[];
  folders: Folders;
  sent: number;
  status: "queued" | "running" | "done" | "error";
  error?: unknown;
  session?: string;
  /** replace: the file goes in as a new version of the one of its name. */
  replace?: boolean;
  done: () => void;
};

const PARALLEL = 2;

export type UploadState = ReturnType<typeof useUploads>;

/** useUploads keeps the queue and runs it, two files at a time. */
export function useUploads() {
  const [tasks, setTasks] = useState<Task[]>([]);
  const ref = useRef<Task[]>([]);
  const seq = useRef(0);
  const update = useCallback((key: number, p: Partial<Task>) => {
    ref.current = ref.current.map((x) => (x.key === key ? { ...x, ...p } : x));
    setTasks(ref.current);
  }, []);
  const pump = useCallback(() => {
    const running = ref.current.filter((x) => x.status === "running").length;
    const next = ref.current.filter((x) => x.status === "queued").slice(0, PARALLEL - running);
    for (const task of next) {
      update(task.key, { status: "running", error: undefined });
      void (async () => {
        try {
          const folderId = await task.folders.ensure(task.dirs);
          await uploadFile(
            folderId,
            task.file,
            (sent) => update(task.key, { sent }),
            (session) => update(task.key, { session }),
            ref.current.find((x) => x.key === task.key)?.session,
            undefined,
            ref.current.find((x) => x.key === task.key)?.replace,
          );
          update(task.key, { status: "done", sent: task.file.size });
          task.done();
        } catch (e) {
          update(task.key, { status: "error", error: e });
        }
        pump();
      })();
    }
  }, [update]);
  const add = useCallback(
    (folder: string, files: Picked[], emptyDirs: string[][], done: () => void) => {
      const folders = new Folders(folder);
      for (const d of emptyDirs) void folders.ensure(d).then(done, () => undefined);
      const fresh = files.map(
        (p): Task => ({
          key: ++seq.current,
          file: p.file,
          dirs: p.dirs,
          folders,
          sent: 0,
          status: "queued",
          done,
        }),
      );
      ref.current = [...ref.current.filter((x) => x.status !== "done"), ...fresh];
      setTasks(ref.current);
      pump();
    },
    [pump],
  );
  const retry = useCallback(
    (key?: number) => {
      ref.current = ref.current.map((x) =>
        x.status === "error" && (key === undefined || x.key === key) ? { ...x, status: "queued" } : x,
      );
      setTasks(ref.current);
      pump();
    },
    [pump],
  );
  // A file of that name is there already: send this one as its new version
  // (a new upload: one begun as a new file cannot become a version).
  const replace = useCallback(
    (key: number) => {
      ref.current = ref.current.map((x) =>
        x.key === key && x.status === "error"
          ? { ...x, status: "queued", replace: true, session: undefined }
          : x,
      );
      setTasks(ref.current);
      pump();
    },
    [pump],
  );
  const clear = useCallback(() => {
    ref.current = ref.current.filter((x) => x.status === "running" || x.status === "queued");
    setTasks(ref.current);
  }, []);
  // The network is back: uploads cut by it go on.
  useEffect(() => {
    const on = () => retry();
    window.addEventListener("online", on);
    return () => window.removeEventListener("online", on);
  }, [retry]);
  return { tasks, add, retry, replace, clear };
}

/** Uploads shows the queue under the list. */
export function Uploads({ state }: { state: UploadState }) {
  const { t } = useTranslation();
  if (state.tasks.length === 0) return null;
  const left = state.tasks.filter((x) => x.status !== "done").length;
  return (
    <section className="drive-uploads" aria-label={t("drive.uploads")} data-testid="drive-uploads">
      <div className="row-between">
        <strong className="small">
          {left ? t("drive.uploading", { count: left }) : t("drive.uploaded")}
        </strong>
        {!left && (
          <button type="button" className="btn btn-small" onClick={state.clear}>
            {t("common.close")}
          </button>
        )}
      </div>
      <ul>
        {state.tasks.map((x) => (
          <li key={x.key} className="drive-upload" data-status={x.status}>
            <span className="drive-upload-name" title={[...x.dirs, x.file.name].join("/")}>
              {[...x.dirs, x.file.name].join("/")}
            </span>
            <progress
              max={Math.max(1, x.file.size)}
              value={x.status === "done" ? Math.max(1, x.file.size) : x.sent}
              aria-label={x.file.name}
            />
            <span className="muted small">
              {x.status === "done"
                ? t("drive.uploadDone")
                : `${formatBytes(x.sent)} / ${formatBytes(x.file.size)}`}
            </span>
            {x.status === "error" && (
              <>
                <span className="error-text small">{errorText(t, x.error)}</span>
                {errorCode(x.error) === "name_taken" && !x.replace ? (
                  <button type="button" className="btn btn-small" onClick={() => state.replace(x.key)}>
                    {t("drive.replace")}
                  </button>
                ) : (
                  <button type="button" className="btn btn-small" onClick={() => state.retry(x.key)}>
                    {x.session ? t("drive.resume") : t("drive.retry")}
                  </button>
                )}
              </>
            )}
          </li>
        ))}
      </ul>
    </section>
  );
}
