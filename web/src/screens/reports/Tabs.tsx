import { Link } from "@tanstack/react-router";
import { useTranslation } from "react-i18next";
import { useUnreadReports } from "./data";

/** ReportTabs links the three report lists: received, mine, write one. */
export function ReportTabs() {
  const { t } = useTranslation();
  const unread = useUnreadReports();
  return (
    <nav className="rep-tabs" aria-label={t("reports.title")}>
      <Link
        to="/reports"
        className="rep-tab"
        activeOptions={{ exact: true }}
        activeProps={{ "aria-current": "page" }}
      >
        {t("reports.inbox")}
        {unread > 0 && <span className="badge">{unread}</span>}
      </Link>
      <Link to="/reports/mine" className="rep-tab" activeProps={{ "aria-current": "page" }}>
        {t("reports.mine")}
      </Link>
      <Link to="/reports/new" search={{}} className="rep-tab" activeProps={{ "aria-current": "page" }}>
        {t("reports.write")}
      </Link>
    </nav>
  );
}
