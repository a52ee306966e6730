// In-app notices of a drive handover: when someone leaves, the files they
// made in the organization's spaces pass to their successor (the server's
// "drive.handover" event on the successor's stream, internal/drive/
// handover.go, with the leaver's account and the counts). Each pops up
// with who left and what passed, "Open drive" and "Dismiss"; the drive's
// lists are fetched again. A device not connected gets the push instead.
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useNavigate } from "@tanstack/react-router";
import { useCallback, useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { personQuery } from "../../lib/people";
import type { Stream, StreamFrame } from "../../lib/stream";
import { driveKey } from "./data";

/** Handed is one handover shown: who left, how many spaces and items passed. */
export type Handed = { key: string; from: string; spaces: number; items: number };

/** handoverOf reads a stream frame: the handover it tells of, if any. */
export function handoverOf(f: StreamFrame): Handed | null {
  if (f.type !== "event" || f.event !== "drive.handover") return null;
  const from = typeof f.data.from === "string" ? f.data.from : "";
  const num = (v: unknown) => {
    const n = typeof v === "string" || typeof v === "number" ? Number(v) : Number.NaN;
    return Number.isFinite(n) && n >= 0 ? n : 0;
  };
  const spaces = num(f.data.spaces);
  const items = num(f.data.items);
  if (!from) return null;
  return { key: `${from}:${spaces}:${items}`, from, spaces, items };
}

/** HandoverNotices shows the handovers the stream delivers to this tab. */
export function HandoverNotices({ stream }: { stream: Stream | null }) {
  const qc = useQueryClient();
  const [shown, setShown] = useState<Handed[]>([]);
  const dismiss = useCallback((key: string) => setShown((xs) => xs.filter((x) => x.key !== key)), []);
  useEffect(() => {
    if (!stream) return;
    return stream.on((f) => {
      const h = handoverOf(f);
      if (!h) return;
      void qc.invalidateQueries({ queryKey: driveKey });
      setShown((xs) => (xs.some((x) => x.key === h.key) ? xs : [...xs, h].slice(-3)));
    });
  }, [stream, qc]);
  if (shown.length === 0) return null;
  return (
    <section className="reminders handovers" aria-live="polite">
      {shown.map((h) => (
        <HandoverNotice key={h.key} h={h} onClose={() => dismiss(h.key)} />
      ))}
    </section>
  );
}

function HandoverNotice({ h, onClose }: { h: Handed; onClose: () => void }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const who = useQuery(personQuery(h.from)).data;
  const name = who?.gone ? t("drive.handover.someone") : (who?.name ?? "…");
  return (
    <div
      className="reminder"
      role="alertdialog"
      aria-label={t("drive.handover.heading")}
      data-testid="drive-handover"
    >
      <div className="reminder-head">{t("drive.handover.heading")}</div>
      <strong className="reminder-title">{t("drive.handover.from", { name })}</strong>
      <div className="reminder-time">
        {[
          h.spaces ? t("drive.handover.spaces", { count: h.spaces }) : "",
          h.items ? t("drive.handover.items", { count: h.items }) : "",
        ]
          .filter(Boolean)
          .join(" · ") || t("drive.handover.access")}
      </div>
      <div className="reminder-actions">
        <button
          type="button"
          className="btn btn-primary"
          onClick={() => {
            onClose();
            void navigate({ to: "/drive", search: {} });
          }}
        >
          {t("drive.handover.open")}
        </button>
        <button type="button" className="btn" onClick={onClose}>
          {t("drive.handover.dismiss")}
        </button>
      </div>
    </div>
  );
}
