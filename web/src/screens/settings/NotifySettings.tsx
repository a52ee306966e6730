// "Status and notifications": a status others see next to my name (ends by
// itself when given an end), Do Not Disturb for an hour, until tomorrow or
// until a time I choose, quiet hours in my time zone, and keywords that
// notify me like a mention.
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { api, must } from "../../api/client";
import type { components } from "../../api/schema";
import { Alert, Field, formatTime } from "../../components/ui";
import { errorText } from "../../lib/errors";
import { notifySettingsKey, notifySettingsQuery, tomorrowMorning } from "../../lib/notifySettings";

const EMOJIS = ["", "💬", "📅", "🏠", "🚗", "🌴", "🤒", "🎯"];
const CLEAR_AFTER = ["never", "1h", "4h", "today"] as const;
type Patch = components["schemas"]["PushNotifySettingsPatch"];

function endOf(choice: (typeof CLEAR_AFTER)[number], now: Date): number {
  if (choice === "1h") return now.getTime() + 3_600_000;
  if (choice === "4h") return now.getTime() + 4 * 3_600_000;
  if (choice === "today") {
    const d = new Date(now);
    d.setHours(23, 59, 0, 0);
    return d.getTime();
  }
  return 0;
}

/** localInput turns ms into a datetime-local value. */
function localInput(ms: number): string {
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 16);
}

export function NotifySettings() {
  const { t, i18n } = useTranslation();
  const qc = useQueryClient();
  const q = useQuery(notifySettingsQuery);
  const save = useMutation({
    mutationFn: (body: Patch) => must(api.PATCH("/api/v1/me/notify-settings", { body })),
    onSuccess: (s) => {
      qc.setQueryData(notifySettingsKey, s);
      void qc.invalidateQueries({ queryKey: ["conversations"] });
    },
  });
  const [emoji, setEmoji] = useState("");
  const [text, setText] = useState("");
  const [clearAfter, setClearAfter] = useState<(typeof CLEAR_AFTER)[number]>("never");
  const [custom, setCustom] = useState(() => localInput(Date.now() + 2 * 3_600_000));
  const [quietStart, setQuietStart] = useState("");
  const [quietEnd, setQuietEnd] = useState("");
  const [zone, setZone] = useState("");
  const [keywords, setKeywords] = useState("");
  const s = q.data;
  useEffect(() => {
    if (!s) return;
    setEmoji(s.status?.emoji ?? "");
    setText(s.status?.text ?? "");
    setQuietStart(s.quiet_start);
    setQuietEnd(s.quiet_end);
    setZone(
      s.quiet_start || s.time_zone !== "UTC"
        ? s.time_zone
        : Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC",
    );
    setKeywords(s.keywords.join(", "));
  }, [s]);
  if (!s) return q.error ? <Alert>{errorText(t, q.error)}</Alert> : null;
  const dndOn = s.dnd_until > Date.now();
  const when = (ms: number) => formatTime(ms, i18n.language, { dateStyle: "medium", timeStyle: "short" });
  return (
    <section className="card" aria-labelledby="notify-title">
      <h2 id="notify-title">{t("notify.title")}</h2>
      <Alert>{save.error ? errorText(t, save.error) : ""}</Alert>
      {save.isSuccess && <Alert kind="ok">{t("common.saved")}</Alert>}

      <form
        aria-labelledby="notify-status"
        onSubmit={(e: FormEvent) => {
          e.preventDefault();
          const until = endOf(clearAfter, new Date());
          save.mutate({ status: { emoji, text, ...(until ? { until } : {}) } });
        }}
      >
        <h3 id="notify-status">{t("notify.status")}</h3>
        {s.status && (s.status.emoji || s.status.text) && (
          <p className="muted small" data-testid="my-status">
            {t("notify.current", { status: `${s.status.emoji} ${s.status.text}`.trim() })}
            {s.status.until ? ` · ${t("notify.until", { time: when(s.status.until) })}` : ""}
          </p>
        )}
        <fieldset className="radio-row">
          <legend>{t("notify.emoji")}</legend>
          {EMOJIS.map((x) => (
            <label key={x || "none"} className="checkbox inline">
              <input type="radio" name="status-emoji" checked={emoji === x} onChange={() => setEmoji(x)} />
              {x || t("notify.noEmoji")}
            </label>
          ))}
        </fieldset>
        <Field
          label={t("notify.statusText")}
          maxLength={100}
          value={text}
          placeholder={t("notify.statusPlaceholder")}
          onChange={(e) => setText(e.target.value)}
        />
        <div className="field">
          <label htmlFor="notify-clear" className="field-label">
            {t("notify.clearAfter")}
          </label>
          <select
            id="notify-clear"
            value={clearAfter}
            onChange={(e) => setClearAfter(e.target.value as (typeof CLEAR_AFTER)[number])}
          >
            {CLEAR_AFTER.map((x) => (
              <option key={x} value={x}>
                {t(`notify.clear.${x}`)}
              </option>
            ))}
          </select>
        </div>
        <div className="row-actions">
          <button type="submit" className="btn btn-primary" disabled={save.isPending}>
            {t("notify.setStatus")}
          </button>
          <button
            type="button"
            className="btn"
            disabled={save.isPending || (!s.status?.text && !s.status?.emoji)}
            onClick={() => save.mutate({ clear_status: true })}
          >
            {t("notify.clearStatus")}
          </button>
        </div>
      </form>

      <h3 id="notify-dnd">{t("notify.dnd")}</h3>
      <p className="muted small" data-testid="dnd-state">
        {dndOn ? t("notify.dndOn", { time: when(s.dnd_until) }) : t("notify.dndOff")}
      </p>
      <p className="field-hint">{t("notify.dndHint")}</p>
      <div className="row-actions">
        <button
          type="button"
          className="btn"
          onClick={() => save.mutate({ dnd_until: Date.now() + 3_600_000 })}
        >
          {t("notify.dnd1h")}
        </button>
        <button
          type="button"
          className="btn"
          onClick={() => save.mutate({ dnd_until: tomorrowMorning(new Date()) })}
        >
          {t("notify.dndTomorrow")}
        </button>
        {dndOn && (
          <button type="button" className="btn" onClick={() => save.mutate({ dnd_until: 0 })}>
            {t("notify.dndEnd")}
          </button>
        )}
      </div>
      <form
        onSubmit={(e: FormEvent) => {
          e.preventDefault();
          save.mutate({ dnd_until: new Date(custom).getTime() });
        }}
      >
        <Field
          label={t("notify.dndCustom")}
          type="datetime-local"
          required
          value={custom}
          onChange={(e) => setCustom(e.target.value)}
        />
        <button type="submit" className="btn">
          {t("notify.dndSet")}
        </button>
      </form>

      <form
        aria-labelledby="notify-quiet"
        onSubmit={(e: FormEvent) => {
          e.preventDefault();
          save.mutate({
            quiet_start: quietStart,
            quiet_end: quietEnd,
            time_zone: zone || "UTC",
            keywords: keywords
              .split(/[,，\n]/)
              .map((k) => k.trim())
              .filter(Boolean),
          });
        }}
      >
        <h3 id="notify-quiet">{t("notify.quiet")}</h3>
        <p className="field-hint">{t("notify.quietHint")}</p>
        <div className="row-actions">
          <Field
            label={t("notify.quietStart")}
            type="time"
            value={quietStart}
            onChange={(e) => setQuietStart(e.target.value)}
          />
          <Field
            label={t("notify.quietEnd")}
            type="time"
            value={quietEnd}
            onChange={(e) => setQuietEnd(e.target.value)}
          />
        </div>
        <Field label={t("notify.timeZone")} value={zone} onChange={(e) => setZone(e.target.value)} />
        <Field
          label={t("notify.keywords")}
          hint={t("notify.keywordsHint")}
          value={keywords}
          onChange={(e) => setKeywords(e.target.value)}
        />
        <button type="submit" className="btn btn-primary" disabled={save.isPending}>
          {t("common.save")}
        </button>
      </form>
    </section>
  );
}
