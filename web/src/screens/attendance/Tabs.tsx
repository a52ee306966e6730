import { Link } from "@tanstack/react-router";
import { useTranslation } from "react-i18next";
import { useCan, useLedDepartments } from "../../lib/org";

/**
 * AttendanceTabs links the attendance screens: check in, my month, my
 * team, and (attendance managers) groups, holidays and the monthly report.
 */
export function AttendanceTabs() {
  const { t } = useTranslation();
  const manager = useCan("manage_attendance");
  const leads = useLedDepartments().length > 0;
  return (
    <nav className="rep-tabs" aria-label={t("attendance.title")}>
      <Link
        to="/attendance"
        className="rep-tab"
        activeOptions={{ exact: true }}
        activeProps={{ "aria-current": "page" }}
      >
        {t("attendance.checkInTab")}
      </Link>
      <Link to="/attendance/month" search={{}} className="rep-tab" activeProps={{ "aria-current": "page" }}>
        {t("attendance.monthTab")}
      </Link>
      <Link to="/attendance/team" className="rep-tab" activeProps={{ "aria-current": "page" }}>
        {t("attendance.teamTab")}
      </Link>
      {manager && (
        <>
          <Link to="/attendance/groups" className="rep-tab" activeProps={{ "aria-current": "page" }}>
            {t("attendance.groupsTab")}
          </Link>
          <Link to="/attendance/holidays" className="rep-tab" activeProps={{ "aria-current": "page" }}>
            {t("attendance.holidaysTab")}
          </Link>
        </>
      )}
      {(manager || leads) && (
        <Link to="/attendance/report" className="rep-tab" activeProps={{ "aria-current": "page" }}>
          {t("attendance.reportTab")}
        </Link>
      )}
    </nav>
  );
}
