// Thumbnails of drive pictures and PDFs. The server makes them in the
// background after an upload (internal/drive/thumb.go), so a file just
// uploaded may have none yet: the icon stays while the picture is asked
// for again a few times, and for good when the file has none.
import { useEffect, useState } from "react";
import type { Item } from "./api";
import { paths } from "./api";

const THUMBNAILED = ["image/jpeg", "image/png", "image/gif", "image/webp", "application/pdf"];

/** thumbnailed says whether the server makes thumbnails of this type. */
export function thumbnailed(contentType: string | undefined): boolean {
  const ct = (contentType ?? "").split(";")[0].trim().toLowerCase();
  return THUMBNAILED.includes(ct);
}

/** The tries after the first (a thumbnail is made within seconds). */
const RETRIES = 4;

/**
 * Thumb shows a file's thumbnail (size 256 or 1024), loaded lazily, with
 * the fallback until it has loaded and instead of it when there is none.
 */
export function Thumb({
  item,
  size,
  alt,
  fallback,
  className,
  url,
}: {
  item: Pick<Item, "id" | "version" | "content_type">;
  size: 256 | 1024;
  alt: string;
  fallback: React.ReactNode;
  className?: string;
  /** url overrides where the thumbnail is (a public link's; it has a query). */
  url?: string;
}) {
  const [attempt, setAttempt] = useState(0);
  const [state, setState] = useState<"loading" | "loaded" | "none">("loading");
  // A new version is a new picture.
  // biome-ignore lint/correctness/useExhaustiveDependencies: reset when the file changes
  useEffect(() => {
    setAttempt(0);
    setState("loading");
  }, [item.id, item.version]);
  useEffect(() => {
    if (state !== "none" || attempt >= RETRIES) return;
    const timer = setTimeout(
      () => {
        setAttempt((a) => a + 1);
        setState("loading");
      },
      1500 * (attempt + 1),
    );
    return () => clearTimeout(timer);
  }, [state, attempt]);
  if (!thumbnailed(item.content_type)) return <>{fallback}</>;
  // v changes the address with the file's version (and each new try).
  const src = `${url ?? paths.thumbnail(item.id, size)}&v=${item.version ?? 0}${attempt ? `.${attempt}` : ""}`;
  return (
    <span className={`drive-thumb-box${className ? ` ${className}` : ""}`} data-thumb-state={state}>
      {state !== "loaded" && fallback}
      {(state !== "none" || attempt < RETRIES) && (
        <img
          key={attempt}
          className={state === "loaded" ? "drive-thumb" : "drive-thumb drive-thumb-pending"}
          src={src}
          alt={alt}
          loading="lazy"
          decoding="async"
          data-testid="drive-thumb"
          onLoad={() => setState("loaded")}
          onError={() => setState("none")}
        />
      )}
    </span>
  );
}
