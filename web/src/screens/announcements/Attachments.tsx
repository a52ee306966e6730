// Announcement files in the editor (attach, cover, insert an image) and in
// the reader (the cover and the attachment list).
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { errorText } from "../../lib/errors";
import { formatSize } from "../chat/upload";
import { type AnnouncementFile, fileURL, imageMarkdown, uploadAnnouncementFile } from "./files";

/** Upload is one file on its way to the server. */
type Upload = { key: number; name: string; progress: number; error?: unknown };

let nextKey = 0;

/**
 * useUploads uploads files one after another, keeping each one's progress
 * and, when it fails, its error until it is dismissed.
 */
function useUploads() {
  const [list, setList] = useState<Upload[]>([]);
  const patch = (key: number, p: Partial<Upload>) =>
    setList((l) => l.map((u) => (u.key === key ? { ...u, ...p } : u)));
  const run = async (files: File[], done: (f: AnnouncementFile) => void) => {
    for (const file of files) {
      const key = nextKey++;
      setList((l) => [...l, { key, name: file.name, progress: 0 }]);
      try {
        done(await uploadAnnouncementFile(file, (progress) => patch(key, { progress })));
        setList((l) => l.filter((u) => u.key !== key));
      } catch (error) {
        patch(key, { error });
      }
    }
  };
  const dismiss = (key: number) => setList((l) => l.filter((u) => u.key !== key));
  return { list, run, dismiss, busy: list.some((u) => u.error === undefined) };
}

/** UploadRows shows uploads in progress and those that failed. */
function UploadRows({ uploads }: { uploads: ReturnType<typeof useUploads> }) {
  const { t } = useTranslation();
  if (uploads.list.length === 0) return null;
  return (
    <ul className="ann-files">
      {uploads.list.map((u) => (
        <li key={u.key} className="ann-file" data-testid="ann-upload">
          <span className="ann-file-name">{u.name}</span>
          {u.error === undefined ? (
            <progress
              className="progress"
              value={u.progress}
              max={1}
              aria-label={t("announcements.uploading", { name: u.name })}
            />
          ) : (
            <>
              <span className="error-text small" role="alert">
                {errorText(t, u.error)}
              </span>
              <button type="button" className="btn-link small" onClick={() => uploads.dismiss(u.key)}>
                {t("announcements.dismissUpload")}
              </button>
            </>
          )}
        </li>
      ))}
    </ul>
  );
}

/** pick is a file input dressed as a button. */
function Pick({
  label,
  accept,
  multiple,
  disabled,
  onFiles,
}: {
  label: string;
  accept?: string;
  multiple?: boolean;
  disabled?: boolean;
  onFiles: (files: File[]) => void;
}) {
  return (
    <label className={disabled ? "btn btn-small ann-pick is-disabled" : "btn btn-small ann-pick"}>
      <input
        type="file"
        className="sr-only"
        accept={accept}
        multiple={multiple}
        disabled={disabled}
        aria-label={label}
        onChange={(e) => {
          const files = [...(e.target.files ?? [])];
          e.target.value = "";
          if (files.length) onFiles(files);
        }}
      />
      {label}
    </label>
  );
}

/** AttachmentsEditor attaches files to an announcement, in order, and removes them. */
export function AttachmentsEditor({
  files,
  onChange,
}: {
  files: AnnouncementFile[];
  onChange: (update: (files: AnnouncementFile[]) => AnnouncementFile[]) => void;
}) {
  const { t } = useTranslation();
  const uploads = useUploads();
  return (
    <fieldset className="checks ann-attach">
      <legend>{t("announcements.attachments")}</legend>
      {files.length > 0 && (
        <ul className="ann-files">
          {files.map((f) => (
            <li key={f.id} className="ann-file" data-testid="ann-attachment">
              <a href={fileURL(f.id)} className="ann-file-name" download={f.name}>
                {f.name}
              </a>
              <span className="muted small">{formatSize(f.size)}</span>
              <button
                type="button"
                className="btn-link small"
                aria-label={t("announcements.removeFile", { name: f.name })}
                onClick={() => onChange((l) => l.filter((x) => x.id !== f.id))}
              >
                {t("announcements.remove")}
              </button>
            </li>
          ))}
        </ul>
      )}
      <UploadRows uploads={uploads} />
      <div className="row">
        <Pick
          label={t("announcements.attachFiles")}
          multiple
          onFiles={(fs) => void uploads.run(fs, (f) => onChange((l) => [...l, f]))}
        />
        <span className="muted small">{t("announcements.fileLimit")}</span>
      </div>
    </fieldset>
  );
}

/** CoverPicker chooses, shows and removes an announcement's cover image. */
export function CoverPicker({ cover, onChange }: { cover: string; onChange: (id: string) => void }) {
  const { t } = useTranslation();
  const uploads = useUploads();
  return (
    <fieldset className="checks ann-attach">
      <legend>{t("announcements.cover")}</legend>
      {cover && (
        <img className="ann-cover ann-cover-small" src={fileURL(cover)} alt={t("announcements.cover")} />
      )}
      <UploadRows uploads={uploads} />
      <div className="row">
        <Pick
          label={cover ? t("announcements.changeCover") : t("announcements.chooseCover")}
          accept="image/png,image/jpeg,image/gif,image/webp"
          disabled={uploads.busy}
          onFiles={(fs) => void uploads.run(fs.slice(0, 1), (f) => onChange(f.id))}
        />
        {cover && (
          <button type="button" className="btn btn-small" onClick={() => onChange("")}>
            {t("announcements.removeCover")}
          </button>
        )}
      </div>
    </fieldset>
  );
}

/** InsertImage uploads an image and hands back the Markdown that shows it. */
export function InsertImage({ onInsert }: { onInsert: (markdown: string) => void }) {
  const { t } = useTranslation();
  const uploads = useUploads();
  return (
    <>
      <Pick
        label={t("announcements.insertImage")}
        accept="image/png,image/jpeg,image/gif,image/webp"
        disabled={uploads.busy}
        onFiles={(fs) => void uploads.run(fs.slice(0, 1), (f) => onInsert(imageMarkdown(f)))}
      />
      <UploadRows uploads={uploads} />
    </>
  );
}

/** AttachmentList lists an announcement's attachments with download links. */
export function AttachmentList({ files }: { files: AnnouncementFile[] }) {
  const { t } = useTranslation();
  if (files.length === 0) return null;
  return (
    <section className="ann-attachments" aria-labelledby="ann-attachments">
      <h2 id="ann-attachments" className="ann-sub">
        {t("announcements.attachments")}
      </h2>
      <ul className="ann-files">
        {files.map((f) => (
          <li key={f.id} className="ann-file" data-testid="ann-attachment">
            <a href={fileURL(f.id)} className="ann-file-name" download={f.name}>
              {f.name}
            </a>
            <span className="muted small">{formatSize(f.size)}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}
