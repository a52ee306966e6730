package authz_test

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/atrium-hq/atrium/internal/directory"
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
	perm directory.Permission
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
	// deny is the status for a signed-in member without the right (403).
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
}

// objects of the API whose ids are personal (belong to an account, not an
// organization).
var personalKinds = map[string]bool{"session": true, "contact": true, "contact_request": true, "person": true}

func named(prefix string) func(w *world, actor string) any {
	return func(w *world, actor string) any {
		return map[string]any{"name": fmt.Sprintf("%s %d", prefix, w.seq.Add(1))}
	}
}

func body(v map[string]any) func(w *world, actor string) any {
	return func(*world, string) any { return v }
}

// matrix has one entry per route of internal/server/routes.go. A route
// without an entry fails TestMatrixCoversEveryRoute, naming it.
var matrix = map[string]entry{
	// Public routes answer the same to everyone.
	"GET /api/v1/health":       {ok: anyStatus},
	"GET /api/v1/openapi.json": {ok: anyStatus},
	"POST /api/v1/auth/register": {ok: anyStatus, body: func(w *world, _ string) any {
		return map[string]any{"email": w.email("reg"), "password": pw, "name": "Reg"}
	}},
	"POST /api/v1/auth/verify":                 {ok: anyStatus, body: body(map[string]any{"email": "nobody@authz.test", "code": "000000"})},
	"POST /api/v1/auth/login":                  {ok: anyStatus, body: body(map[string]any{"email": "nobody@authz.test", "password": "wrong password"})},
	"POST /api/v1/auth/password-reset":         {ok: anyStatus, body: body(map[string]any{"email": "nobody@authz.test"})},
	"POST /api/v1/auth/password-reset/confirm": {ok: anyStatus, body: body(map[string]any{"email": "nobody@authz.test", "code": "000000", "password": "another long password"})},
	"GET /api/v1/setup":                        {ok: anyStatus},
	"POST /api/v1/setup":                       {ok: anyStatus, body: body(map[string]any{"token": "0000", "organization": map[string]any{"name": "X"}, "owner": map[string]any{"name": "X", "email": "x@authz.test", "password": pw}})},

	// The signed-in person's own account.
	"POST /api/v1/auth/logout":                   {ok: any2xx, session: true},
	"GET /api/v1/me":                             {ok: 200},
	"PATCH /api/v1/me":                           {ok: 200, body: body(map[string]any{"locale": "en"})},
	"GET /api/v1/me/sessions":                    {ok: 200},
	"DELETE /api/v1/me/sessions/{id}":            {ok: any2xx, obj: []string{"session"}, fresh: true},
	"POST /api/v1/me/password":                   {ok: passed, body: body(map[string]any{"current": "wrong password", "new": "a brand new password"})},
	"GET /api/v1/me/login-history":               {ok: 200},
	"GET /api/v1/me/notices":                     {ok: 200},
	"POST /api/v1/me/2fa/setup":                  {ok: 200},
	"POST /api/v1/me/2fa/enable":                 {ok: passed, body: body(map[string]any{"code": "000000"})},
	"POST /api/v1/me/2fa/disable":                {ok: passed, body: body(map[string]any{"password": "wrong password", "code": "000000"})},
	"GET /api/v1/me/orgs":                        {ok: 200},
	"POST /api/v1/me/org":                        {ok: 200, body: func(w *world, actor string) any { return map[string]any{"org_id": w.orgOf(actor)} }, custom: map[string]int{External: 404, Deactivated: 404, Removed: 404}},
	"GET /api/v1/me/privacy":                     {ok: 200},
	"PATCH /api/v1/me/privacy":                   {ok: 200, body: body(map[string]any{"discoverable": true})},
	"GET /api/v1/me/join-requests":               {ok: 200},
	"POST /api/v1/orgs":                          {ok: 201, last: true, session: true, body: named("New org")},
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
	"POST /api/v1/people/lookup":                 {ok: passed, body: func(w *world, _ string) any { return map[string]any{"email": w.who[Member].Email} }},
	"GET /api/v1/stream":                         {ok: passed},

	// The current organization.
	"GET /api/v1/me/permissions": {ok: 200},
	"GET /api/v1/orgs/current":   {ok: 200},
	"PATCH /api/v1/orgs/current": {perm: directory.PermManageOrg, ok: 200, body: body(map[string]any{"industry": "Software"})},
	"POST /api/v1/orgs/current/transfer": {owner: true, ok: 403, okCode: "reauthentication_failed", body: func(w *world, actor string) any {
		return map[string]any{"member_id": w.who[Bystander].MemberID, "password": "wrong password"}
	}},
	"POST /api/v1/orgs/current/disband": {owner: true, ok: 403, okCode: "reauthentication_failed", body: func(w *world, actor string) any {
		return map[string]any{"name": map[string]string{"A": "Org A", "B": "Org B"}[home(actor)], "password": "wrong password"}
	}},
	"POST /api/v1/orgs/current/quit": {ok: passed, last: true},

	// Members.
	"GET /api/v1/members":  {ok: 200},
	"POST /api/v1/members": {perm: directory.PermManageMembers, ok: 201, body: func(w *world, _ string) any { return map[string]any{"account_id": w.account("Added").AccountID} }},
	"POST /api/v1/members/import": {perm: directory.PermManageMembers, ok: 200, raw: func(w *world) (string, []byte) {
		return "text/csv", []byte("email,display_name\nimported@authz.test,Imported\n")
	}},
	"GET /api/v1/members/export":           {perm: directory.PermManageMembers, ok: 200},
	"GET /api/v1/members/{id}":             {ok: 200, obj: []string{"member"}},
	"PATCH /api/v1/members/{id}":           {perm: directory.PermManageMembers, ok: 200, obj: []string{"member"}, body: body(map[string]any{"title": "Engineer"})},
	"DELETE /api/v1/members/{id}":          {perm: directory.PermManageMembers, ok: any2xx, obj: []string{"member"}, fresh: true},
	"POST /api/v1/members/{id}/deactivate": {perm: directory.PermManageMembers, ok: 200, obj: []string{"member"}, fresh: true},
	"POST /api/v1/members/{id}/reactivate": {perm: directory.PermManageMembers, ok: passed, obj: []string{"member"}, fresh: true},
	"GET /api/v1/members/{id}/supervisors": {ok: 200, obj: []string{"member"}},
	"PUT /api/v1/members/{id}/roles":       {perm: directory.PermManageRoles, ok: 200, obj: []string{"member"}, fresh: true, body: body(map[string]any{"role": "member"})},

	// Departments.
	"GET /api/v1/departments":              {ok: 200},
	"POST /api/v1/departments":             {perm: directory.PermManageDepartments, ok: 201, body: named("Dept")},
	"GET /api/v1/departments/{id}":         {ok: 200, obj: []string{"department"}},
	"PATCH /api/v1/departments/{id}":       {perm: directory.PermManageDepartments, ok: 200, obj: []string{"department"}, body: named("Renamed")},
	"DELETE /api/v1/departments/{id}":      {perm: directory.PermManageDepartments, ok: any2xx, obj: []string{"department"}, fresh: true},
	"GET /api/v1/departments/{id}/members": {ok: 200, obj: []string{"department"}},
	"PUT /api/v1/departments/{id}/leaders": {perm: directory.PermManageDepartments, ok: 200, obj: []string{"department"}, body: body(map[string]any{"member_ids": []string{}})},

	// Roles.
	"GET /api/v1/roles": {ok: 200},
	"POST /api/v1/roles": {perm: directory.PermManageRoles, ok: 201, body: func(w *world, _ string) any {
		return map[string]any{"name": fmt.Sprintf("Role %d", w.seq.Add(1)), "permissions": []string{}}
	}},
	"GET /api/v1/roles/{id}": {ok: 200, obj: []string{"role"}},
	"PUT /api/v1/roles/{id}": {perm: directory.PermManageRoles, ok: 200, obj: []string{"role"}, body: func(w *world, _ string) any {
		return map[string]any{"name": fmt.Sprintf("Role %d", w.seq.Add(1)), "permissions": []string{}}
	}},
	"DELETE /api/v1/roles/{id}": {perm: directory.PermManageRoles, ok: any2xx, obj: []string{"role"}, fresh: true},

	// Custom profile fields.
	"GET /api/v1/fields": {ok: 200},
	"POST /api/v1/fields": {perm: directory.PermManageFields, ok: 201, body: func(w *world, _ string) any {
		return map[string]any{"name": fmt.Sprintf("Field %d", w.seq.Add(1)), "kind": "text"}
	}},
	"GET /api/v1/fields/{id}":    {ok: 200, obj: []string{"field"}},
	"PATCH /api/v1/fields/{id}":  {perm: directory.PermManageFields, ok: 200, obj: []string{"field"}, body: named("Field")},
	"DELETE /api/v1/fields/{id}": {perm: directory.PermManageFields, ok: any2xx, obj: []string{"field"}, fresh: true},

	// Invitations and join requests.
	"GET /api/v1/invitations":                 {perm: directory.PermManageInvitations, ok: 200},
	"POST /api/v1/invitations":                {perm: directory.PermManageInvitations, ok: 201, body: body(map[string]any{"kind": "link"})},
	"GET /api/v1/invitations/{id}":            {perm: directory.PermManageInvitations, ok: 200, obj: []string{"invitation"}},
	"DELETE /api/v1/invitations/{id}":         {perm: directory.PermManageInvitations, ok: 200, obj: []string{"invitation"}, fresh: true},
	"GET /api/v1/invitations/{id}/qr.png":     {perm: directory.PermManageInvitations, ok: 200, obj: []string{"invitation"}},
	"GET /api/v1/invitations/{id}/qr.svg":     {perm: directory.PermManageInvitations, ok: 200, obj: []string{"invitation"}},
	"GET /api/v1/join-requests":               {perm: directory.PermManageInvitations, ok: 200},
	"POST /api/v1/join-requests/{id}/approve": {perm: directory.PermManageInvitations, ok: 200, obj: []string{"join_request"}, fresh: true},
	"POST /api/v1/join-requests/{id}/reject":  {perm: directory.PermManageInvitations, ok: 200, obj: []string{"join_request"}, fresh: true},

	// Audit log.
	"GET /api/v1/audit": {perm: directory.PermViewAuditLog, ok: 200},
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
