// A link's access log in the share dialog: every use of the link, allowed
// or refused, newest first — when, what for, the outcome (ok, wrong
// password, expired, rate limited…), the visitor's network as the server
// keeps it (truncated to /24 or /48) and whether they were signed in.
import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { Alert, formatTime } from "../../components/ui";
import { errorText } from "../../lib/errors";
import { type Access, drive } from "./api";
import { driveKey } from "./data";

/** SHOWN bounds the entries listed (the server keeps up to 500 per answer). */
const SHOWN = 50;

/** outcomeTone is the badge an outcome gets: ok, a refusal, or a refusal for too many tries. */
export function outcomeTone(outcome: string): "ok" | "danger" | "muted" {
  if (outcome === "ok") return "ok";
  if (outcome === "wrong_password" || outcome === "throttled") return "danger";
  return "muted";
}

/** LinkAccessLog lists a link's uses (the item's editors). */
export function LinkAccessLog({ linkId }: { linkId: string }) {
  const { t, i18n } = useTranslation();
  const q = useQuery({ queryKey: [...driveKey, "access", linkId], queryFn: () => drive.linkAccess(linkId) });
  if (q.error) return <Alert>{errorText(t, q.error)}</Alert>;
  if (!q.data) return <p className="muted small">…</p>;
  const items = q.data.items;
  if (items.length === 0) return <p className="muted small">{t("drive.access.none")}</p>;
  const row = (a: Access) => (
    <li key={a.id} className="row-between" data-testid="drive-access-entry" data-outcome={a.outcome}>
      <span>
        <span className={`badge badge-${outcomeTone(a.outcome)}`}>
          {t(`enums.drive_access_outcome.${a.outcome}`, { defaultValue: a.outcome })}
        </span>{" "}
        {t(`enums.drive_access_action.${a.action}`, { defaultValue: a.action })}
        <span className="muted small">
          {" · "}
          {a.account_id ? t("drive.access.signedIn") : t("drive.access.anonymous")}
          {a.network ? ` · ${t("drive.access.network", { network: a.network })}` : ""}
        </span>
      </span>
      <time className="muted small" dateTime={new Date(a.at).toISOString()}>
        {formatTime(a.at, i18n.language, { dateStyle: "medium", timeStyle: "medium" })}
      </time>
    </li>
  );
  return (
    <section aria-label={t("drive.access.title")}>
      <ul className="list drive-access">{items.slice(0, SHOWN).map(row)}</ul>
      {items.length > SHOWN && (
        <p className="muted small">{t("drive.access.more", { count: items.length - SHOWN })}</p>
      )}
    </section>
  );
}
