import { useMemo } from "react";
import { renderSVG } from "uqr";

/** QRCode draws text as a QR code image (a data: URL, allowed by the CSP). */
export function QRCode({ text, label }: { text: string; label: string }) {
  const src = useMemo(
    () => `data:image/svg+xml;charset=utf-8,${encodeURIComponent(renderSVG(text, { border: 2 }))}`,
    [text],
  );
  return <img className="qr" src={src} alt={label} width={200} height={200} />;
}
