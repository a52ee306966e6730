import { getRouteApi } from "@tanstack/react-router";
import { Notifications } from "./Notifications";

const route = getRouteApi("/shell/notifications");

export function NotificationsRoute() {
  return <Notifications unreadOnly={!!route.useSearch().unread} />;
}
