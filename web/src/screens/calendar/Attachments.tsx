import { useId, useState } from "react";
import { useTranslation } from "react-i18next";
import { Alert } from "../../components/ui";
import { FileViewer, type ViewedFile, viewable } from "../../components/viewer/FileViewer";
import { errorText } from "../../lib/errors";
import { formatSize } from "../chat/upload";
import { type EventFile, fileURL, MAX_FILES, uploadEventFile } from "./files";

/** Attachments edits an event's files: upload more, remove one; an image or a PDF opens in the viewer. */
export function Attachments({
  files,
  onChange,
}: {
  files: EventFile[];
  onChange: (files: EventFile[]) => void;
}) {
  const { t } = useTranslation();
  const id = useId();
  const [busy, setBusy] = useState(0);
  const [error, setError] = useState<unknown>(null);
  const add = async (list: FileList | null) => {
    if (!list?.length) return;
    setError(null);
    let out = files;
    for (const f of Array.from(list).slice(0, Math.max(0, MAX_FILES - files.length))) {
      setBusy((n) => n + 1);
      try {
        const up = await uploadEventFile(f);
        out = [...out, up];
        onChange(out);
      } catch (e) {
        setError(e);
      } finally {
        setBusy((n) => n - 1);
      }
    }
  };
  return (
    <fieldset className="checks cal-files">
      <legend className="field-label">{t("calendar.editor.attachments")}</legend>
      <FileList files={files} onRemove={(f) => onChange(files.filter((x) => x.id !== f.id))} />
      {files.length < MAX_FILES && (
        <label className="btn btn-small" htmlFor={id}>
          {busy ? t("calendar.editor.uploading") : t("calendar.editor.attach")}
          <input
            id={id}
            type="file"
            multiple
            className="sr-only"
            aria-label={t("calendar.editor.attach")}
            onChange={(e) => {
              void add(e.target.files);
              e.target.value = "";
            }}
          />
        </label>
      )}
      {error ? <Alert>{errorText(t, error)}</Alert> : null}
    </fieldset>
  );
}

/** FileList lists an event's files: a viewable one opens in the viewer, any downloads. */
export function FileList({ files, onRemove }: { files: EventFile[]; onRemove?: (f: EventFile) => void }) {
  const { t } = useTranslation();
  const [viewing, setViewing] = useState<ViewedFile | null>(null);
  if (files.length === 0) return null;
  return (
    <>
      <ul className="file-list" data-testid="event-files">
        {files.map((f) => {
          const url = fileURL(f.id);
          return (
            <li key={f.id} className="file-item row row-between">
              <span className="file-item-name">
                {viewable(f.content_type) ? (
                  <button
                    type="button"
                    className="btn-link"
                    onClick={() => setViewing({ url, name: f.name, contentType: f.content_type })}
                  >
                    {f.name}
                  </button>
                ) : (
                  <a href={url} download={f.name}>
                    {f.name}
                  </a>
                )}
                <span className="muted small"> · {formatSize(f.size)}</span>
              </span>
              {onRemove && (
                <button
                  type="button"
                  className="btn-link small"
                  aria-label={t("calendar.editor.removeFile", { name: f.name })}
                  onClick={() => onRemove(f)}
                >
                  {t("calendar.editor.remove")}
                </button>
              )}
            </li>
          );
        })}
      </ul>
      {viewing && <FileViewer file={viewing} onClose={() => setViewing(null)} />}
    </>
  );
}
