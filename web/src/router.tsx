import { createRootRoute, createRoute, createRouter, Outlet, redirect } from "@tanstack/react-router";
import { useTranslation } from "react-i18next";
import { Shell } from "./components/Shell";
import { ComingSoon } from "./screens/ComingSoon";
import { NotFound } from "./screens/NotFound";

const rootRoute = createRootRoute({
  component: Outlet,
  notFoundComponent: NotFound,
});

// The signed-in frame. Every screen of the app lives under it.
const shellRoute = createRoute({
  getParentRoute: () => rootRoute,
  id: "shell",
  component: () => <Shell />,
});

const indexRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/",
  beforeLoad: () => {
    throw redirect({ to: "/chat" });
  },
});

function soon<P extends string>(
  path: P,
  icon: Parameters<typeof ComingSoon>[0]["icon"],
  title: (t: ReturnType<typeof useTranslation>["t"]) => string,
) {
  return createRoute({
    getParentRoute: () => shellRoute,
    path,
    component: function Soon() {
      const { t } = useTranslation();
      return <ComingSoon title={title(t)} icon={icon} />;
    },
  });
}

const routeTree = rootRoute.addChildren([
  indexRoute,
  shellRoute.addChildren([
    soon("/chat", "chat", (t) => t("nav.chat")),
    soon("/directory", "directory", (t) => t("nav.directory")),
    soon("/calendar", "calendar", (t) => t("nav.calendar")),
    soon("/approvals", "approvals", (t) => t("nav.approvals")),
    soon("/attendance", "attendance", (t) => t("nav.attendance")),
    soon("/announcements", "announcements", (t) => t("nav.announcements")),
    soon("/reports", "reports", (t) => t("nav.reports")),
    soon("/drive", "drive", (t) => t("nav.drive")),
    soon("/docs", "docs", (t) => t("nav.docs")),
    soon("/tasks", "tasks", (t) => t("nav.tasks")),
    soon("/privacy", "privacy", (t) => t("nav.privacy")),
    soon("/settings", "settings", (t) => t("nav.settings")),
    soon("/admin", "admin", (t) => t("nav.admin")),
  ]),
]);

export const router = createRouter({ routeTree, defaultPreload: "intent", scrollRestoration: true });

declare module "@tanstack/react-router" {
  interface Register {
    router: typeof router;
  }
}
