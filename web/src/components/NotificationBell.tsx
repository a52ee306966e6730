import { useQuery } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { useTranslation } from "react-i18next";
import { api, must, withQuery } from "../api/client";
import { usePendingJoinRequests } from "../lib/org";
import { notificationsKey } from "../screens/chat/data";
import { icons } from "./icons";

/** useUnreadNotifications is my unread notification count, kept current by the stream. */
export function useUnreadNotifications(): number {
  const q = useQuery({
    queryKey: [...notificationsKey, "count"],
    queryFn: () => must(api.GET("/api/v1/notifications", withQuery({ unread: true, limit: 1 }))),
  });
  return q.data?.unread_count ?? 0;
}

/**
 * NotificationBell is the top bar's way to my notifications, with the unread
 * count — and, for those who decide them, the requests to join waiting.
 */
export function NotificationBell() {
  const { t } = useTranslation();
  const unread = useUnreadNotifications();
  const joins = usePendingJoinRequests();
  const n = unread + joins;
  const label = [
    unread ? t("notifications.bellUnread", { count: unread }) : t("notifications.title"),
    joins ? t("notifications.joinRequests", { count: joins }) : "",
  ]
    .filter(Boolean)
    .join(", ");
  return (
    <Link
      to="/notifications"
      search={{}}
      className="icon-button bell"
      activeProps={{ className: "icon-button bell on", "aria-current": "page" }}
      aria-label={label}
      data-testid="bell"
    >
      {icons.bell}
      {n > 0 && (
        <span className="bell-count" aria-hidden="true">
          {n > 99 ? "99+" : n}
        </span>
      )}
    </Link>
  );
}
