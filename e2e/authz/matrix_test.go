package authz_test

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/atrium-hq/atrium/internal/platform/perm"
)

// Special expected statuses.
const (
	any2xx    = 0  // any 2xx
	passed    = -1 // authorization passed: anything but 401, 403, 404 and 5xx
	anyStatus = -2 // anything but 5xx (public routes that do not look at the caller)
)

// entry is one row of the authorization matrix: what a route needs, and
// what a permitted caller gets. The status every other caller gets is
// computed from it (see expect): anonymous callers 401, signed-in callers
// outside the organization 401/403, members lacking the permission deny
// (403 unless set), and every caller 404 for another organization's object
// or a missing one — byte-identical apart from the request id.
type entry struct {
	// perm is the directory permission the route needs ("" = none beyond
	// its auth level).
	perm perm.Permission
	// owner: only the organization's owner may.
	owner bool
	// obj names the kind of each path parameter, in order.
	obj []string
	// body builds the request body a permitted caller sends (nil = none).
	body func(w *world, actor string) any
	// raw sends a non-JSON body: content type and bytes.
	raw func(w *world) (string, []byte)
	// ok is the status a permitted caller gets on its own object.
	ok int
	// okCode, when set, is the error code a permitted caller gets (for
	// dangerous routes tried with a wrong password, so nothing happens).
	okCode string
	// deny is the status for a signed-in member without the right: 403
	// where members can read objects of the kind (members, departments,
	// roles, fields), 404 where they cannot (invitations, join requests,
	// privacy administration) — for every id alike.
	deny int
	// fresh: the request changes or removes its object, so permitted
	// callers get a freshly made one.
	fresh bool
	// session: the request ends the caller's session, so permitted callers
	// use a fresh session.
	session bool
	// last: the request changes the caller itself (leaves or joins an
	// organization): run after every other route.
	last bool
	// custom overrides the expectation for some actors.
	custom map[string]int
	// party: the object belongs to a conversation, and only its
	// "participant"s (or its group "owner") may act on it; others get 404
	// (non-participants) or deny (participants without the group role).
	party string
	// bodyIDs builds the body from the objects' ids: kinds in obj beyond
	// the path parameters are ids the body refers to, and are swapped
	// across organizations like path parameters.
	bodyIDs func(w *world, actor string, ids []string) any
	// otherStatus is what objects the caller may not see answer (404).
	otherStatus int
	// query is appended to the path ("q=hello").
	query string
	// standIn: the request changes the caller's membership (quitting), so
	// each caller is played by a fresh person of the same kind.
	standIn bool
	// reads lists actors who see the object but may not act on it now
	// (an approval's applicant asked to approve it): only they may learn
	// (their custom 403) that it exists; other ids answer them 404.
	reads map[string]bool
}

// objects of the API whose ids are personal (belong to an account, not an
// organization).
var personalKinds = map[string]bool{"session": true, "app_password": true, "contact": true, "contact_request": true, "person": true, "file": true, "export": true, "request": true, "notice": true, "my_invitation": true, "push_subscription": true, "drive_upload": true, "photo_person": true}

func named(prefix string) func(w *world, actor string) any {
	return func(w *world, actor string) any {
		return map[string]any{"name": fmt.Sprintf("%s %d", prefix, w.seq.Add(1))}
	}
}

func body(v map[string]any) func(w *world, actor string) any {
	return func(*world, string) any { return v }
}

// notRecipient: a report is seen by its author and recipients only; the
// bystander, a member it did not go to, gets 404 like everyone outside.
var notRecipient = map[string]int{Bystander: 404}

// notAuthor: only a report's author changes it; its recipients and the
// bystander get 404.
var notAuthor = map[string]int{Admin: 404, CustomWith: 404, CustomWithout: 404, Member: 404, Bystander: 404}

// notApprover: the applicant (each organization's owner) may see a
// request but not decide it; the bystander does not see it.
var notApprover = map[string]int{Owner: 403, OtherOrg: 403, Bystander: 404}

// applicants and approvers of the standing approvals see them.
var (
	applicants = map[string]bool{Owner: true, OtherOrg: true}
	approvers  = map[string]bool{Admin: true, CustomWith: true, CustomWithout: true, Member: true}
)

// calendarViewers see the standing organization calendar and its event
// but neither manage nor organize them: only they learn (403) that they
// exist.
var (
	calendarViewers = map[string]int{CustomWithout: 403, Member: 403, Bystander: 403}
	viewersOnly     = map[string]bool{CustomWithout: true, Member: true, Bystander: true}
)

// driveEditors edit the standing drive space but do not manage it: only
// they learn (403) that it exists when they try.
var (
	driveEditors     = map[string]int{CustomWithout: 403, Member: 403, Bystander: 403}
	driveEditorsOnly = map[string]bool{CustomWithout: true, Member: true, Bystander: true}
)

// matrix has one entry per route of internal/server/routes.go. A route
// without an entry fails TestMatrixCoversEveryRoute, naming it.
var matrix = map[string]entry{
	// Public routes answer the same to everyone.
	"GET /api/v1/health":       {ok: anyStatus},
	"GET /healthz":             {ok: anyStatus},
	"GET /readyz":              {ok: anyStatus},
	"GET /api/v1/openapi.json": {ok: anyStatus},
	"POST /api/v1/auth/register": {ok: anyStatus, body: func(w *world, _ string) any {
		return map[string]any{"email": w.email("reg"), "password": pw, "name": "Reg"}
	}},
	"POST /api/v1/auth/verify":                 {ok: anyStatus, body: body(map[string]any{"email": "nobody@authz.test", "code": "000000"})},
	"POST /api/v1/auth/login":                  {ok: anyStatus, body: body(map[string]any{"email": "nobody@authz.test", "password": "wrong password"})},
	"POST /api/v1/auth/password-reset":         {ok: anyStatus, body: body(map[string]any{"email": "nobody@authz.test"})},
	"POST /api/v1/auth/login-code":             {ok: anyStatus, body: body(map[string]any{"email": "nobody@authz.test"})},
	"POST /api/v1/auth/password-reset/confirm": {ok: anyStatus, body: body(map[string]any{"email": "nobody@authz.test", "code": "000000", "password": "another long password"})},
	"GET /api/v1/setup":                        {ok: anyStatus},
	"POST /api/v1/setup":                       {ok: anyStatus, body: body(map[string]any{"token": "0000", "organization": map[string]any{"name": "X"}, "owner": map[string]any{"name": "X", "email": "x@authz.test", "password": pw}})},

	// The signed-in person's own account.
	"POST /api/v1/auth/logout":                   {ok: any2xx, session: true},
	"GET /api/v1/me":                             {ok: 200},
	"PATCH /api/v1/me":                           {ok: 200, body: body(map[string]any{"locale": "en"})},
	"GET /api/v1/me/sessions":                    {ok: 200},
	"DELETE /api/v1/me/sessions/{id}":            {ok: any2xx, obj: []string{"session"}, fresh: true},
	"GET /api/v1/me/app-passwords":               {ok: 200},
	"POST /api/v1/me/app-passwords":              {ok: 201, body: body(map[string]any{"name": "Calendar app", "password": pw})},
	"DELETE /api/v1/me/app-passwords/{id}":       {ok: any2xx, obj: []string{"app_password"}, fresh: true},
	"POST /api/v1/me/password":                   {ok: passed, body: body(map[string]any{"current": "wrong password", "new": "a brand new password"})},
	"GET /api/v1/me/login-history":               {ok: 200},
	"GET /api/v1/me/notices":                     {ok: 200},
	"GET /api/v1/push/config":                    {ok: 200},
	"GET /api/v1/me/push-subscriptions":          {ok: 200},
	"POST /api/v1/me/push-subscriptions":         {ok: 201, body: func(w *world, _ string) any { return pushSubscription(w) }},
	"DELETE /api/v1/me/push-subscriptions/{id}":  {ok: 204, obj: []string{"push_subscription"}, fresh: true},
	"GET /api/v1/me/notify-settings":             {ok: 200},
	"PATCH /api/v1/me/notify-settings":           {ok: 200, body: body(map[string]any{"keywords": []string{"launch"}})},
	"POST /api/v1/me/2fa/setup":                  {ok: 200},
	"POST /api/v1/me/2fa/enable":                 {ok: passed, body: body(map[string]any{"code": "000000"})},
	"POST /api/v1/me/2fa/disable":                {ok: passed, body: body(map[string]any{"password": "wrong password", "code": "000000"})},
	"GET /api/v1/me/orgs":                        {ok: 200},
	"POST /api/v1/me/org":                        {ok: 200, body: func(w *world, actor string) any { return map[string]any{"org_id": w.orgOf(actor)} }, custom: map[string]int{External: 404, Deactivated: 404, Removed: 404}},
	"GET /api/v1/me/privacy":                     {ok: 200},
	"PATCH /api/v1/me/privacy":                   {ok: 200, body: body(map[string]any{"discoverable": true})},
	"GET /api/v1/me/join-requests":               {ok: 200},
	"GET /api/v1/me/saved-messages":              {ok: 200},
	"GET /api/v1/me/invitations":                 {ok: 200},
	"POST /api/v1/me/invitations/{id}/accept":    {ok: passed, obj: []string{"my_invitation"}, fresh: true, last: true, session: true},
	"POST /api/v1/me/invitations/{id}/decline":   {ok: any2xx, obj: []string{"my_invitation"}, fresh: true},
	"POST /api/v1/orgs":                          {ok: 201, last: true, session: true, body: named("New org")},
	"POST /api/v1/invitation-links/preview":      {ok: anyStatus, body: body(map[string]any{"token": "0000000000000000000000000000000000000000000"})},
	"POST /api/v1/join/preview":                  {ok: 200, body: func(w *world, _ string) any { return map[string]any{"code": w.code} }},
	"POST /api/v1/join":                          {ok: passed, last: true, session: true, body: func(w *world, _ string) any { return map[string]any{"code": w.code} }, custom: map[string]int{Deactivated: 403}},
	"GET /api/v1/contacts":                       {ok: 200},
	"POST /api/v1/contacts":                      {ok: passed, body: func(w *world, _ string) any { return map[string]any{"account_id": w.account("Contactee").AccountID} }},
	"DELETE /api/v1/contacts/{account_id}":       {ok: any2xx, obj: []string{"contact"}, fresh: true},
	"POST /api/v1/contacts/{account_id}/card":    {ok: 200, obj: []string{"contact"}},
	"GET /api/v1/contact-requests":               {ok: 200},
	"POST /api/v1/contact-requests/{id}/accept":  {ok: 200, obj: []string{"contact_request"}, fresh: true},
	"POST /api/v1/contact-requests/{id}/decline": {ok: 200, obj: []string{"contact_request"}, fresh: true},
	"GET /api/v1/people/{account_id}":            {ok: 200, obj: []string{"person"}},
	"GET /api/v1/people/{account_id}/status":     {ok: 200, obj: []string{"person"}},
	"GET /api/v1/people/{account_id}/photo":      {ok: 200, obj: []string{"photo_person"}},
	"PUT /api/v1/me/photo":                       {ok: 200, raw: func(*world) (string, []byte) { return "image/png", tinyPNG() }},
	"DELETE /api/v1/me/photo":                    {ok: 204},
	"POST /api/v1/people/lookup":                 {ok: passed, body: func(w *world, _ string) any { return map[string]any{"email": w.who[Member].Email} }},
	"GET /api/v1/stream":                         {ok: passed},

	// The current organization.
	"GET /api/v1/me/permissions": {ok: 200},
	"GET /api/v1/orgs/current":   {ok: 200},
	"PATCH /api/v1/orgs/current": {perm: perm.ManageOrg, ok: 200, body: body(map[string]any{"industry": "Software"})},
	"POST /api/v1/orgs/current/transfer": {owner: true, ok: 403, okCode: "reauthentication_failed", body: func(w *world, actor string) any {
		return map[string]any{"member_id": w.who[Bystander].MemberID, "password": "wrong password"}
	}},
	"POST /api/v1/orgs/current/disband": {owner: true, ok: 403, okCode: "reauthentication_failed", body: func(w *world, actor string) any {
		return map[string]any{"name": map[string]string{"A": "Org A", "B": "Org B"}[home(actor)], "password": "wrong password"}
	}},

	// Members.
	"GET /api/v1/members":  {ok: 200},
	"POST /api/v1/members": {perm: perm.ManageMembers, ok: 202, body: func(w *world, _ string) any { return map[string]any{"account_id": w.account("Added").AccountID} }},
	"POST /api/v1/members/import": {perm: perm.ManageMembers, ok: 200, raw: func(w *world) (string, []byte) {
		return "text/csv", []byte("email,display_name\nimported@authz.test,Imported\n")
	}},
	"GET /api/v1/members/export":           {perm: perm.ManageMembers, ok: 200},
	"GET /api/v1/members/{id}":             {ok: 200, obj: []string{"member"}},
	"PATCH /api/v1/members/{id}":           {perm: perm.ManageMembers, ok: 200, obj: []string{"member"}, body: body(map[string]any{"title": "Engineer"})},
	"DELETE /api/v1/members/{id}":          {perm: perm.ManageMembers, ok: any2xx, obj: []string{"member"}, fresh: true},
	"POST /api/v1/members/{id}/deactivate": {perm: perm.ManageMembers, ok: 200, obj: []string{"member"}, fresh: true},
	"POST /api/v1/members/{id}/reactivate": {perm: perm.ManageMembers, ok: passed, obj: []string{"member"}, fresh: true},
	"GET /api/v1/members/{id}/supervisors": {ok: 200, obj: []string{"member"}},
	"PUT /api/v1/members/{id}/roles":       {perm: perm.ManageRoles, ok: 200, obj: []string{"member"}, fresh: true, body: body(map[string]any{"role": "member"})},

	// Departments.
	"GET /api/v1/departments":              {ok: 200},
	"POST /api/v1/departments":             {perm: perm.ManageDepartments, ok: 201, body: named("Dept")},
	"GET /api/v1/departments/{id}":         {ok: 200, obj: []string{"department"}},
	"PATCH /api/v1/departments/{id}":       {perm: perm.ManageDepartments, ok: 200, obj: []string{"department"}, body: named("Renamed")},
	"DELETE /api/v1/departments/{id}":      {perm: perm.ManageDepartments, ok: any2xx, obj: []string{"department"}, fresh: true},
	"GET /api/v1/departments/{id}/members": {ok: 200, obj: []string{"department"}},
	"PUT /api/v1/departments/{id}/leaders": {perm: perm.ManageDepartments, ok: 200, obj: []string{"department"}, body: body(map[string]any{"member_ids": []string{}})},

	// Roles.
	"GET /api/v1/roles": {ok: 200},
	"POST /api/v1/roles": {perm: perm.ManageRoles, ok: 201, body: func(w *world, _ string) any {
		return map[string]any{"name": fmt.Sprintf("Role %d", w.seq.Add(1)), "permissions": []string{}}
	}},
	"GET /api/v1/roles/{id}": {ok: 200, obj: []string{"role"}},
	"PUT /api/v1/roles/{id}": {perm: perm.ManageRoles, ok: 200, obj: []string{"role"}, body: func(w *world, _ string) any {
		return map[string]any{"name": fmt.Sprintf("Role %d", w.seq.Add(1)), "permissions": []string{}}
	}},
	"DELETE /api/v1/roles/{id}": {perm: perm.ManageRoles, ok: any2xx, obj: []string{"role"}, fresh: true},

	// Custom profile fields.
	"GET /api/v1/fields": {ok: 200},
	"POST /api/v1/fields": {perm: perm.ManageFields, ok: 201, body: func(w *world, _ string) any {
		return map[string]any{"name": fmt.Sprintf("Field %d", w.seq.Add(1)), "kind": "text"}
	}},
	"GET /api/v1/fields/{id}":    {ok: 200, obj: []string{"field"}},
	"PATCH /api/v1/fields/{id}":  {perm: perm.ManageFields, ok: 200, obj: []string{"field"}, body: named("Field")},
	"DELETE /api/v1/fields/{id}": {perm: perm.ManageFields, ok: any2xx, obj: []string{"field"}, fresh: true},

	// Invitations and join requests.
	"GET /api/v1/invitations":                 {perm: perm.ManageInvitations, ok: 200},
	"POST /api/v1/invitations":                {perm: perm.ManageInvitations, ok: 201, body: body(map[string]any{"kind": "link"})},
	"GET /api/v1/invitations/{id}":            {deny: 404, perm: perm.ManageInvitations, ok: 200, obj: []string{"invitation"}},
	"DELETE /api/v1/invitations/{id}":         {deny: 404, perm: perm.ManageInvitations, ok: 200, obj: []string{"invitation"}, fresh: true},
	"GET /api/v1/invitations/{id}/qr.png":     {deny: 404, perm: perm.ManageInvitations, ok: 200, obj: []string{"invitation"}},
	"GET /api/v1/invitations/{id}/qr.svg":     {deny: 404, perm: perm.ManageInvitations, ok: 200, obj: []string{"invitation"}},
	"GET /api/v1/join-requests":               {perm: perm.ManageInvitations, ok: 200},
	"POST /api/v1/join-requests/{id}/approve": {deny: 404, perm: perm.ManageInvitations, ok: 200, obj: []string{"join_request"}, fresh: true},
	"POST /api/v1/join-requests/{id}/reject":  {deny: 404, perm: perm.ManageInvitations, ok: 200, obj: []string{"join_request"}, fresh: true},

	// Announcements: the standing one is published by each organization's
	// owner to the whole organization and asks for confirmation, so every
	// active member receives it; drafts are seen by publishers only.
	"GET /api/v1/announcements": {ok: 200},
	"POST /api/v1/announcements": {perm: perm.PublishAnnouncements, ok: 201, body: func(w *world, _ string) any {
		return map[string]any{"title": fmt.Sprintf("Draft %d", w.seq.Add(1)), "body": "b", "audience": map[string]any{"all": true}}
	}},
	"GET /api/v1/admin/announcements":                         {perm: perm.PublishAnnouncements, ok: 200},
	"GET /api/v1/announcements/{id}":                          {ok: 200, obj: []string{"announcement"}},
	"PATCH /api/v1/announcements/{id}":                        {perm: perm.PublishAnnouncements, ok: 200, obj: []string{"announcement"}, body: body(map[string]any{"title": "Edited"})},
	"DELETE /api/v1/announcements/{id}":                       {perm: perm.PublishAnnouncements, ok: any2xx, obj: []string{"announcement_draft"}, fresh: true},
	"POST /api/v1/announcements/{id}/publish":                 {perm: perm.PublishAnnouncements, ok: 200, obj: []string{"announcement_draft"}, fresh: true},
	"POST /api/v1/announcements/{id}/withdraw":                {perm: perm.PublishAnnouncements, ok: 200, obj: []string{"announcement"}, fresh: true},
	"POST /api/v1/announcements/{id}/read":                    {ok: 200, obj: []string{"announcement"}},
	"POST /api/v1/announcements/{id}/confirm":                 {ok: 200, obj: []string{"announcement"}},
	"GET /api/v1/announcements/{id}/receipts":                 {perm: perm.PublishAnnouncements, ok: 200, obj: []string{"announcement"}},
	"GET /api/v1/announcements/{id}/comments":                 {ok: 200, obj: []string{"announcement"}},
	"POST /api/v1/announcements/{id}/comments":                {ok: 201, obj: []string{"announcement"}, body: body(map[string]any{"body": "A comment"})},
	"DELETE /api/v1/announcements/{id}/comments/{comment_id}": {perm: perm.PublishAnnouncements, ok: any2xx, obj: []string{"announcement", "announcement_comment"}, fresh: true},
	"POST /api/v1/announcements/{id}/remind":                  {perm: perm.PublishAnnouncements, ok: 200, obj: []string{"announcement"}, fresh: true},
	"POST /api/v1/announcement-files":                         {perm: perm.PublishAnnouncements, ok: 201, raw: func(w *world) (string, []byte) { return "text/plain", []byte("minutes") }},
	"GET /api/v1/announcement-files/{id}":                     {ok: 200, obj: []string{"announcement_file"}},

	// Work reports: the standing report is written by each organization's
	// owner on a custom template and goes, in A, to the admin, both custom
	// roles and the member; the bystander, like everyone outside its
	// recipients, gets 404. Only the author edits, submits and deletes.
	"GET /api/v1/report-templates": {ok: 200},
	"POST /api/v1/report-templates": {perm: perm.ManageReports, ok: 201, body: func(w *world, _ string) any {
		return map[string]any{"name": fmt.Sprintf("Template %d", w.seq.Add(1)), "period": "custom", "fields": []any{}, "recipients": map[string]any{}}
	}},
	"GET /api/v1/report-templates/{id}": {ok: 200, obj: []string{"report_template"}},
	"PUT /api/v1/report-templates/{id}": {perm: perm.ManageReports, ok: 200, obj: []string{"report_template"}, fresh: true,
		body: body(map[string]any{"name": "Renamed", "period": "custom", "fields": []any{}, "recipients": map[string]any{}})},
	"DELETE /api/v1/report-templates/{id}":        {perm: perm.ManageReports, ok: any2xx, obj: []string{"report_template"}, fresh: true},
	"GET /api/v1/report-templates/{id}/stats":     {perm: perm.ManageReports, ok: 200, obj: []string{"report_template"}},
	"GET /api/v1/report-templates/{id}/stats.csv": {perm: perm.ManageReports, ok: 200, obj: []string{"report_template"}},
	// Attendance: groups, rosters and holidays are managed with
	// manage_attendance; every member of A is in the standing group and
	// checks in, reads their month and their (empty) team; the monthly
	// report needs manage_attendance.
	"GET /api/v1/attendance-groups": {perm: perm.ManageAttendance, ok: 200},
	"POST /api/v1/attendance-groups": {perm: perm.ManageAttendance, ok: 201, body: func(w *world, _ string) any {
		return map[string]any{"name": fmt.Sprintf("Attendance %d", w.seq.Add(1)), "rules": map[string]any{}}
	}},
	"GET /api/v1/attendance-groups/{id}": {perm: perm.ManageAttendance, ok: 200, obj: []string{"attendance_group"}},
	"PUT /api/v1/attendance-groups/{id}": {perm: perm.ManageAttendance, ok: 200, obj: []string{"attendance_group"}, fresh: true,
		body: body(map[string]any{"name": "Renamed", "rules": map[string]any{"kind": "shifts", "shifts": []map[string]any{{"id": "d", "name": "D", "start": "09:00", "end": "17:00"}}}})},
	"DELETE /api/v1/attendance-groups/{id}":     {perm: perm.ManageAttendance, ok: any2xx, obj: []string{"attendance_group"}, fresh: true},
	"GET /api/v1/attendance-groups/{id}/roster": {perm: perm.ManageAttendance, ok: 200, obj: []string{"attendance_group"}, query: "month=2026-12"},
	"PUT /api/v1/attendance-groups/{id}/roster": {perm: perm.ManageAttendance, ok: any2xx, obj: []string{"attendance_group"}, body: body(map[string]any{"entries": []any{}})},
	"GET /api/v1/attendance-holidays/{year}":    {ok: 200, obj: []string{"year"}},
	"PUT /api/v1/attendance-holidays/{year}":    {perm: perm.ManageAttendance, ok: 200, obj: []string{"year"}, body: body(map[string]any{"days": []any{}})},
	"POST /api/v1/attendance/notice":            {ok: 200},
	"GET /api/v1/attendance/today":              {ok: 200},
	"GET /api/v1/attendance/month":              {ok: 200},
	"GET /api/v1/attendance/adjustments":        {ok: 200},
	"GET /api/v1/attendance/team":               {ok: 200},
	"GET /api/v1/attendance/report":             {perm: perm.ManageAttendance, ok: 200},
	"GET /api/v1/attendance/report.csv":         {perm: perm.ManageAttendance, ok: 200},
	"GET /api/v1/attendance/report.xlsx":        {perm: perm.ManageAttendance, ok: 200},
	"POST /api/v1/attendance/punches": {ok: 201, body: func(w *world, _ string) any {
		return map[string]any{"client_id": fmt.Sprintf("matrix-%d", w.seq.Add(1)), "lat": "31.2304", "lng": "121.4737"}
	}},
	// Calendar: the standing organization calendar is visible to every
	// member (by role) and managed with manage_calendars, which also lets
	// its holders edit every event of it; the standing event of it
	// invites every actor of A, who each answer it; rooms are managed with
	// manage_calendars.
	// Drive: the standing space has every member as editor (by built-in
	// role); manage_drive holders manage it, and only its editors learn
	// (403) that it exists when they try to manage it. Uploads are their
	// starter's alone.
	"GET /api/v1/drive/spaces": {ok: 200},
	"POST /api/v1/drive/spaces": {perm: perm.ManageDrive, ok: 201, body: func(w *world, _ string) any {
		return map[string]any{"kind": "project", "name": fmt.Sprintf("Project %d", w.seq.Add(1))}
	}},
	"GET /api/v1/drive/spaces/me":            {ok: 200},
	"GET /api/v1/drive/spaces/{id}":          {ok: 200, obj: []string{"drive_space"}},
	"PATCH /api/v1/drive/spaces/{id}":        {perm: perm.ManageDrive, ok: 200, obj: []string{"drive_space"}, custom: driveEditors, reads: driveEditorsOnly, body: body(map[string]any{"quota_bytes": 0})},
	"DELETE /api/v1/drive/spaces/{id}":       {perm: perm.ManageDrive, ok: any2xx, obj: []string{"drive_space"}, fresh: true, custom: driveEditors, reads: driveEditorsOnly},
	"GET /api/v1/drive/spaces/{id}/path":     {ok: 200, obj: []string{"drive_space"}, query: "path=/"},
	"GET /api/v1/drive/spaces/{id}/trash":    {ok: 200, obj: []string{"drive_space"}},
	"DELETE /api/v1/drive/spaces/{id}/trash": {perm: perm.ManageDrive, ok: 200, obj: []string{"drive_space"}, custom: driveEditors, reads: driveEditorsOnly},
	"GET /api/v1/drive/shared":               {ok: 200},
	"GET /api/v1/drive/search":               {ok: 200, query: "q=file"},
	"GET /api/v1/drive/settings":             {ok: 200},
	"PATCH /api/v1/drive/settings":           {perm: perm.ManageDrive, ok: 200, body: body(map[string]any{"trash_days": 30})},
	"POST /api/v1/drive/folders": {ok: 201, obj: []string{"drive_folder"}, bodyIDs: func(w *world, _ string, ids []string) any {
		return map[string]any{"parent_id": ids[0], "name": fmt.Sprintf("Made %d", w.seq.Add(1))}
	}},
	"GET /api/v1/drive/items/{id}":           {ok: 200, obj: []string{"drive_file"}},
	"PATCH /api/v1/drive/items/{id}":         {ok: 200, obj: []string{"drive_file"}, body: named("Renamed")},
	"DELETE /api/v1/drive/items/{id}":        {ok: any2xx, obj: []string{"drive_file"}, fresh: true},
	"GET /api/v1/drive/items/{id}/children":  {ok: 200, obj: []string{"drive_folder"}},
	"GET /api/v1/drive/items/{id}/ancestors": {ok: 200, obj: []string{"drive_file"}},
	"POST /api/v1/drive/items/{id}/files":    {ok: any2xx, obj: []string{"drive_folder"}, query: "name=upload.txt&replace=true", raw: func(w *world) (string, []byte) { return "text/plain", []byte("uploaded") }},
	"GET /api/v1/drive/items/{id}/content":   {ok: 200, obj: []string{"drive_file"}},
	// The standing file is text: a permitted caller learns it has no
	// thumbnail, anyone else that it does not exist.
	"GET /api/v1/drive/items/{id}/thumbnail": {ok: 404, okCode: "no_thumbnail", obj: []string{"drive_file"}},
	"PUT /api/v1/drive/items/{id}/content":   {ok: 200, obj: []string{"drive_file"}, raw: func(w *world) (string, []byte) { return "text/plain", []byte("changed") }},
	// Moves and copies go into the actor's organization's second folder.
	"POST /api/v1/drive/items/{id}/move": {ok: 200, obj: []string{"drive_file"}, fresh: true, body: func(w *world, actor string) any {
		return map[string]any{"parent_id": w.objects[home(actor)]["drive_folder2"]}
	}},
	"POST /api/v1/drive/items/{id}/copy": {ok: 201, obj: []string{"drive_file"}, fresh: true, body: func(w *world, actor string) any {
		return map[string]any{"parent_id": w.objects[home(actor)]["drive_folder2"]}
	}},
	"POST /api/v1/drive/items/{id}/restore":                    {ok: 200, obj: []string{"drive_trashed"}, fresh: true},
	"DELETE /api/v1/drive/items/{id}/trash":                    {ok: any2xx, obj: []string{"drive_trashed"}, fresh: true},
	"GET /api/v1/drive/items/{id}/versions":                    {ok: 200, obj: []string{"drive_file"}},
	"POST /api/v1/drive/items/{id}/versions/{version}/restore": {ok: 200, obj: []string{"drive_file", "drive_version"}},
	"GET /api/v1/drive/items/{id}/shares":                      {ok: 200, obj: []string{"drive_file"}},
	"POST /api/v1/drive/items/{id}/shares":                     {ok: 201, obj: []string{"drive_file"}, body: body(map[string]any{"kind": "role", "subject_id": "member", "role": "viewer"})},
	"DELETE /api/v1/drive/items/{id}/shares/{share_id}":        {ok: any2xx, obj: []string{"drive_file", "drive_share"}, fresh: true},
	"GET /api/v1/drive/items/{id}/links":                       {ok: 200, obj: []string{"drive_file"}},
	"POST /api/v1/drive/items/{id}/links":                      {ok: 201, obj: []string{"drive_file"}, body: body(map[string]any{"permission": "view"})},
	"DELETE /api/v1/drive/links/{id}":                          {ok: any2xx, obj: []string{"drive_link"}, fresh: true},
	"GET /api/v1/drive/links/{id}/access":                      {ok: 200, obj: []string{"drive_link"}},
	"POST /api/v1/drive/uploads": {ok: 201, obj: []string{"drive_folder"}, bodyIDs: func(w *world, _ string, ids []string) any {
		return map[string]any{"parent_id": ids[0], "name": fmt.Sprintf("up-%d.bin", w.seq.Add(1)), "size": 5}
	}},
	"GET /api/v1/drive/uploads/{id}":           {ok: 200, obj: []string{"drive_upload"}},
	"PATCH /api/v1/drive/uploads/{id}":         {ok: passed, obj: []string{"drive_upload"}, raw: func(w *world) (string, []byte) { return "application/offset+octet-stream", []byte("12345") }},
	"POST /api/v1/drive/uploads/{id}/complete": {ok: passed, obj: []string{"drive_upload"}, body: body(map[string]any{})},
	"DELETE /api/v1/drive/uploads/{id}":        {ok: any2xx, obj: []string{"drive_upload"}, fresh: true},
	// A chat file of the caller's own, saved into the organization's folder.
	"POST /api/v1/drive/chat-files": {ok: 201, obj: []string{"drive_folder", "file"}, bodyIDs: func(w *world, _ string, ids []string) any {
		return map[string]any{"parent_id": ids[0], "file_id": ids[1], "name": fmt.Sprintf("saved-%d.txt", w.seq.Add(1))}
	}},
	// Public links answer the same to everyone: the token is the credential.
	"GET /api/v1/drive/public/{token}":           {ok: anyStatus, obj: []string{"drive_token"}},
	"GET /api/v1/drive/public/{token}/children":  {ok: anyStatus, obj: []string{"drive_token"}},
	"GET /api/v1/drive/public/{token}/content":   {ok: anyStatus, obj: []string{"drive_token"}},
	"GET /api/v1/drive/public/{token}/thumbnail": {ok: anyStatus, obj: []string{"drive_token"}},
	"POST /api/v1/drive/public/{token}/files":    {ok: anyStatus, obj: []string{"drive_token"}, query: "name=x.txt", raw: func(w *world) (string, []byte) { return "text/plain", []byte("x") }},
	"POST /api/v1/drive/public/{token}/grant":    {ok: anyStatus, obj: []string{"drive_token"}},
	"GET /api/v1/calendars":                      {ok: 200},
	"POST /api/v1/calendars": {perm: perm.ManageCalendars, ok: 201, body: func(w *world, _ string) any {
		return map[string]any{"kind": "team", "name": fmt.Sprintf("Calendar %d", w.seq.Add(1))}
	}},
	"GET /api/v1/calendars/{id}":            {ok: 200, obj: []string{"calendar"}},
	"PATCH /api/v1/calendars/{id}":          {perm: perm.ManageCalendars, ok: 200, obj: []string{"calendar"}, fresh: true, custom: calendarViewers, reads: viewersOnly, body: body(map[string]any{"name": "Renamed"})},
	"DELETE /api/v1/calendars/{id}":         {perm: perm.ManageCalendars, ok: any2xx, obj: []string{"calendar"}, fresh: true, custom: calendarViewers, reads: viewersOnly},
	"GET /api/v1/calendars/{id}/changes":    {ok: 200, obj: []string{"calendar"}, query: "since=0"},
	"GET /api/v1/calendars/{id}/export.ics": {ok: 200, obj: []string{"calendar"}},
	"POST /api/v1/calendars/{id}/import": {perm: perm.ManageCalendars, ok: 200, obj: []string{"calendar"}, custom: calendarViewers, reads: viewersOnly,
		raw: func(w *world) (string, []byte) {
			return "text/calendar", []byte(fmt.Sprintf("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//matrix//EN\r\nBEGIN:VEVENT\r\nUID:matrix-%d\r\n"+
				"DTSTAMP:20261201T000000Z\r\nDTSTART:20261210T090000Z\r\nDTEND:20261210T100000Z\r\nSUMMARY:Imported\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n", w.seq.Add(1)))
		}},
	"POST /api/v1/calendars/{id}/feed":   {ok: 201, obj: []string{"calendar"}},
	"DELETE /api/v1/calendars/{id}/feed": {ok: any2xx, obj: []string{"calendar"}},
	"GET /ics/{file}":                    {ok: anyStatus, obj: []string{"feed_file"}},
	"GET /api/v1/events":                 {ok: 200, query: "from=2026-12-01&to=2026-12-31"},
	"POST /api/v1/events": {ok: 201, body: body(map[string]any{"title": "Focus", "start": "2026-12-10T09:00", "end": "2026-12-10T10:00",
		"time_zone": "Europe/Berlin"})},
	"GET /api/v1/events/{id}":         {ok: 200, obj: []string{"event"}},
	"PATCH /api/v1/events/{id}":       {perm: perm.ManageCalendars, ok: 200, obj: []string{"event"}, fresh: true, custom: calendarViewers, reads: viewersOnly, body: body(map[string]any{"title": "Renamed"})},
	"DELETE /api/v1/events/{id}":      {perm: perm.ManageCalendars, ok: any2xx, obj: []string{"event"}, fresh: true, custom: calendarViewers, reads: viewersOnly},
	"POST /api/v1/calendar-files":     {ok: 201, raw: func(w *world) (string, []byte) { return "text/plain", []byte("agenda") }},
	"GET /api/v1/calendar-files/{id}": {ok: 200, obj: []string{"calendar_file"}},
	"PUT /api/v1/events/{id}/rsvp":    {ok: 200, obj: []string{"event"}, body: body(map[string]any{"status": "accepted"})},
	"GET /api/v1/rooms":               {ok: 200},
	"POST /api/v1/rooms":              {perm: perm.ManageCalendars, ok: 201, body: named("Room")},
	"GET /api/v1/rooms/{id}":          {ok: 200, obj: []string{"room"}},
	"PUT /api/v1/rooms/{id}":          {perm: perm.ManageCalendars, ok: 200, obj: []string{"room"}, fresh: true, body: body(map[string]any{"name": "Renamed", "capacity": 8})},
	"DELETE /api/v1/rooms/{id}":       {perm: perm.ManageCalendars, ok: any2xx, obj: []string{"room"}, fresh: true},
	"GET /api/v1/rooms/{id}/bookings": {ok: 200, obj: []string{"room"}, query: "from=2026-12-01&to=2026-12-31"},
	"GET /api/v1/freebusy":            {ok: 200, query: "member_ids=me&from=2026-12-01&to=2026-12-08"},
	"GET /api/v1/find-a-time":         {ok: 200, query: "member_ids=me&from=2026-12-01&to=2026-12-08&duration_minutes=30"},
	"GET /api/v1/reports":             {ok: 200},
	"POST /api/v1/reports": {ok: 201, obj: []string{"report_template"}, bodyIDs: func(_ *world, _ string, ids []string) any {
		return map[string]any{"template_id": ids[0], "values": map[string]any{"done": "matrix"}}
	}},
	"GET /api/v1/reports/inbox":          {ok: 200},
	"GET /api/v1/reports/{id}":           {ok: 200, obj: []string{"report"}, custom: notRecipient},
	"PATCH /api/v1/reports/{id}":         {ok: 200, obj: []string{"report"}, custom: notAuthor, body: body(map[string]any{"values": map[string]any{"done": "edited"}})},
	"DELETE /api/v1/reports/{id}":        {ok: any2xx, obj: []string{"report_draft"}, custom: notAuthor, fresh: true},
	"POST /api/v1/reports/{id}/submit":   {ok: 200, obj: []string{"report_draft"}, custom: notAuthor, fresh: true},
	"POST /api/v1/reports/{id}/read":     {ok: 200, obj: []string{"report"}, custom: notRecipient},
	"GET /api/v1/reports/{id}/comments":  {ok: 200, obj: []string{"report"}, custom: notRecipient},
	"POST /api/v1/reports/{id}/comments": {ok: 201, obj: []string{"report"}, custom: notRecipient, body: body(map[string]any{"body": "matrix"})},
	"POST /api/v1/report-files":          {ok: 201, raw: func(w *world) (string, []byte) { return "text/plain", []byte("notes") }},
	"GET /api/v1/report-files/{id}":      {ok: 200, obj: []string{"report_file"}, custom: notRecipient},

	// Approvals: the standing template is available to everyone; the
	// standing request is filed by each organization's owner and waits,
	// in A, for any one of the admin, both custom roles and the member —
	// not the bystander, who gets 404 like everyone outside it. Holders of
	// manage_approvals see every request; only approvers decide and only
	// the applicant withdraws.
	"GET /api/v1/approval-templates": {ok: 200},
	"POST /api/v1/approval-templates": {perm: perm.ManageApprovals, ok: 201, body: func(w *world, _ string) any {
		return map[string]any{"name": fmt.Sprintf("Template %d", w.seq.Add(1))}
	}},
	"GET /api/v1/approval-templates/{id}": {ok: 200, obj: []string{"approval_template"}},
	"PUT /api/v1/approval-templates/{id}": {perm: perm.ManageApprovals, ok: 200, obj: []string{"approval_template"}, fresh: true,
		body: body(map[string]any{"name": "Renamed"})},
	"POST /api/v1/approval-templates/{id}/archive":     {perm: perm.ManageApprovals, ok: any2xx, obj: []string{"approval_template"}, fresh: true},
	"POST /api/v1/approval-templates/{id}/restore":     {perm: perm.ManageApprovals, ok: any2xx, obj: []string{"approval_template"}, fresh: true},
	"POST /api/v1/approval-templates/{id}/preview":     {ok: 200, obj: []string{"approval_template"}, body: body(map[string]any{"form": map[string]any{}})},
	"GET /api/v1/approval-templates/{id}/stats":        {perm: perm.ManageApprovals, ok: 200, obj: []string{"approval_template"}},
	"GET /api/v1/approval-templates/{id}/requests.csv": {perm: perm.ManageApprovals, ok: 200, obj: []string{"approval_template"}},
	"GET /api/v1/approvals":                            {ok: 200},
	"POST /api/v1/approvals": {ok: 201, obj: []string{"approval_template"}, bodyIDs: func(_ *world, _ string, ids []string) any {
		return map[string]any{"template_id": ids[0], "form": map[string]any{}}
	}},
	"GET /api/v1/approvals/{id}":          {ok: 200, obj: []string{"approval"}, custom: notRecipient},
	"POST /api/v1/approvals/{id}/approve": {ok: 200, obj: []string{"approval"}, fresh: true, custom: notApprover, reads: applicants},
	"POST /api/v1/approvals/{id}/reject":  {ok: 200, obj: []string{"approval"}, fresh: true, custom: notApprover, reads: applicants},
	"POST /api/v1/approvals/{id}/withdraw": {ok: 200, obj: []string{"approval"}, fresh: true, reads: approvers,
		custom: map[string]int{Admin: 403, CustomWith: 403, CustomWithout: 403, Member: 403, Bystander: 404}},
	"POST /api/v1/approvals/{id}/return": {ok: 200, obj: []string{"approval"}, fresh: true, custom: notApprover, reads: applicants,
		body: body(map[string]any{"to_step": ""})},
	"POST /api/v1/approvals/{id}/resubmit": {ok: 409, okCode: "not_returned", obj: []string{"approval"}, reads: approvers,
		custom: map[string]int{Admin: 403, CustomWith: 403, CustomWithout: 403, Member: 403, Bystander: 404}, body: body(map[string]any{"form": map[string]any{}})},
	// To someone other than the applicant (the owner filed the standing
	// approvals), who may not approve their own request.
	"POST /api/v1/approvals/{id}/transfer": {ok: 200, obj: []string{"approval"}, fresh: true, custom: notApprover, reads: applicants,
		body: func(w *world, actor string) any { return map[string]any{"to": w.notApplicant(actor)} }},
	"POST /api/v1/approvals/{id}/add-approver": {ok: 200, obj: []string{"approval"}, fresh: true, custom: notApprover, reads: applicants,
		body: func(w *world, actor string) any {
			return map[string]any{"member_ids": []string{w.notApplicant(actor)}, "position": "after"}
		}},
	"POST /api/v1/approvals/{id}/urge": {ok: any2xx, obj: []string{"approval"}, fresh: true, reads: approvers,
		custom: map[string]int{Admin: 403, CustomWith: 403, CustomWithout: 403, Member: 403, Bystander: 404}},
	"POST /api/v1/approvals/{id}/comments": {ok: 201, obj: []string{"approval"}, custom: notRecipient, body: body(map[string]any{"body": "matrix"})},
	"POST /api/v1/approval-files":          {ok: 201, raw: func(w *world) (string, []byte) { return "text/plain", []byte("receipt") }},
	"GET /api/v1/approval-files/{id}":      {ok: 200, obj: []string{"approval_file"}, custom: notRecipient},
	"GET /api/v1/approval-delegation":      {ok: 200},
	"PUT /api/v1/approval-delegation": {ok: passed, body: func(w *world, actor string) any {
		return map[string]any{"to": w.admin(home(actor)).MemberID, "from": 1, "until": 2}
	}},
	"DELETE /api/v1/approval-delegation": {ok: any2xx},

	// Audit log.
	"GET /api/v1/audit":        {perm: perm.ViewAuditLog, ok: 200},
	"GET /api/v1/audit/verify": {perm: perm.ViewAuditLog, ok: 200},

	// Conversations: Owner (and OtherOrg in B) created them and own them;
	// the other participants are plain members; everybody else sees none.
	"GET /api/v1/conversations": {ok: 200},
	"POST /api/v1/conversations": {ok: 201, body: func(w *world, _ string) any {
		return map[string]any{"kind": "general", "name": fmt.Sprintf("G%d", w.seq.Add(1)), "member_ids": []string{}}
	}},
	"GET /api/v1/conversations/{id}":                           {ok: 200, obj: []string{"conversation"}, party: "participant"},
	"PATCH /api/v1/conversations/{id}":                         {ok: 200, obj: []string{"conversation"}, party: "owner", body: body(map[string]any{"topic": "matrix"})},
	"DELETE /api/v1/conversations/{id}":                        {ok: any2xx, obj: []string{"conversation"}, party: "owner", fresh: true},
	"PATCH /api/v1/conversations/{id}/me":                      {ok: 200, obj: []string{"conversation"}, party: "participant", body: body(map[string]any{"muted": false})},
	"GET /api/v1/conversations/{id}/members":                   {ok: 200, obj: []string{"conversation"}, party: "participant"},
	"POST /api/v1/conversations/{id}/members":                  {ok: passed, obj: []string{"conversation"}, party: "owner", body: body(map[string]any{"account_ids": []string{}})},
	"DELETE /api/v1/conversations/{id}/members/{account_id}":   {ok: any2xx, obj: []string{"conversation", "conv_member"}, party: "owner", fresh: true},
	"PUT /api/v1/conversations/{id}/members/{account_id}/role": {ok: any2xx, obj: []string{"conversation", "conv_member"}, party: "owner", body: body(map[string]any{"role": "member"})},
	"POST /api/v1/conversations/{id}/leave":                    {ok: passed, obj: []string{"conversation"}, party: "participant", fresh: true},
	"POST /api/v1/conversations/{id}/transfer":                 {ok: any2xx, obj: []string{"conversation"}, party: "owner", fresh: true, body: func(w *world, actor string) any { return map[string]any{"account_id": w.participantOf(actor)} }},
	"POST /api/v1/conversations/{id}/read":                     {ok: 200, obj: []string{"conversation", "message"}, party: "participant", bodyIDs: func(w *world, _ string, ids []string) any { return map[string]any{"up_to_message_id": ids[1]} }},
	"POST /api/v1/conversations/{id}/messages": {ok: 201, obj: []string{"conversation"}, party: "participant", body: func(w *world, _ string) any {
		return map[string]any{"client_msg_id": fmt.Sprintf("m%d", w.seq.Add(1)), "body": "hi"}
	}},
	"POST /api/v1/conversations/{id}/forward": {ok: 201, obj: []string{"conversation"}, party: "participant", body: func(w *world, actor string) any {
		o := w.objects[home(actor)]
		return map[string]any{"client_msg_id": fmt.Sprintf("f%d", w.seq.Add(1)), "message_ids": []string{o["message"]}, "targets": []string{o["conversation2"]}}
	}},
	"GET /api/v1/conversations/{id}/messages":                                   {ok: 200, obj: []string{"conversation"}, party: "participant"},
	"GET /api/v1/conversations/{id}/pins":                                       {ok: 200, obj: []string{"conversation"}, party: "participant"},
	"GET /api/v1/conversations/{id}/messages/{message_id}":                      {ok: 200, obj: []string{"conversation", "message"}, party: "participant"},
	"PATCH /api/v1/conversations/{id}/messages/{message_id}":                    {ok: 200, obj: []string{"conversation", "message"}, party: "owner", body: body(map[string]any{"body": "edited"})},
	"GET /api/v1/conversations/{id}/messages/{message_id}/edits":                {ok: 200, obj: []string{"conversation", "message"}, party: "participant"},
	"GET /api/v1/conversations/{id}/messages/{message_id}/receipts":             {ok: 200, obj: []string{"conversation", "message"}, party: "participant"},
	"PUT /api/v1/conversations/{id}/messages/{message_id}/reactions/{emoji}":    {ok: any2xx, obj: []string{"conversation", "message", "emoji"}, party: "participant"},
	"DELETE /api/v1/conversations/{id}/messages/{message_id}/reactions/{emoji}": {ok: any2xx, obj: []string{"conversation", "message", "emoji"}, party: "participant"},
	"PUT /api/v1/conversations/{id}/messages/{message_id}/saved":                {ok: any2xx, obj: []string{"conversation", "message"}, party: "participant"},
	"DELETE /api/v1/conversations/{id}/messages/{message_id}/saved":             {ok: any2xx, obj: []string{"conversation", "message"}, party: "participant"},
	"PUT /api/v1/conversations/{id}/messages/{message_id}/pin":                  {ok: any2xx, obj: []string{"conversation", "message"}, party: "participant"},
	"DELETE /api/v1/conversations/{id}/messages/{message_id}/pin":               {ok: any2xx, obj: []string{"conversation", "message"}, party: "participant"},
	"GET /api/v1/search/messages":                                               {ok: 200, query: "q=hello"},
	"POST /api/v1/files":                                                        {ok: 201, raw: func(w *world) (string, []byte) { return "text/plain", []byte("hello") }},
	"GET /api/v1/files/{id}":                                                    {ok: 200, obj: []string{"file"}},
	"GET /api/v1/files/{id}/content":                                            {ok: 200, obj: []string{"file"}},
	"GET /api/v1/files/{id}/thumbnail":                                          {ok: 404, okCode: "no_thumbnail", obj: []string{"file"}},
	"GET /api/v1/notifications":                                                 {ok: 200},
	"POST /api/v1/notifications/read":                                           {ok: 200, body: body(map[string]any{"all": true})},

	// The privacy center, for each person.
	"GET /api/v1/me/data":                  {ok: 200},
	"POST /api/v1/me/exports":              {ok: any2xx},
	"GET /api/v1/me/exports":               {ok: 200},
	"GET /api/v1/me/exports/{id}":          {ok: 200, obj: []string{"export"}},
	"GET /api/v1/me/exports/{id}/download": {ok: passed, obj: []string{"export"}},
	"POST /api/v1/me/erasures/message": {ok: any2xx, obj: []string{"conversation", "message"}, party: "participant", fresh: true, bodyIDs: func(w *world, _ string, ids []string) any {
		return map[string]any{"conversation_id": ids[0], "message_id": ids[1], "for_everyone": false}
	}},
	"POST /api/v1/me/erasures/conversation": {ok: any2xx, obj: []string{"conversation"}, party: "participant", fresh: true, bodyIDs: func(w *world, _ string, ids []string) any {
		return map[string]any{"conversation_id": ids[0], "for_everyone": false}
	}},
	"POST /api/v1/me/erasures/profile":               {ok: any2xx, body: body(map[string]any{"fields": map[string]any{"display_name": "Renamed"}})},
	"POST /api/v1/me/erasures/quit-org":              {ok: passed, last: true, standIn: true},
	"POST /api/v1/me/erasures/account":               {ok: 403, okCode: "invalid_password", body: body(map[string]any{"password": "wrong password"})},
	"GET /api/v1/me/erasures":                        {ok: 200},
	"GET /api/v1/policies":                           {ok: anyStatus},
	"GET /api/v1/me/policies":                        {ok: 200},
	"POST /api/v1/me/policies/accept":                {ok: passed, body: body(map[string]any{"document_ids": []string{}})},
	"GET /api/v1/me/consents":                        {ok: 200},
	"PUT /api/v1/me/consents/{purpose}":              {ok: 200, obj: []string{"purpose"}, body: body(map[string]any{"granted": false})},
	"POST /api/v1/me/contact-matches":                {ok: 403, okCode: "consent_required", body: body(map[string]any{"phones": []string{}})},
	"GET /api/v1/me/guardian-consent":                {ok: 200},
	"POST /api/v1/me/guardian-consent/request":       {ok: 409, okCode: "guardian_consent_not_required", body: body(map[string]any{"guardian_name": "Gina", "guardian_email": "gina@authz.test"})},
	"GET /api/v1/guardian-consents/{token}":          {ok: anyStatus, obj: []string{"guardian_token"}},
	"POST /api/v1/guardian-consents/{token}/confirm": {ok: anyStatus, obj: []string{"guardian_token"}, body: body(map[string]any{"guardian_name": "Gina", "consent": true})},
	"POST /api/v1/me/requests":                       {ok: any2xx, body: body(map[string]any{"kind": "access"})},
	"GET /api/v1/me/requests":                        {ok: 200},
	"GET /api/v1/me/requests/{id}":                   {ok: 200, obj: []string{"request"}},
	"GET /api/v1/me/security-notices":                {ok: 200},
	"GET /api/v1/me/unacknowledged":                  {ok: 200},
	"POST /api/v1/me/security-notices/{id}/read":     {ok: any2xx, obj: []string{"notice"}},

	// Privacy administration of the current organization.
	"GET /api/v1/admin/privacy/settings":                         {perm: perm.ManageRetention, ok: 200},
	"PUT /api/v1/admin/privacy/settings":                         {perm: perm.ManageRetention, ok: 200, body: body(map[string]any{"leave_action": "anonymize", "leave_period_days": 30, "export_others_messages": false, "tell_about_holds": false})},
	"POST /api/v1/admin/privacy/notice":                          {perm: perm.ManagePrivacyRequests, ok: passed, body: body(map[string]any{"kind": "org_notice", "version": "1", "summary": "s", "body": "b"})},
	"GET /api/v1/admin/retention":                                {perm: perm.ManageRetention, ok: 200},
	"PUT /api/v1/admin/retention/policies":                       {perm: perm.ManageRetention, ok: 200, body: body(map[string]any{"policies": []any{}})},
	"PUT /api/v1/admin/retention/overrides/{conversation_id}":    {deny: 404, perm: perm.ManageRetention, ok: 200, obj: []string{"conversation"}, body: body(map[string]any{"days": 365})},
	"DELETE /api/v1/admin/retention/overrides/{conversation_id}": {deny: 404, perm: perm.ManageRetention, ok: any2xx, obj: []string{"override"}, fresh: true},
	"POST /api/v1/admin/retention/preview":                       {perm: perm.ManageRetention, ok: 200, body: body(map[string]any{"policies": []any{}, "overrides": []any{}})},
	"POST /api/v1/admin/retention/runs":                          {perm: perm.ManageRetention, ok: any2xx},
	"GET /api/v1/admin/retention/runs":                           {perm: perm.ManageRetention, ok: 200},
	"GET /api/v1/admin/retention/runs/{id}":                      {deny: 404, perm: perm.ManageRetention, ok: 200, obj: []string{"run"}},
	// Holds go on conversations of their own: a hold on the standing one
	// would (rightly) refuse the message deletes tested below.
	"POST /api/v1/admin/legal-holds": {perm: perm.ManageLegalHolds, ok: any2xx, obj: []string{"conversation"}, fresh: true, bodyIDs: func(w *world, _ string, ids []string) any {
		return map[string]any{"target_kind": "conversation", "target_id": ids[0], "reason": "matrix"}
	}},
	"GET /api/v1/admin/legal-holds":                     {perm: perm.ManageLegalHolds, ok: 200},
	"GET /api/v1/admin/legal-holds/targets":             {perm: perm.ManageLegalHolds, ok: 200},
	"POST /api/v1/admin/legal-holds/{id}/release":       {deny: 404, perm: perm.ManageLegalHolds, ok: 200, obj: []string{"hold"}, fresh: true},
	"GET /api/v1/admin/privacy-requests":                {perm: perm.ManagePrivacyRequests, ok: 200},
	"POST /api/v1/admin/privacy-requests/{id}/decision": {deny: 404, perm: perm.ManagePrivacyRequests, ok: 200, obj: []string{"privacy_request"}, fresh: true, body: body(map[string]any{"status": "in_progress", "note": "looking"})},
	"POST /api/v1/admin/guardian-consents": {perm: perm.ManagePrivacyRequests, ok: passed, obj: []string{"conv_member"}, bodyIDs: func(w *world, _ string, ids []string) any {
		return map[string]any{"account_id": ids[0], "guardian_name": "Gina", "method": "paper form"}
	}},
	"GET /api/v1/admin/record-of-processing": {perm: perm.ManagePrivacyRequests, ok: 200},
	"POST /api/v1/admin/security-notices": {perm: perm.SendSecurityNotices, ok: any2xx, otherStatus: 400, obj: []string{"conv_member"}, bodyIDs: func(w *world, _ string, ids []string) any {
		return map[string]any{"title": "t", "what_happened": "x", "impact": "x", "remedies": "x", "account_ids": []string{ids[0]}}
	}},
	"GET /api/v1/admin/security-notices": {perm: perm.SendSecurityNotices, ok: 200},
}

var paramRe = regexp.MustCompile(`\{([^}]+)\}`)

// params returns the names of the pattern's path parameters.
func params(pattern string) []string {
	var out []string
	for _, m := range paramRe.FindAllStringSubmatch(pattern, -1) {
		out = append(out, strings.TrimSuffix(m[1], "..."))
	}
	return out
}
