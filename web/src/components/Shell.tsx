import { Link, Outlet, useRouterState } from "@tanstack/react-router";
import { type ReactNode, useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { OfflineBanner } from "../lib/offline";
import { activeTab, NAV, NAV_PERSONAL, type NavItem, TABS } from "../nav";
import { Inbox } from "./Inbox";
import { icons } from "./icons";
import { LanguageSwitcher } from "./LanguageSwitcher";
import { PolicyGate } from "./PolicyGate";

/**
 * Shell is the signed-in frame: navigation (a rail on wide screens; on
 * phones a bottom tab bar, with the full list in a drawer), the top bar with the organization switcher, notifications,
 * language and account menu, a banner above every screen, and the current
 * screen. counts puts a number (unread announcements, …) beside a
 * navigation entry.
 */
export function Shell({
  top,
  bell,
  account,
  admin,
  counts,
  banner,
}: {
  top?: ReactNode;
  bell?: ReactNode;
  account?: ReactNode;
  admin?: boolean;
  counts?: Record<string, number>;
  banner?: ReactNode;
}) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const path = useRouterState({ select: (s) => s.location.pathname });
  // Close the phone drawer after navigating.
  // biome-ignore lint/correctness/useExhaustiveDependencies: path is the trigger
  useEffect(() => setOpen(false), [path]);

  const item = (n: NavItem) => (
    <li key={n.to}>
      <Link
        to={n.to}
        className="nav-link"
        activeProps={{ className: "nav-link active", "aria-current": "page" }}
      >
        {icons[n.icon]}
        <span className="nav-label">{n.label(t)}</span>
        {n.soon && <span className="nav-soon">{t("common.soon")}</span>}
        {badge(n.to)}
      </Link>
    </li>
  );

  const tab = activeTab(path);
  // An open conversation takes the whole phone screen, as in other chat apps.
  const inConversation = /^\/chat\/(?!search)[^/]+/.test(path);
  const badge = (to: string) =>
    (counts?.[to] ?? 0) > 0 && (
      <span className="nav-count" data-testid="nav-count">
        <span aria-hidden="true">{countText(counts?.[to] ?? 0)}</span>
        <span className="sr-only">{t("nav.unread", { count: counts?.[to] ?? 0 })}</span>
      </span>
    );
  const workspaceCount = NAV.filter((n) => n.to !== "/chat" && n.to !== "/directory").reduce(
    (s, n) => s + (counts?.[n.to] ?? 0),
    0,
  );
  const tabCount = (to: string) => (to === "/workspace" ? workspaceCount : (counts?.[to] ?? 0));

  return (
    <div className={`shell${open ? " nav-open" : ""}${inConversation ? " in-conversation" : ""}`}>
      <a href="#main" className="skip-link">
        {t("common.skipToContent")}
      </a>
      <header className="topbar">
        <button
          type="button"
          className="icon-button menu-button"
          aria-label={open ? t("nav.close") : t("nav.open")}
          aria-expanded={open}
          aria-controls="main-nav"
          onClick={() => setOpen(!open)}
        >
          {open ? icons.close : icons.menu}
        </button>
        <Link to="/chat" className="brand" aria-label={t("app.home")}>
          <span className="brand-mark" aria-hidden="true">
            A
          </span>
          <span className="brand-name">{t("app.name")}</span>
        </Link>
        <div className="topbar-slot">{top}</div>
        {bell}
        <LanguageSwitcher />
        {account}
      </header>
      {/* Its own row under the top bar: always in view, whatever the screen scrolls. */}
      <OfflineBanner />
      <nav id="main-nav" className="sidenav" aria-label={t("nav.main")}>
        <ul>{NAV.map(item)}</ul>
        <ul className="nav-personal">{NAV_PERSONAL.filter((n) => admin || n.to !== "/admin").map(item)}</ul>
      </nav>
      <button
        type="button"
        className="nav-scrim"
        tabIndex={-1}
        aria-hidden="true"
        onClick={() => setOpen(false)}
      />
      <main id="main" className="main" tabIndex={-1}>
        <PolicyGate>
          <Inbox />
          {banner}
          <Outlet />
        </PolicyGate>
      </main>
      <nav className="tabbar" aria-label={t("nav.tabs")}>
        {TABS.map((x) => (
          <Link
            key={x.to}
            to={x.to}
            className={tab === x.to ? "tab-link active" : "tab-link"}
            aria-current={tab === x.to ? "page" : undefined}
          >
            {icons[x.icon]}
            <span className="tab-label">{x.label(t)}</span>
            {tabCount(x.to) > 0 && (
              <span className="nav-count tab-count" data-testid="tab-count">
                <span aria-hidden="true">{countText(tabCount(x.to))}</span>
                <span className="sr-only">{t("nav.unread", { count: tabCount(x.to) })}</span>
              </span>
            )}
          </Link>
        ))}
      </nav>
    </div>
  );
}

/** countText shortens a count for a badge: 1…99, then 99+. */
export function countText(n: number): string {
  return n > 99 ? "99+" : String(n);
}
