// The preview pane: a file's image, PDF or text, its facts and versions. On
// a phone it covers the screen as a sheet.
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { icons } from "../../components/icons";
import { Alert, formatTime } from "../../components/ui";
import { FileViewer, type ViewedFile, viewable } from "../../components/viewer/FileViewer";
import { errorText } from "../../lib/errors";
import { drive, formatBytes, type Item, isText, paths } from "./api";
import { driveKey } from "./data";
import { Thumb, thumbnailed } from "./Thumb";

const TEXT_MAX = 64 << 10;

function TextBody({ url }: { url: string }) {
  const { t } = useTranslation();
  const q = useQuery({
    queryKey: [...driveKey, "text", url],
    queryFn: async () => {
      const res = await fetch(url, {
        credentials: "same-origin",
        headers: { Range: `bytes=0-${TEXT_MAX - 1}` },
      });
      if (!res.ok && res.status !== 206) throw new Error(String(res.status));
      return res.text();
    },
  });
  if (q.error) return <Alert>{errorText(t, q.error)}</Alert>;
  return (
    <pre className="drive-text" data-testid="drive-text">
      {q.data ?? "…"}
    </pre>
  );
}

function Versions({ item }: { item: Item }) {
  const { t, i18n } = useTranslation();
  const qc = useQueryClient();
  const [error, setError] = useState<unknown>(null);
  const q = useQuery({
    queryKey: [...driveKey, "versions", item.id, item.version],
    queryFn: () => drive.versions(item.id),
  });
  const restore = async (v: number) => {
    setError(null);
    try {
      await drive.restoreVersion(item.id, v);
      await qc.invalidateQueries({ queryKey: driveKey });
    } catch (e) {
      setError(e);
    }
  };
  return (
    <section className="drive-versions" aria-label={t("drive.versions")}>
      <h3>{t("drive.versions")}</h3>
      {q.error ? <Alert>{errorText(t, q.error)}</Alert> : null}
      <ul className="list">
        {(q.data?.items ?? []).map((v) => (
          <li key={v.version} className="row-between" data-testid="drive-version">
            <span>
              {t("drive.versionN", { n: v.version })}
              <span className="muted small">
                {" "}
                · {formatBytes(v.size)} · {formatTime(v.created_at, i18n.language)}
                {v.current ? ` · ${t("drive.current")}` : ""}
              </span>
            </span>
            <span className="drive-version-actions">
              <a className="btn btn-small" href={paths.content(item.id, v.version)} download={item.name}>
                {t("drive.download")}
              </a>
              {!v.current && item.my_role !== "viewer" && (
                <button type="button" className="btn btn-small" onClick={() => void restore(v.version)}>
                  {t("drive.restore")}
                </button>
              )}
            </span>
          </li>
        ))}
      </ul>
      {error ? <Alert>{errorText(t, error)}</Alert> : null}
    </section>
  );
}

/** Preview shows one item beside the list (a sheet over it on a phone). */
export function Preview({ item, onClose }: { item: Item; onClose: () => void }) {
  const { t, i18n } = useTranslation();
  const [viewing, setViewing] = useState<ViewedFile | null>(null);
  const url = paths.content(item.id);
  const kind = item.kind === "file" ? viewable(item.content_type) : null;
  return (
    <aside className="drive-preview" aria-label={t("drive.preview")} data-testid="drive-preview">
      <div className="drive-preview-head">
        <h2 title={item.name}>{item.name}</h2>
        <button type="button" className="icon-button" aria-label={t("common.close")} onClick={onClose}>
          {icons.close}
        </button>
      </div>
      {item.kind === "file" && (
        <div className="drive-preview-body">
          {kind && (
            <button
              type="button"
              className="drive-preview-image"
              aria-label={t("viewer.preview")}
              onClick={() => setViewing({ url, name: item.name, contentType: item.content_type ?? "" })}
            >
              {thumbnailed(item.content_type) ? (
                <Thumb
                  item={item}
                  size={1024}
                  alt={item.name}
                  className="drive-preview-thumb"
                  fallback={
                    kind === "image" ? (
                      <img src={url} alt={item.name} />
                    ) : (
                      <span className="drive-icon" aria-hidden="true">
                        📄
                      </span>
                    )
                  }
                />
              ) : (
                <img src={url} alt={item.name} />
              )}
            </button>
          )}
          {kind === "pdf" && (
            <div className="drive-preview-actions">
              <button
                type="button"
                className="btn"
                onClick={() => setViewing({ url, name: item.name, contentType: item.content_type ?? "" })}
              >
                {t("viewer.preview")}
              </button>
              <a
                className="btn"
                href={paths.inline(item.id)}
                target="_blank"
                rel="noreferrer"
                data-testid="drive-open-pdf"
              >
                {t("drive.openInBrowser")}
              </a>
            </div>
          )}
          {!kind && isText(item.content_type, item.name) && <TextBody url={url} />}
          {!kind && !isText(item.content_type, item.name) && <p className="muted">{t("drive.noPreview")}</p>}
        </div>
      )}
      <dl className="drive-meta">
        <dt>{t("drive.kind")}</dt>
        <dd>{item.kind === "folder" ? t("drive.folder") : item.content_type || t("drive.file")}</dd>
        {item.kind === "file" && (
          <>
            <dt>{t("drive.size")}</dt>
            <dd>{formatBytes(item.size)}</dd>
          </>
        )}
        <dt>{t("drive.modified")}</dt>
        <dd>{formatTime(item.updated_at, i18n.language)}</dd>
        <dt>{t("drive.created")}</dt>
        <dd>{formatTime(item.created_at, i18n.language)}</dd>
        <dt>{t("drive.myRole")}</dt>
        <dd>{t(`enums.drive_role.${item.my_role}`)}</dd>
      </dl>
      {item.kind === "file" && (
        <a className="btn btn-block" href={url} download={item.name}>
          {t("drive.download")}
        </a>
      )}
      {item.kind === "file" && <Versions item={item} />}
      <FileViewer file={viewing} onClose={() => setViewing(null)} />
    </aside>
  );
}
