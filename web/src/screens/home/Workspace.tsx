import { Link } from "@tanstack/react-router";
import { useTranslation } from "react-i18next";
import { icons } from "../../components/icons";
import { countText } from "../../components/Shell";
import { WORKSPACE } from "../../nav";

/** Workspace lists the office apps (the phone's Workspace tab), with what waits in each. */
export function Workspace({ counts }: { counts?: Record<string, number> }) {
  const { t } = useTranslation();
  return (
    <section className="page" aria-labelledby="page-title">
      <div className="page-header">
        <h1 id="page-title">{t("nav.workspace")}</h1>
      </div>
      <ul className="app-grid">
        {WORKSPACE.map((n) => (
          <li key={n.to}>
            <Link to={n.to} className="app-tile">
              <span className="app-icon">{icons[n.icon]}</span>
              <span className="app-name">{n.label(t)}</span>
              {n.soon && <span className="nav-soon">{t("common.soon")}</span>}
              {(counts?.[n.to] ?? 0) > 0 && (
                <span className="nav-count app-count">
                  <span aria-hidden="true">{countText(counts?.[n.to] ?? 0)}</span>
                  <span className="sr-only">{t("nav.unread", { count: counts?.[n.to] ?? 0 })}</span>
                </span>
              )}
            </Link>
          </li>
        ))}
      </ul>
    </section>
  );
}
