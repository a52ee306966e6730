import { useQuery } from "@tanstack/react-query";
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
import { NotificationBell } from "./components/NotificationBell";
import { OrgSwitcher } from "./components/OrgSwitcher";
import { Shell } from "./components/Shell";
import { useOutboxFlush } from "./lib/offline";
import { lastOrg, orgsQuery, switchOrg, usePermissions } from "./lib/org";
import { queryClient } from "./lib/query";
import { RealtimeProvider, useStream } from "./lib/realtime";
import { meQuery } from "./lib/session";
import { AnnouncementBanner } from "./screens/announcements/Banner";
import { useUnreadAnnouncements } from "./screens/announcements/data";
import { useTodoCount } from "./screens/approvals/data";
import { ApprovalNotices } from "./screens/approvals/Notices";
import { ComingSoon } from "./screens/ComingSoon";
import { ReminderPopups } from "./screens/calendar/Reminders";
import { conversationsKey, listConversations } from "./screens/chat/data";
import { unreadTotal } from "./screens/chat/unread";
import { HandoverNotices } from "./screens/drive/Handover";
import { Workspace } from "./screens/home/Workspace";
import { NotFound } from "./screens/NotFound";
import { useUnreadReports } from "./screens/reports/data";

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
    // Most screens act in an organization; without one, offer to join or create one.
    if (!ORGLESS.some((p) => location.pathname.startsWith(p))) {
      const orgs = await queryClient.ensureQueryData(orgsQuery);
      if (!orgs.items.some((o) => o.current)) {
        // A new session starts outside any organization: enter the one
        // used last (or the only one) without asking.
        const pick = orgs.items.find((o) => o.org_id === lastOrg()) ?? orgs.items[0];
        if (!pick) throw redirect({ to: "/welcome" });
        await switchOrg(pick.org_id);
      }
    }
    return { me };
  },
  component: function ShellRoute() {
    const perms = usePermissions().data;
    const counts = useNavCounts();
    useOutboxFlush(queryClient);
    return (
      <RealtimeProvider>
        <Reminders />
        <Shell
          top={<OrgSwitcher />}
          bell={<NotificationBell />}
          account={<AccountMenu />}
          admin={(perms?.permissions.length ?? 0) > 0}
          counts={counts}
          banner={
            <>
              <AnnouncementBanner />
              <ApprovalNotices />
            </>
          }
        />
      </RealtimeProvider>
    );
  },
});

/** useNavCounts is what waits behind each navigation entry: unread messages, announcements, reports, approvals to do. */
function useNavCounts(): Record<string, number> {
  const unread = useUnreadAnnouncements();
  const unreadReports = useUnreadReports();
  const todo = useTodoCount();
  const convs = useQuery({ queryKey: conversationsKey, queryFn: listConversations });
  return {
    "/chat": unreadTotal(convs.data?.items ?? []),
    "/announcements": unread,
    "/reports": unreadReports,
    "/approvals": todo,
  };
}

// Screens that work without a current organization.
const ORGLESS = ["/welcome", "/settings", "/privacy"];

const setupRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/setup",
  validateSearch: (s: Record<string, unknown>): { token?: string } => ({ token: str(s.token) }),
  component: lazyRouteComponent(() => import("./screens/org/routes"), "SetupRoute"),
});

const joinRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/join",
  validateSearch: (s: Record<string, unknown>): { token?: string; code?: string } => ({
    token: str(s.token),
    code: str(s.code),
  }),
  component: lazyRouteComponent(() => import("./screens/org/routes"), "JoinRoute"),
});

// The page a guardian's emailed consent link opens; no account needed.
const guardianRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/guardian-consent",
  validateSearch: (s: Record<string, unknown>): { token?: string } => ({ token: str(s.token) }),
  component: lazyRouteComponent(() => import("./screens/guardian/routes"), "GuardianRoute"),
});

const welcomeRoute = createRoute({
  getParentRoute: () => shellRoute,
  path: "/welcome",
  component: lazyRouteComponent(() => import("./screens/org/Welcome"), "Welcome"),
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

// The phone's Workspace and Me tabs (components/Shell.tsx).
const workspaceRoute = createRoute({
  getParentRoute: () => shellRoute,
  path: "/workspace",
  component: function WorkspaceRoute() {
    return <Workspace counts={useNavCounts()} />;
  },
});

const meRoute = createRoute({
  getParentRoute: () => shellRoute,
  path: "/me",
  component: lazyRouteComponent(() => import("./screens/home/Me"), "Me"),
});

const adminRoute = createRoute({
  getParentRoute: () => shellRoute,
  path: "/admin",
  component: lazyRouteComponent(() => import("./screens/admin/routes"), "AdminIndex"),
});

const adminSectionRoute = createRoute({
  getParentRoute: () => shellRoute,
  path: "/admin/$section",
  component: lazyRouteComponent(() => import("./screens/admin/routes"), "AdminSection"),
});

const directoryRoute = createRoute({
  getParentRoute: () => shellRoute,
  path: "/directory",
  validateSearch: (
    s: Record<string, unknown>,
  ): { tab?: "contacts" | "me" | "privacy"; member?: string; dept?: string } => ({
    tab: s.tab === "contacts" || s.tab === "me" || s.tab === "privacy" ? s.tab : undefined,
    member: str(s.member),
    dept: str(s.dept),
  }),
  component: lazyRouteComponent(() => import("./screens/directory/routes"), "DirectoryRoute"),
});

const chatRoute = createRoute({
  getParentRoute: () => shellRoute,
  path: "/chat",
  component: lazyRouteComponent(() => import("./screens/chat/routes"), "ChatIndexRoute"),
});

const chatSearchRoute = createRoute({
  getParentRoute: () => shellRoute,
  path: "/chat/search",
  validateSearch: (s: Record<string, unknown>): { conversation?: string } => ({
    conversation: str(s.conversation),
  }),
  component: lazyRouteComponent(() => import("./screens/chat/routes"), "ChatSearchRoute"),
});

const chatSavedRoute = createRoute({
  getParentRoute: () => shellRoute,
  path: "/chat/saved",
  component: lazyRouteComponent(() => import("./screens/chat/routes"), "ChatSavedRoute"),
});

const chatConversationRoute = createRoute({
  getParentRoute: () => shellRoute,
  path: "/chat/$id",
  // ?m= is how a push notification names the message (the same as ?at=).
  validateSearch: (s: Record<string, unknown>): { at?: string } => ({ at: str(s.at) ?? str(s.m) }),
  component: lazyRouteComponent(() => import("./screens/chat/routes"), "ChatConversationRoute"),
});

const notificationsRoute = createRoute({
  getParentRoute: () => shellRoute,
  path: "/notifications",
  validateSearch: (s: Record<string, unknown>): { unread?: boolean } => ({
    unread: s.unread === true || s.unread === "true" ? true : undefined,
  }),
  component: lazyRouteComponent(() => import("./screens/notifications/routes"), "NotificationsRoute"),
});

const privacyRoute = createRoute({
  getParentRoute: () => shellRoute,
  path: "/privacy",
  component: lazyRouteComponent(() => import("./screens/privacy/PrivacyCenter"), "PrivacyCenter"),
});

const announcementsRoute = createRoute({
  getParentRoute: () => shellRoute,
  path: "/announcements",
  component: lazyRouteComponent(() => import("./screens/announcements/routes"), "AnnouncementsRoute"),
});

const STATUSES = ["draft", "scheduled", "published", "withdrawn"] as const;
type Status = (typeof STATUSES)[number];

const announcementsManageRoute = createRoute({
  getParentRoute: () => shellRoute,
  path: "/announcements/manage",
  validateSearch: (s: Record<string, unknown>): { status?: Status } => ({
    status: STATUSES.find((x) => x === s.status),
  }),
  component: lazyRouteComponent(() => import("./screens/announcements/routes"), "ManageRoute"),
});

const announcementNewRoute = createRoute({
  getParentRoute: () => shellRoute,
  path: "/announcements/new",
  component: lazyRouteComponent(() => import("./screens/announcements/routes"), "NewRoute"),
});

const announcementRoute = createRoute({
  getParentRoute: () => shellRoute,
  path: "/announcements/$id",
  component: lazyRouteComponent(() => import("./screens/announcements/routes"), "AnnouncementRoute"),
});

const announcementEditRoute = createRoute({
  getParentRoute: () => shellRoute,
  path: "/announcements/$id/edit",
  component: lazyRouteComponent(() => import("./screens/announcements/routes"), "EditRoute"),
});

const announcementReceiptsRoute = createRoute({
  getParentRoute: () => shellRoute,
  path: "/announcements/$id/receipts",
  component: lazyRouteComponent(() => import("./screens/announcements/routes"), "ReceiptsRoute"),
});

const reportsRoute = createRoute({
  getParentRoute: () => shellRoute,
  path: "/reports",
  component: lazyRouteComponent(() => import("./screens/reports/routes"), "InboxRoute"),
});

const reportsMineRoute = createRoute({
  getParentRoute: () => shellRoute,
  path: "/reports/mine",
  component: lazyRouteComponent(() => import("./screens/reports/routes"), "MineRoute"),
});

const reportsStatsRoute = createRoute({
  getParentRoute: () => shellRoute,
  path: "/reports/stats",
  component: lazyRouteComponent(() => import("./screens/reports/routes"), "StatsRoute"),
});

const reportsTemplatesRoute = createRoute({
  getParentRoute: () => shellRoute,
  path: "/reports/templates",
  component: lazyRouteComponent(() => import("./screens/reports/routes"), "TemplatesRoute"),
});

// The reminder email links here with ?template=…&period=….
const reportNewRoute = createRoute({
  getParentRoute: () => shellRoute,
  path: "/reports/new",
  validateSearch: (s: Record<string, unknown>): { template?: string; period?: string } => ({
    template: typeof s.template === "string" && s.template ? s.template : undefined,
    period: typeof s.period === "string" && s.period ? s.period : undefined,
  }),
  component: lazyRouteComponent(() => import("./screens/reports/routes"), "WriteRoute"),
});

const reportRoute = createRoute({
  getParentRoute: () => shellRoute,
  path: "/reports/$id",
  component: lazyRouteComponent(() => import("./screens/reports/routes"), "ReportRoute"),
});

const reportEditRoute = createRoute({
  getParentRoute: () => shellRoute,
  path: "/reports/$id/edit",
  component: lazyRouteComponent(() => import("./screens/reports/routes"), "EditRoute"),
});

type NewEventSearch = {
  new?: string;
  start?: string;
  end?: string;
  members?: string;
  room?: string;
  conversation?: string;
};

// ?new=1 opens the editor: a time chosen in "find a time", or a meeting
// scheduled from a chat (conversation=…).
const calendarRoute = createRoute({
  getParentRoute: () => shellRoute,
  path: "/calendar",
  validateSearch: (s: Record<string, unknown>): NewEventSearch => ({
    new: str(s.new),
    start: str(s.start),
    end: str(s.end),
    members: str(s.members),
    room: str(s.room),
    conversation: str(s.conversation),
  }),
  component: lazyRouteComponent(() => import("./screens/calendar/routes"), "CalendarRoute"),
});

// Chat invitation cards link here (/calendar/events/<id>).
const calendarEventRoute = createRoute({
  getParentRoute: () => shellRoute,
  path: "/calendar/events/$id",
  validateSearch: (s: Record<string, unknown>): { occurrence?: string } => ({
    occurrence: str(s.occurrence),
  }),
  component: lazyRouteComponent(() => import("./screens/calendar/routes"), "EventRoute"),
});

const calendarInvitationsRoute = createRoute({
  getParentRoute: () => shellRoute,
  path: "/calendar/invitations",
  component: lazyRouteComponent(() => import("./screens/calendar/routes"), "InvitationsRoute"),
});

const calendarFindRoute = createRoute({
  getParentRoute: () => shellRoute,
  path: "/calendar/find",
  component: lazyRouteComponent(() => import("./screens/calendar/routes"), "FindRoute"),
});

const calendarRoomsRoute = createRoute({
  getParentRoute: () => shellRoute,
  path: "/calendar/rooms",
  component: lazyRouteComponent(() => import("./screens/calendar/routes"), "RoomsRoute"),
});

const calendarCalendarsRoute = createRoute({
  getParentRoute: () => shellRoute,
  path: "/calendar/calendars",
  component: lazyRouteComponent(() => import("./screens/calendar/routes"), "CalendarsRoute"),
});

const driveRoute = createRoute({
  getParentRoute: () => shellRoute,
  path: "/drive",
  validateSearch: (s: Record<string, unknown>): { space?: string; folder?: string; shared?: string } => ({
    space: str(s.space),
    folder: str(s.folder),
    shared: s.shared ? "1" : undefined,
  }),
  component: lazyRouteComponent(() => import("./screens/drive/routes"), "DriveRoute"),
});

const driveTrashRoute = createRoute({
  getParentRoute: () => shellRoute,
  path: "/drive/trash",
  validateSearch: (s: Record<string, unknown>): { space?: string } => ({ space: str(s.space) }),
  component: lazyRouteComponent(() => import("./screens/drive/routes"), "TrashRoute"),
});

// A drive link: opens without a session (a password prompt when it has one).
const driveLinkRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: "/s/$token",
  component: lazyRouteComponent(() => import("./screens/drive/routes"), "LinkRoute"),
});

const BOXES = ["todo", "mine", "cc", "done"] as const;
type BoxName = (typeof BOXES)[number];

const approvalsRoute = createRoute({
  getParentRoute: () => shellRoute,
  path: "/approvals",
  validateSearch: (
    s: Record<string, unknown>,
  ): { box?: BoxName; status?: string; template?: string; q?: string } => ({
    box: BOXES.find((x) => x === s.box),
    status: str(s.status),
    template: str(s.template),
    q: str(s.q),
  }),
  component: lazyRouteComponent(() => import("./screens/approvals/routes"), "ListRoute"),
});

/** prefill keeps the string values of a prefill object from the address (a form filled in advance). */
function prefill(v: unknown): Record<string, string> | undefined {
  if (!v || typeof v !== "object" || Array.isArray(v)) return undefined;
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v)) if (typeof x === "string") out[k] = x;
  return Object.keys(out).length ? out : undefined;
}

// Notifications and emails link here with ?template=…; other screens with
// ?builtin=<key> (a built-in template by its key) and a prefill of values.
const approvalNewRoute = createRoute({
  getParentRoute: () => shellRoute,
  path: "/approvals/new",
  validateSearch: (
    s: Record<string, unknown>,
  ): { template?: string; builtin?: string; prefill?: Record<string, string> } => ({
    template: str(s.template),
    builtin: str(s.builtin),
    prefill: prefill(s.prefill),
  }),
  component: lazyRouteComponent(() => import("./screens/approvals/routes"), "NewRoute"),
});

const approvalTemplatesRoute = createRoute({
  getParentRoute: () => shellRoute,
  path: "/approvals/templates",
  component: lazyRouteComponent(() => import("./screens/approvals/routes"), "TemplatesRoute"),
});

const approvalRoute = createRoute({
  getParentRoute: () => shellRoute,
  path: "/approvals/$id",
  component: lazyRouteComponent(() => import("./screens/approvals/routes"), "RequestRoute"),
});

const attendanceRoute = createRoute({
  getParentRoute: () => shellRoute,
  path: "/attendance",
  component: lazyRouteComponent(() => import("./screens/attendance/routes"), "CheckInRoute"),
});

const attendanceMonthRoute = createRoute({
  getParentRoute: () => shellRoute,
  path: "/attendance/month",
  validateSearch: (s: Record<string, unknown>): { month?: string } => ({
    month: typeof s.month === "string" && /^\d{4}-\d{2}$/.test(s.month) ? s.month : undefined,
  }),
  component: lazyRouteComponent(() => import("./screens/attendance/routes"), "MonthRoute"),
});

const attendanceTeamRoute = createRoute({
  getParentRoute: () => shellRoute,
  path: "/attendance/team",
  component: lazyRouteComponent(() => import("./screens/attendance/routes"), "TeamRoute"),
});

const attendanceGroupsRoute = createRoute({
  getParentRoute: () => shellRoute,
  path: "/attendance/groups",
  component: lazyRouteComponent(() => import("./screens/attendance/routes"), "GroupsRoute"),
});

const attendanceHolidaysRoute = createRoute({
  getParentRoute: () => shellRoute,
  path: "/attendance/holidays",
  component: lazyRouteComponent(() => import("./screens/attendance/routes"), "HolidaysRoute"),
});

const attendanceReportRoute = createRoute({
  getParentRoute: () => shellRoute,
  path: "/attendance/report",
  component: lazyRouteComponent(() => import("./screens/attendance/routes"), "ReportRoute"),
});

const routeTree = rootRoute.addChildren([
  indexRoute,
  loginRoute,
  registerRoute,
  resetRoute,
  setupRoute,
  joinRoute,
  guardianRoute,
  driveLinkRoute,
  shellRoute.addChildren([
    welcomeRoute,
    settingsRoute,
    workspaceRoute,
    meRoute,
    chatRoute,
    chatSearchRoute,
    chatSavedRoute,
    chatConversationRoute,
    notificationsRoute,
    directoryRoute,
    calendarRoute,
    calendarEventRoute,
    calendarInvitationsRoute,
    calendarFindRoute,
    calendarRoomsRoute,
    calendarCalendarsRoute,
    driveRoute,
    driveTrashRoute,
    approvalsRoute,
    approvalNewRoute,
    approvalTemplatesRoute,
    approvalRoute,
    attendanceRoute,
    attendanceMonthRoute,
    attendanceTeamRoute,
    attendanceGroupsRoute,
    attendanceHolidaysRoute,
    attendanceReportRoute,
    announcementsRoute,
    announcementsManageRoute,
    announcementNewRoute,
    announcementRoute,
    announcementEditRoute,
    announcementReceiptsRoute,
    reportsRoute,
    reportsMineRoute,
    reportsStatsRoute,
    reportsTemplatesRoute,
    reportNewRoute,
    reportRoute,
    reportEditRoute,
    soon("/docs", "docs", (t) => t("nav.docs")),
    soon("/tasks", "tasks", (t) => t("nav.tasks")),
    privacyRoute,
    adminRoute,
    adminSectionRoute,
  ]),
]);

export const router = createRouter({ routeTree, defaultPreload: "intent", scrollRestoration: true });

declare module "@tanstack/react-router" {
  interface Register {
    router: typeof router;
  }
}

/** Reminders shows the calendar's reminders and the drive's handovers as they arrive on the tab's stream. */
function Reminders() {
  const stream = useStream();
  return (
    <>
      <ReminderPopups stream={stream} />
      <HandoverNotices stream={stream} />
    </>
  );
}
