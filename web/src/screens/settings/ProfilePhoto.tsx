import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type KeyboardEvent, type PointerEvent, useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { ApiError, csrfToken } from "../../api/client";
import { Alert, Avatar } from "../../components/ui";
import { errorText } from "../../lib/errors";
import { usePerson } from "../../lib/people";
import type { Account } from "../../lib/session";

/** A square in the picture's own pixels (as the browser shows it, EXIF orientation applied). */
export type Crop = { x: number; y: number; size: number };

/** MAX_PHOTO_BYTES is the server's limit on an upload. */
const MAX_PHOTO_BYTES = 10 << 20;

/** clampCrop keeps a square inside a w×h picture and at least 16 pixels (or the picture) wide. */
export function clampCrop(c: Crop, w: number, h: number): Crop {
  const size = Math.round(Math.max(Math.min(16, w, h), Math.min(c.size, w, h)));
  return {
    size,
    x: Math.round(Math.min(Math.max(0, c.x), w - size)),
    y: Math.round(Math.min(Math.max(0, c.y), h - size)),
  };
}

/** centerCrop is the largest square in the middle of a w×h picture. */
export function centerCrop(w: number, h: number): Crop {
  const size = Math.min(w, h);
  return { x: Math.floor((w - size) / 2), y: Math.floor((h - size) / 2), size };
}

async function putPhoto(file: File, c: Crop): Promise<void> {
  const q = `x=${c.x}&y=${c.y}&size=${c.size}`;
  const r = await fetch(`/api/v1/me/photo?${q}`, {
    method: "PUT",
    credentials: "same-origin",
    headers: { "Content-Type": file.type || "application/octet-stream", "X-CSRF-Token": csrfToken() },
    body: file,
  });
  if (!r.ok) {
    const data = await r.json().catch(() => ({}));
    const e = (data.error ?? {}) as { code?: string; message?: string };
    throw new ApiError(r.status, e.code ?? `http_${r.status}`, e.message ?? r.statusText);
  }
}

async function deletePhoto(): Promise<void> {
  const r = await fetch("/api/v1/me/photo", {
    method: "DELETE",
    credentials: "same-origin",
    headers: { "X-CSRF-Token": csrfToken() },
  });
  if (!r.ok) throw new ApiError(r.status, `http_${r.status}`, r.statusText);
}

/** ProfilePhoto sets, crops and removes the person's profile photo. */
export function ProfilePhoto({ me }: { me: Account }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const person = usePerson(me.id);
  const input = useRef<HTMLInputElement>(null);
  const [file, setFile] = useState<File | null>(null);
  const [error, setError] = useState("");
  const refresh = () => {
    void qc.invalidateQueries({ queryKey: ["person", me.id] });
    void qc.invalidateQueries({ queryKey: ["members"] });
  };
  const remove = useMutation({ mutationFn: deletePhoto, onSuccess: refresh });
  const pick = (f: File | undefined) => {
    setError("");
    if (!f) return;
    if (f.size > MAX_PHOTO_BYTES) {
      setError(t("errors.photo_too_large"));
      return;
    }
    setFile(f);
  };
  return (
    <section className="card" aria-labelledby="photo-title">
      <h2 id="photo-title">{t("settings.photo.title")}</h2>
      {file ? (
        <CropEditor
          file={file}
          onDone={() => {
            setFile(null);
            refresh();
          }}
          onCancel={() => setFile(null)}
        />
      ) : (
        <div className="row photo-row">
          <span className="avatar-large">
            <Avatar name={me.name} id={me.id} />
          </span>
          <div className="row photo-actions">
            <button type="button" className="btn btn-primary" onClick={() => input.current?.click()}>
              {person?.photo ? t("settings.photo.change") : t("settings.photo.upload")}
            </button>
            {person?.photo && (
              <button
                type="button"
                className="btn"
                disabled={remove.isPending}
                onClick={() => remove.mutate()}
              >
                {t("settings.photo.remove")}
              </button>
            )}
          </div>
        </div>
      )}
      <input
        ref={input}
        type="file"
        accept="image/jpeg,image/png,image/webp,image/gif"
        hidden
        data-testid="photo-input"
        aria-label={t("settings.photo.upload")}
        onChange={(e) => {
          pick(e.target.files?.[0]);
          e.target.value = "";
        }}
      />
      <p className="muted small">{t("settings.photo.hint")}</p>
      {error && <Alert>{error}</Alert>}
      {remove.error && <Alert>{errorText(t, remove.error)}</Alert>}
    </section>
  );
}

/**
 * CropEditor shows the chosen picture with a square over it: drag the square
 * (mouse, touch or pen), zoom with the slider, or move it with the arrow keys
 * (+ and − zoom); the preview shows what will be kept.
 */
function CropEditor({ file, onDone, onCancel }: { file: File; onDone: () => void; onCancel: () => void }) {
  const { t } = useTranslation();
  const [url, setURL] = useState("");
  const [dims, setDims] = useState<{ w: number; h: number } | null>(null);
  const [crop, setCrop] = useState<Crop>({ x: 0, y: 0, size: 0 });
  const [shown, setShown] = useState(0); // displayed width of the picture, in CSS pixels
  const img = useRef<HTMLImageElement>(null);
  const preview = useRef<HTMLCanvasElement>(null);
  const drag = useRef<{ px: number; py: number; x: number; y: number } | null>(null);
  const [broken, setBroken] = useState(false);
  const save = useMutation({ mutationFn: () => putPhoto(file, crop), onSuccess: onDone });

  useEffect(() => {
    const u = URL.createObjectURL(file);
    setURL(u);
    return () => URL.revokeObjectURL(u);
  }, [file]);

  // Keep the displayed width known (the picture scales with the screen).
  useEffect(() => {
    const el = img.current;
    if (!el || !dims) return;
    const measure = () => setShown(el.clientWidth);
    measure();
    const ro = new ResizeObserver(measure);
    ro.observe(el);
    return () => ro.disconnect();
  }, [dims]);

  // Draw the preview of the square.
  useEffect(() => {
    const c = preview.current;
    const el = img.current;
    if (!c || !el || !dims || crop.size <= 0) return;
    const ctx = c.getContext("2d");
    if (!ctx) return;
    ctx.clearRect(0, 0, c.width, c.height);
    ctx.drawImage(el, crop.x, crop.y, crop.size, crop.size, 0, 0, c.width, c.height);
  }, [crop, dims]);

  const scale = dims && shown ? shown / dims.w : 0;
  const set = (c: Crop) => dims && setCrop(clampCrop(c, dims.w, dims.h));
  const zoomTo = (size: number) => {
    const cx = crop.x + crop.size / 2;
    const cy = crop.y + crop.size / 2;
    set({ x: cx - size / 2, y: cy - size / 2, size });
  };
  const onPointerDown = (e: PointerEvent<HTMLButtonElement>) => {
    e.preventDefault();
    e.currentTarget.setPointerCapture(e.pointerId);
    drag.current = { px: e.clientX, py: e.clientY, x: crop.x, y: crop.y };
  };
  const onPointerMove = (e: PointerEvent<HTMLButtonElement>) => {
    const d = drag.current;
    if (!d || !scale) return;
    set({ x: d.x + (e.clientX - d.px) / scale, y: d.y + (e.clientY - d.py) / scale, size: crop.size });
  };
  const onPointerUp = () => {
    drag.current = null;
  };
  const onKeyDown = (e: KeyboardEvent<HTMLButtonElement>) => {
    if (!dims) return;
    const step = Math.max(1, Math.round(Math.min(dims.w, dims.h) / (e.shiftKey ? 10 : 50)));
    const moves: Record<string, [number, number]> = {
      ArrowLeft: [-step, 0],
      ArrowRight: [step, 0],
      ArrowUp: [0, -step],
      ArrowDown: [0, step],
    };
    if (moves[e.key]) {
      e.preventDefault();
      set({ x: crop.x + moves[e.key][0], y: crop.y + moves[e.key][1], size: crop.size });
    } else if (e.key === "+" || e.key === "=") {
      e.preventDefault();
      zoomTo(crop.size - step);
    } else if (e.key === "-") {
      e.preventDefault();
      zoomTo(crop.size + step);
    }
  };
  const min = dims ? Math.min(16, dims.w, dims.h) : 1;
  const max = dims ? Math.min(dims.w, dims.h) : 1;
  return (
    <div className="photo-editor">
      {broken && <Alert>{t("errors.invalid_image")}</Alert>}
      <div className="photo-stage">
        {url && (
          <img
            ref={img}
            src={url}
            alt={t("settings.photo.chosen")}
            draggable={false}
            onLoad={(e) => {
              const el = e.currentTarget;
              setDims({ w: el.naturalWidth, h: el.naturalHeight });
              setCrop(centerCrop(el.naturalWidth, el.naturalHeight));
            }}
            onError={() => setBroken(true)}
          />
        )}
        {dims && scale > 0 && (
          <button
            type="button"
            className="photo-crop"
            aria-label={t("settings.photo.cropArea")}
            aria-describedby="photo-crop-help"
            data-testid="photo-crop"
            style={{
              left: crop.x * scale,
              top: crop.y * scale,
              width: crop.size * scale,
              height: crop.size * scale,
            }}
            onPointerDown={onPointerDown}
            onPointerMove={onPointerMove}
            onPointerUp={onPointerUp}
            onPointerCancel={onPointerUp}
            onKeyDown={onKeyDown}
          />
        )}
      </div>
      <p id="photo-crop-help" className="muted small">
        {t("settings.photo.cropHelp")}
      </p>
      {dims && (
        <div className="photo-tools">
          <label className="photo-zoom">
            <span>{t("settings.photo.zoom")}</span>
            <input
              type="range"
              min={min}
              max={max}
              // Zooming in makes the square smaller.
              value={max + min - crop.size}
              onChange={(e) => zoomTo(max + min - Number(e.target.value))}
            />
          </label>
          <figure className="photo-preview">
            <canvas
              ref={preview}
              width={96}
              height={96}
              role="img"
              aria-label={t("settings.photo.preview")}
            />
            <figcaption className="muted small">{t("settings.photo.preview")}</figcaption>
          </figure>
        </div>
      )}
      <div className="row photo-actions">
        <button
          type="button"
          className="btn btn-primary"
          disabled={!dims || broken || save.isPending}
          onClick={() => save.mutate()}
        >
          {save.isPending ? t("settings.photo.saving") : t("settings.photo.save")}
        </button>
        <button type="button" className="btn" onClick={onCancel}>
          {t("common.cancel")}
        </button>
      </div>
      {save.error && <Alert>{errorText(t, save.error)}</Alert>}
    </div>
  );
}
