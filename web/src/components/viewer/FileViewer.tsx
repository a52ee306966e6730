import { lazy, Suspense, useEffect, useId, useRef } from "react";
import { useTranslation } from "react-i18next";
import { icons } from "../icons";

// The PDF renderer (PDF.js) loads only when a PDF is opened: it stays out
// of the chat screen's bundle.
const PdfView = lazy(() => import("./PdfView"));

/** ViewedFile is a file to show: where its bytes are, its name and type. */
export type ViewedFile = { url: string; name: string; contentType: string };

/** viewable says whether the in-app viewer shows a file of this type (images other than SVG, PDF). */
export function viewable(contentType: string | undefined): "image" | "pdf" | null {
  const ct = (contentType ?? "").split(";")[0].trim().toLowerCase();
  if (ct.startsWith("image/") && ct !== "image/svg+xml") return "image";
  if (ct === "application/pdf") return "pdf";
  return null;
}

/**
 * FileViewer shows an image or a PDF over the screen: Escape or the close
 * button closes it, the download link keeps the file. Images fit the
 * screen and open at full size on click; PDFs are drawn page by page
 * (no script in the document runs).
 */
export function FileViewer({ file, onClose }: { file: ViewedFile | null; onClose: () => void }) {
  const { t } = useTranslation();
  const ref = useRef<HTMLDialogElement>(null);
  const id = useId();
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (file && !d.open) d.showModal?.();
    if (!file && d.open) d.close?.();
  }, [file]);
  const kind = viewable(file?.contentType);
  return (
    <dialog
      ref={ref}
      className="dialog viewer"
      aria-labelledby={id}
      onClose={(e) => e.target === e.currentTarget && onClose()}
      onCancel={(e) => e.target === e.currentTarget && onClose()}
    >
      {file && (
        <div className="viewer-body">
          <div className="viewer-head">
            <h2 id={id} className="viewer-title" title={file.name}>
              {file.name}
            </h2>
            <a className="btn" href={file.url} download={file.name}>
              {t("viewer.download")}
            </a>
            <button type="button" className="icon-button" aria-label={t("common.close")} onClick={onClose}>
              {icons.close}
            </button>
          </div>
          <div className="viewer-content">
            {kind === "image" ? (
              <a href={file.url} target="_blank" rel="noreferrer">
                <img src={file.url} alt={file.name} className="viewer-image" />
              </a>
            ) : kind === "pdf" ? (
              <Suspense fallback={<p className="muted">{t("viewer.loading")}</p>}>
                <PdfView url={file.url} />
              </Suspense>
            ) : (
              <p className="muted">{t("viewer.noPreview")}</p>
            )}
          </div>
        </div>
      )}
    </dialog>
  );
}
