// Package perm is the one vocabulary of organization permissions: what a
// role may grant. The directory stores roles and decides who holds what
// (its Authorize); every other domain names the permission it checks from
// here, through the small directory interface it declares, and never
// spells a permission itself.
package perm

import "slices"

// Permission names one thing a role allows in an organization. Roles
// store, and the API shows, the same names.
type Permission string

// The permissions a role may grant. Owners and admins hold all of them;
// custom roles hold the ones they list, optionally only for a department
// subtree.
const (
	ManageMembers         Permission = "manage_members"
	ManageDepartments     Permission = "manage_departments"
	ManageRoles           Permission = "manage_roles"
	ManageFields          Permission = "manage_fields"
	ManageInvitations     Permission = "manage_invitations"
	ManageRetention       Permission = "manage_retention"
	ViewAuditLog          Permission = "view_audit_log"
	ManageApps            Permission = "manage_apps"
	ManageOrg             Permission = "manage_org"
	ManagePrivacyRequests Permission = "manage_privacy_requests"
	SendSecurityNotices   Permission = "send_security_notices"
	ManageLegalHolds      Permission = "manage_legal_holds"
	PublishAnnouncements  Permission = "publish_announcements"
	ManageReports         Permission = "manage_reports"
	ManageApprovals       Permission = "manage_approvals"
	ManageAttendance      Permission = "manage_attendance"
	ManageCalendars       Permission = "manage_calendars"
	ManageDrive           Permission = "manage_drive"
)

// All lists every permission, in the order the API shows them.
var All = []Permission{
	ManageMembers, ManageDepartments, ManageRoles, ManageFields,
	ManageInvitations, ManageRetention, ViewAuditLog, ManageApps,
	ManageOrg, ManagePrivacyRequests, SendSecurityNotices, ManageLegalHolds,
	PublishAnnouncements, ManageReports, ManageApprovals, ManageAttendance,
	ManageCalendars, ManageDrive,
}

// Valid reports whether p is a known permission.
func (p Permission) Valid() bool { return slices.Contains(All, p) }
