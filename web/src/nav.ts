import type { TFunction } from "i18next";
import type { IconName } from "./components/icons";

/** NavItem is one destination of the app shell's navigation. */
export type NavItem = {
  to: string;
  icon: IconName;
  label: (t: TFunction) => string;
  /** soon marks a capability whose screens arrive later ("coming soon"). */
  soon?: boolean;
};

// Labels are functions so that the i18n key test sees each literal key.
export const NAV: NavItem[] = [
  { to: "/chat", icon: "chat", label: (t) => t("nav.chat") },
  { to: "/directory", icon: "directory", label: (t) => t("nav.directory") },
  { to: "/calendar", icon: "calendar", label: (t) => t("nav.calendar") },
  { to: "/approvals", icon: "approvals", label: (t) => t("nav.approvals") },
  { to: "/attendance", icon: "attendance", label: (t) => t("nav.attendance") },
  { to: "/announcements", icon: "announcements", label: (t) => t("nav.announcements") },
  { to: "/reports", icon: "reports", label: (t) => t("nav.reports") },
  { to: "/drive", icon: "drive", label: (t) => t("nav.drive") },
  { to: "/docs", icon: "docs", label: (t) => t("nav.docs"), soon: true },
  { to: "/tasks", icon: "tasks", label: (t) => t("nav.tasks"), soon: true },
];

export const NAV_PERSONAL: NavItem[] = [
  { to: "/privacy", icon: "privacy", label: (t) => t("nav.privacy") },
  { to: "/settings", icon: "settings", label: (t) => t("nav.settings") },
  { to: "/admin", icon: "admin", label: (t) => t("nav.admin") },
];

/** TabItem is one tab of the phone's bottom bar; match says which paths light it up. */
export type TabItem = { to: string; icon: IconName; label: (t: TFunction) => string; match: string[] };

// The phone's bottom bar, as WeCom and DingTalk users expect: Chat,
// Contacts, the office apps (Workspace) and Me.
export const TABS: TabItem[] = [
  { to: "/chat", icon: "chat", label: (t) => t("nav.chat"), match: ["/chat", "/notifications"] },
  { to: "/directory", icon: "directory", label: (t) => t("nav.contacts"), match: ["/directory"] },
  {
    to: "/workspace",
    icon: "workspace",
    label: (t) => t("nav.workspace"),
    match: ["/workspace", ...NAV.filter((n) => n.to !== "/chat" && n.to !== "/directory").map((n) => n.to)],
  },
  {
    to: "/me",
    icon: "settings",
    label: (t) => t("nav.me"),
    match: ["/me", "/settings", "/privacy", "/admin", "/welcome"],
  },
];

/** activeTab is the tab a path belongs to ("" when none). */
export function activeTab(path: string): string {
  const hit = TABS.find((tab) => tab.match.some((m) => path === m || path.startsWith(`${m}/`)));
  return hit?.to ?? "";
}

/** WORKSPACE lists the office apps on the Workspace page. */
export const WORKSPACE: NavItem[] = NAV.filter((n) => n.to !== "/chat" && n.to !== "/directory");
