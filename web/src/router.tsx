import {
  createRootRoute,
  createRoute,
  createRouter,
  lazyRouteComponent,
  Outlet,
  redirect,
} from "@tanstack/react-router";
import type { TFunction } from "i18next";
import { useTranslation } from "react-i18next";
import { AccountMenu } from "./components/AccountMenu";
import type { IconName } from "./components/icons";
import { Shell } from "./components/Shell";
import { queryClient } from "./lib/query";
import { meQuery } from "./lib/session";
import { ComingSoon } from "./screens/ComingSoon";
import { NotFound } from "./screens/NotFound";

const rootRoute = createRootRoute({
  component: Outlet,
  notFoundComponent: NotFound,
});

const str = (v: unknown) => (typeof v === "string" && v !== "" ? v : undefined);

// Sign-in pages: a signed-in person goes straight to the app.
async function signedOutOnly() {
  const me = await queryClient.ensureQueryData(meQuery);
  if (me) throw redirect({ to: "/chat" });
}

const loginRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/login",
  validateSearch: (s: Record<string, unknown>): { next?: string; email?: string; notice?: string } => ({
    next: str(s.next),
    email: str(s.email),
    notice: str(s.notice),
  }),
  beforeLoad: signedOutOnly,
  component: lazyRouteComponent(() => import("./screens/auth/routes"), "LoginRoute"),
});

const registerRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/register",
  validateSearch: (s: Record<string, unknown>): { email?: string; step?: "code"; next?: string } => ({
    email: str(s.email),
    step: s.step === "code" ? ("code" as const) : undefined,
    next: str(s.next),
  }),
  beforeLoad: signedOutOnly,
  component: lazyRouteComponent(() => import("./screens/auth/routes"), "RegisterRoute"),
});

const resetRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/reset-password",
  validateSearch: (s: Record<string, unknown>): { email?: string } => ({ email: str(s.email) }),
  component: lazyRouteComponent(() => import("./screens/auth/routes"), "ResetRoute"),
});

// The signed-in frame. Every screen of the app lives under it.
export const shellRoute = createRoute({
  getParentRoute: () => rootRoute,
  id: "shell",
  beforeLoad: async ({ location }) => {
    const me = await queryClient.ensureQueryData(meQuery);
    if (!me) throw redirect({ to: "/login", search: { next: location.href } });
    return { me };
  },
  component: () => <Shell account={<AccountMenu />} />,
});

const indexRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/",
  beforeLoad: () => {
    throw redirect({ to: "/chat" });
  },
});

function soon<P extends string>(path: P, icon: IconName, title: (t: TFunction) => string) {
  return createRoute({
    getParentRoute: () => shellRoute,
    path,
    component: function Soon() {
      const { t } = useTranslation();
      return <ComingSoon title={title(t)} icon={icon} />;
    },
  });
}

const settingsRoute = createRoute({
  getParentRoute: () => shellRoute,
  path: "/settings",
  component: lazyRouteComponent(() => import("./screens/settings/Security"), "Settings"),
});

const routeTree = rootRoute.addChildren([
  indexRoute,
  loginRoute,
  registerRoute,
  resetRoute,
  shellRoute.addChildren([
    settingsRoute,
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
    soon("/admin", "admin", (t) => t("nav.admin")),
  ]),
]);

export const router = createRouter({ routeTree, defaultPreload: "intent", scrollRestoration: true });

declare module "@tanstack/react-router" {
  interface Register {
    router: typeof router;
  }
}
