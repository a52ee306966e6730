// Report files in the form (an attachment field's upload control) and in
// the reader (the files with download links). The look is the
// announcements' file list.
import { useEffect, useId, useState } from "react";
import { useTranslation } from "react-i18next";
import { errorText } from "../../lib/errors";
import { formatSize } from "../chat/upload";
import { fileURL, MAX_FILES, type ReportFile, uploadReportFile } from "./files";

/** Upload is one file on its way to the server. */
type Upload = { key: number; name: string; progress: number; error?: unknown };

let nextKey = 0;

/**
 * FilesInput is an attachment field: its files, in order, each removable,
 * uploads in progress with their progress, failed ones with their error
 * until dismissed, and the button that picks more.
 */
export function FilesInput({
  label,
  files,
  error,
  onChange,
  onBusy,
}: {
  label: string;
  files: ReportFile[];
  error?: string;
  onChange: (update: (files: ReportFile[]) => ReportFile[]) => void;
  /** onBusy says whether uploads are under way (the form waits for them). */
  onBusy: (busy: boolean) => void;
}) {
  const { t } = useTranslation();
  const id = useId();
  const [uploads, setUploads] = useState<Upload[]>([]);
  const patch = (key: number, p: Partial<Upload>) =>
    setUploads((l) => l.map((u) => (u.key === key ? { ...u, ...p } : u)));
  const run = async (picked: File[]) => {
    for (const file of picked) {
      const key = nextKey++;
      setUploads((l) => [...l, { key, name: file.name, progress: 0 }]);
      try {
        const f = await uploadReportFile(file, (progress) => patch(key, { progress }));
        onChange((l) => [...l, f]);
        setUploads((l) => l.filter((u) => u.key !== key));
      } catch (e) {
        patch(key, { error: e });
      }
    }
  };
  const busy = uploads.some((u) => u.error === undefined);
  // biome-ignore lint/correctness/useExhaustiveDependencies: only when busy changes
  useEffect(() => onBusy(busy), [busy]);
  const full = files.length + uploads.filter((u) => u.error === undefined).length >= MAX_FILES;
  return (
    <fieldset
      className="field checks"
      aria-describedby={error ? `${id}-err` : undefined}
      data-testid="report-files-input"
    >
      <legend className="field-label">{label}</legend>
      {files.length > 0 && (
        <ul className="ann-files">
          {files.map((f) => (
            <li key={f.id} className="ann-file" data-testid="report-file">
              <a href={fileURL(f.id)} className="ann-file-name" download={f.name}>
                {f.name}
              </a>
              {f.size > 0 && <span className="muted small">{formatSize(f.size)}</span>}
              <button
                type="button"
                className="btn-link small"
                aria-label={t("reports.removeFile", { name: f.name })}
                onClick={() => onChange((l) => l.filter((x) => x.id !== f.id))}
              >
                {t("reports.remove")}
              </button>
            </li>
          ))}
        </ul>
      )}
      {uploads.length > 0 && (
        <ul className="ann-files">
          {uploads.map((u) => (
            <li key={u.key} className="ann-file" data-testid="report-upload">
              <span className="ann-file-name">{u.name}</span>
              {u.error === undefined ? (
                <progress
                  className="progress"
                  value={u.progress}
                  max={1}
                  aria-label={t("reports.uploading", { name: u.name })}
                />
              ) : (
                <>
                  <span className="error-text small" role="alert">
                    {errorText(t, u.error)}
                  </span>
                  <button
                    type="button"
                    className="btn-link small"
                    onClick={() => setUploads((l) => l.filter((x) => x.key !== u.key))}
                  >
                    {t("reports.dismissUpload")}
                  </button>
                </>
              )}
            </li>
          ))}
        </ul>
      )}
      <div className="row">
        <label className={full ? "btn btn-small ann-pick is-disabled" : "btn btn-small ann-pick"}>
          <input
            type="file"
            className="sr-only"
            multiple
            disabled={full}
            aria-label={t("reports.attachFiles", { field: label })}
            onChange={(e) => {
              const picked = [...(e.target.files ?? [])];
              e.target.value = "";
              if (picked.length) void run(picked);
            }}
          />
          {t("reports.attach")}
        </label>
        <span className="muted small">{t("reports.fileLimit")}</span>
      </div>
      {error && (
        <span id={`${id}-err`} className="error-text small">
          {error}
        </span>
      )}
    </fieldset>
  );
}

/** FileList lists an attachment field's files with download links. */
export function FileList({ files }: { files: ReportFile[] }) {
  return (
    <ul className="ann-files">
      {files.map((f) => (
        <li key={f.id} className="ann-file" data-testid="report-file">
          <a href={fileURL(f.id)} className="ann-file-name" download={f.name}>
            {f.name}
          </a>
          {f.size > 0 && <span className="muted small">{formatSize(f.size)}</span>}
        </li>
      ))}
    </ul>
  );
}
