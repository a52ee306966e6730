import type { PDFDocumentProxy } from "pdfjs-dist";
import { useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";

/** PAGE_STEP is how many pages are drawn at first and at each "more". */
export const PAGE_STEP = 10;

/** PdfView draws a PDF's pages with PDF.js, fetched from url with the session. */
export default function PdfView({ url }: { url: string }) {
  const { t } = useTranslation();
  const [doc, setDoc] = useState<PDFDocumentProxy | null>(null);
  const [failed, setFailed] = useState(false);
  const [shown, setShown] = useState(PAGE_STEP);
  useEffect(() => {
    let stop = false;
    let loaded: PDFDocumentProxy | null = null;
    (async () => {
      try {
        const [pdfjs, worker] = await Promise.all([
          import("pdfjs-dist"),
          import("pdfjs-dist/build/pdf.worker.min.mjs?url"),
        ]);
        pdfjs.GlobalWorkerOptions.workerSrc = worker.default;
        const res = await fetch(url, { credentials: "same-origin" });
        if (!res.ok) throw new Error(String(res.status));
        const data = new Uint8Array(await res.arrayBuffer());
        // No script of the document runs, and no font is fetched.
        loaded = await pdfjs.getDocument({
          data,
          isEvalSupported: false,
          enableXfa: false,
          disableFontFace: false,
        }).promise;
        if (stop) {
          void loaded.destroy();
          return;
        }
        setDoc(loaded);
      } catch {
        if (!stop) setFailed(true);
      }
    })();
    return () => {
      stop = true;
      if (loaded) void loaded.destroy();
    };
  }, [url]);
  if (failed) return <p className="muted">{t("viewer.pdfFailed")}</p>;
  if (!doc) return <p className="muted">{t("viewer.loading")}</p>;
  const pages = Array.from({ length: Math.min(doc.numPages, shown) }, (_, i) => i + 1);
  return (
    <section className="pdf-pages" aria-label={t("viewer.pages", { count: doc.numPages })}>
      {pages.map((n) => (
        <PdfPage key={n} doc={doc} n={n} />
      ))}
      {doc.numPages > shown && (
        <button type="button" className="btn" onClick={() => setShown((s) => s + PAGE_STEP)}>
          {t("viewer.morePages", { count: doc.numPages - shown })}
        </button>
      )}
    </section>
  );
}

function PdfPage({ doc, n }: { doc: PDFDocumentProxy; n: number }) {
  const { t } = useTranslation();
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    let cancelled = false;
    let task: { cancel: () => void } | null = null;
    (async () => {
      const page = await doc.getPage(n);
      const canvas = ref.current;
      if (cancelled || !canvas) return;
      const width = Math.min(canvas.parentElement?.clientWidth || 800, 1000);
      const base = page.getViewport({ scale: 1 });
      const ratio = window.devicePixelRatio || 1;
      const viewport = page.getViewport({ scale: (width / base.width) * ratio });
      canvas.width = viewport.width;
      canvas.height = viewport.height;
      canvas.style.width = `${viewport.width / ratio}px`;
      const r = page.render({ canvas, viewport });
      task = r;
      await r.promise.catch(() => {});
    })();
    return () => {
      cancelled = true;
      task?.cancel();
    };
  }, [doc, n]);
  return <canvas ref={ref} className="pdf-page" aria-label={t("viewer.page", { n })} data-page={n} />;
}
