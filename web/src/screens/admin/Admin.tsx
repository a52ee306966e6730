import { Link, Navigate } from "@tanstack/react-router";
import type { TFunction } from "i18next";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { usePermissions } from "../../lib/org";
import { AuditLog } from "./AuditLog";
import { Departments } from "./Departments";
import { Fields } from "./Fields";
import { Holds } from "./Holds";
import { Invitations } from "./Invitations";
import { JoinRequests } from "./JoinRequests";
import { Members } from "./Members";
import { OrgSettings } from "./OrgSettings";
import { PrivacyRequests } from "./PrivacyRequests";
import { PrivacySettingsAdmin } from "./PrivacySettingsAdmin";
import { Retention } from "./Retention";
import { Roles } from "./Roles";
import { SecurityNotices } from "./SecurityNotices";

type Section = { id: string; perm: string; label: (t: TFunction) => string; render: () => ReactNode };

// The admin console's sections, each shown to those holding its permission.
export const SECTIONS: Section[] = [
  { id: "members", perm: "manage_members", label: (t) => t("admin.members"), render: () => <Members /> },
  {
    id: "invitations",
    perm: "manage_invitations",
    label: (t) => t("admin.invitations"),
    render: () => <Invitations />,
  },
  {
    id: "requests",
    perm: "manage_members",
    label: (t) => t("admin.joinRequests"),
    render: () => <JoinRequests />,
  },
  {
    id: "departments",
    perm: "manage_departments",
    label: (t) => t("admin.departments"),
    render: () => <Departments />,
  },
  { id: "roles", perm: "manage_roles", label: (t) => t("admin.roles"), render: () => <Roles /> },
  { id: "fields", perm: "manage_fields", label: (t) => t("admin.fields"), render: () => <Fields /> },
  {
    id: "retention",
    perm: "manage_retention",
    label: (t) => t("retention.title"),
    render: () => <Retention />,
  },
  { id: "holds", perm: "manage_legal_holds", label: (t) => t("holds.title"), render: () => <Holds /> },
  {
    id: "privacy-requests",
    perm: "manage_privacy_requests",
    label: (t) => t("privacyRequests.title"),
    render: () => <PrivacyRequests />,
  },
  {
    id: "privacy",
    perm: "manage_retention",
    label: (t) => t("privacyAdmin.title"),
    render: () => <PrivacySettingsAdmin />,
  },
  {
    id: "notices",
    perm: "send_security_notices",
    label: (t) => t("notices.tab"),
    render: () => <SecurityNotices />,
  },
  { id: "audit", perm: "view_audit_log", label: (t) => t("admin.audit"), render: () => <AuditLog /> },
  { id: "org", perm: "manage_org", label: (t) => t("admin.org"), render: () => <OrgSettings /> },
];

/** Admin is the admin console: a tab per section the caller may manage. */
export function Admin({ section }: { section?: string }) {
  const { t } = useTranslation();
  const perms = usePermissions();
  if (perms.isPending) return null;
  const mine = SECTIONS.filter((s) => perms.data?.permissions.includes(s.perm));
  if (mine.length === 0) {
    return (
      <section className="page">
        <h1>{t("nav.admin")}</h1>
        <p>{t("errors.forbidden")}</p>
      </section>
    );
  }
  const current = mine.find((s) => s.id === section);
  if (!current) return <Navigate to="/admin/$section" params={{ section: mine[0].id }} replace />;
  return (
    <section className="page page-wide" aria-labelledby="page-title">
      <div className="page-header">
        <h1 id="page-title">{t("nav.admin")}</h1>
      </div>
      <nav className="tabs" aria-label={t("admin.sections")}>
        {mine.map((s) => (
          <Link
            key={s.id}
            to="/admin/$section"
            params={{ section: s.id }}
            className="tab"
            activeProps={{ className: "tab active", "aria-current": "page" }}
          >
            {s.label(t)}
          </Link>
        ))}
      </nav>
      {current.render()}
    </section>
  );
}
