import { useQuery } from "@tanstack/react-query";
import { Link, useRouterState } from "@tanstack/react-router";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { icons } from "../../components/icons";
import { useCurrentOrg } from "../../lib/org";
import { bannerPick, dismiss, dismissedIds, needsConfirm, summaryQuery } from "./data";

/**
 * AnnouncementBanner shows, above every screen, the newest announcement I
 * have not read. One that asks for confirmation stays until confirmed;
 * any other can be closed (this browser remembers it) or is gone once read.
 */
export function AnnouncementBanner() {
  const { t } = useTranslation();
  const org = useCurrentOrg();
  const q = useQuery({ ...summaryQuery, enabled: !!org });
  const [dismissed, setDismissed] = useState(dismissedIds);
  const path = useRouterState({ select: (s) => s.location.pathname });
  const page = q.data;
  const a = page ? bannerPick([...page.pinned, ...page.items], dismissed) : undefined;
  // The announcement's own page says it all.
  if (!a || path.startsWith(`/announcements/${a.id}`)) return null;
  const confirm = needsConfirm(a);
  return (
    <aside
      className={confirm ? "ann-banner ann-banner-confirm" : "ann-banner"}
      aria-label={t("announcements.banner")}
      data-testid="announcement-banner"
    >
      <span className="ann-banner-icon" aria-hidden="true">
        {icons.announcements}
      </span>
      <Link to="/announcements/$id" params={{ id: a.id }} className="ann-banner-link">
        <span className="ann-banner-title">{a.title}</span>
        <span className="small">
          {confirm ? t("announcements.bannerConfirm") : t("announcements.bannerOpen")}
        </span>
      </Link>
      {!confirm && (
        <button
          type="button"
          className="icon-button"
          aria-label={t("announcements.dismiss", { title: a.title })}
          onClick={() => setDismissed(dismiss(a.id))}
        >
          {icons.close}
        </button>
      )}
    </aside>
  );
}
