import { Link } from "@tanstack/react-router";
import { useTranslation } from "react-i18next";
import { useCan, useLedDepartments } from "../../lib/org";
import { useUnreadReports } from "./data";

/**
 * ReportTabs links the report screens: received, mine, write one,
 * statistics (managers and department leaders) and templates (managers).
 */
export function ReportTabs() {
  const { t } = useTranslation();
  const unread = useUnreadReports();
  const manager = useCan("manage_reports");
  const leads = useLedDepartments().length > 0;
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
      {(manager || leads) && (
        <Link to="/reports/stats" className="rep-tab" activeProps={{ "aria-current": "page" }}>
          {t("reports.stats")}
        </Link>
      )}
      {manager && (
        <Link to="/reports/templates" className="rep-tab" activeProps={{ "aria-current": "page" }}>
          {t("reports.templates")}
        </Link>
      )}
    </nav>
  );
}
