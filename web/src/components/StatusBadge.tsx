import { useTranslation } from "react-i18next";
import type { PersonStatus } from "../lib/notifySettings";

/** StatusBadge shows a person's status next to their name: emoji and text, and a Do Not Disturb mark. */
export function StatusBadge({ status }: { status?: PersonStatus | null }) {
  const { t } = useTranslation();
  if (!status) return null;
  const text = `${status.emoji} ${status.text}`.trim();
  return (
    <span className="person-status muted small" data-testid="person-status">
      {text && <span title={status.text || undefined}> {text}</span>}
      {status.dnd && <span className="badge badge-muted">{t("notify.dndBadge")}</span>}
    </span>
  );
}
