import type { TFunction } from "i18next";
import { enumText } from "../../lib/errors";

const PERMISSIONS: Record<string, (t: TFunction) => string> = {
  manage_members: (t) => t("perm.manage_members"),
  manage_departments: (t) => t("perm.manage_departments"),
  manage_roles: (t) => t("perm.manage_roles"),
  manage_fields: (t) => t("perm.manage_fields"),
  manage_invitations: (t) => t("perm.manage_invitations"),
  manage_retention: (t) => t("perm.manage_retention"),
  view_audit_log: (t) => t("perm.view_audit_log"),
  manage_apps: (t) => t("perm.manage_apps"),
  manage_org: (t) => t("perm.manage_org"),
  manage_privacy_requests: (t) => t("perm.manage_privacy_requests"),
  send_security_notices: (t) => t("perm.send_security_notices"),
  manage_legal_holds: (t) => t("perm.manage_legal_holds"),
  publish_announcements: (t) => t("perm.publish_announcements"),
  manage_reports: (t) => t("perm.manage_reports"),
  manage_attendance: (t) => t("perm.manage_attendance"),
  manage_approvals: (t) => t("perm.manage_approvals"),
  manage_calendars: (t) => t("perm.manage_calendars"),
};

export function permissionLabel(t: TFunction, p: string): string {
  return PERMISSIONS[p]?.(t) ?? p;
}

// Built-in profile fields members may edit themselves unless the
// organization locks them (directory: memberEditable).
export const PROFILE_FIELDS: { id: string; label: (t: TFunction) => string }[] = [
  { id: "display_name", label: (t) => t("directory.displayName") },
  { id: "email", label: (t) => t("directory.workEmail") },
  { id: "work_phone", label: (t) => t("directory.workPhone") },
  { id: "office", label: (t) => t("directory.office") },
];

export function visibilityLabel(t: TFunction, v: string): string {
  switch (v) {
    case "everyone":
      return t("field.vis.everyone");
    case "admins":
      return t("field.vis.admins");
    case "external":
      return t("field.vis.external");
    default:
      return v;
  }
}

export function kindLabel(t: TFunction, k: string): string {
  switch (k) {
    case "text":
      return t("field.kind.text");
    case "number":
      return t("field.kind.number");
    case "date":
      return t("field.kind.date");
    case "single_choice":
      return t("field.kind.single_choice");
    case "multi_choice":
      return t("field.kind.multi_choice");
    default:
      return k;
  }
}

type RoleLike = { id: string; name: string; description?: string; builtin?: boolean };

/** roleName is a role's name: the UI's word for a built-in role, the admin's own for a custom one. */
export function roleName(t: TFunction, r: RoleLike): string {
  return r.builtin ? enumText(t, "role", r.id) : r.name;
}

/** roleDescription is a role's description, translated for built-in roles. */
export function roleDescription(t: TFunction, r: RoleLike): string {
  if (!r.builtin) return r.description ?? "";
  return enumText(t, "role_description", r.id, r.description ?? "");
}
