import { Link } from "@tanstack/react-router";
import { useTranslation } from "react-i18next";
import { useCan } from "../../lib/org";

/** CalendarTabs links the calendar screens: the calendar, invitations, find a time, rooms, and (managers) calendars. */
export function CalendarTabs() {
  const { t } = useTranslation();
  const manager = useCan("manage_calendars");
  return (
    <nav className="rep-tabs" aria-label={t("calendar.title")}>
      <Link
        to="/calendar"
        search={{}}
        className="rep-tab"
        activeOptions={{ exact: true, includeSearch: false }}
        activeProps={{ "aria-current": "page" }}
      >
        {t("calendar.calendarTab")}
      </Link>
      <Link to="/calendar/invitations" className="rep-tab" activeProps={{ "aria-current": "page" }}>
        {t("calendar.invitationsTab")}
      </Link>
      <Link to="/calendar/find" className="rep-tab" activeProps={{ "aria-current": "page" }}>
        {t("calendar.findTab")}
      </Link>
      <Link to="/calendar/rooms" className="rep-tab" activeProps={{ "aria-current": "page" }}>
        {t("calendar.roomsTab")}
      </Link>
      {manager && (
        <Link to="/calendar/calendars" className="rep-tab" activeProps={{ "aria-current": "page" }}>
          {t("calendar.calendarsTab")}
        </Link>
      )}
    </nav>
  );
}
