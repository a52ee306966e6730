package directory

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"sort"
	"strconv"
	"strings"

	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/perm"
)

// store holds the directory's SQL. It returns db.ErrNotFound and
// db.ErrConflict, never service errors.
type store struct {
	d *db.DB
	// names seals and opens the organization's own names (sealed_names.go).
	names *sealedNames
}

func (st store) r(ctx context.Context) db.Querier { return st.d.R(ctx) }
func (st store) w(ctx context.Context) db.Querier { return st.d.W(ctx) }

// exec runs a write and classifies its error; with mustHit it returns
// ErrNotFound when no row changed.
func (st store) exec(ctx context.Context, mustHit bool, q string, args ...any) error {
	res, err := st.w(ctx).ExecContext(ctx, q, args...)
	if err != nil {
		return st.d.Classify(err)
	}
	if mustHit {
		if n, err := res.RowsAffected(); err == nil && n == 0 {
			return db.ErrNotFound
		}
	}
	return nil
}

// nullable stores "" (and 0) as NULL.
func nullable[T comparable](v T) any {
	var zero T
	if v == zero {
		return nil
	}
	return v
}

func jsonList[T any](s string) []T {
	var out []T
	_ = json.Unmarshal([]byte(s), &out)
	if out == nil {
		out = []T{}
	}
	return out
}

func jsonText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// ---- organizations ----------------------------------------------------------

const orgCols = `id, name, region, industry, size, owner_account_id, status, join_requires_approval, locked_profile_fields, recall_window_seconds, created_at, updated_at, name_sealed, push_content, mention_all, company_group, company_group_id`

func (st store) scanOrg(ctx context.Context, row interface{ Scan(...any) error }) (Org, error) {
	var o Org
	var locked string
	var box []byte
	err := row.Scan(&o.ID, &o.Name, &o.Region, &o.Industry, &o.Size, &o.OwnerAccountID, &o.Status,
		&o.Settings.JoinRequiresApproval, &locked, &o.Settings.RecallWindowSeconds, &o.CreatedAt, &o.UpdatedAt, &box, &o.Settings.PushContent, &o.Settings.MentionAll, &o.Settings.CompanyGroup, &o.companyGroupID)
	o.Settings.LockedProfileFields = jsonList[string](locked)
	if err == nil {
		o.Name = st.names.open(ctx, o.ID, orgNameAAD(o.ID), o.Name, box)
	}
	return o, err
}

func (st store) insertOrg(ctx context.Context, o Org) error {
	name, box, err := st.names.seal(ctx, o.ID, orgNameAAD(o.ID), o.Name)
	if err != nil {
		return err
	}
	return st.exec(ctx, false, `INSERT INTO orgs (`+orgCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`,
		o.ID, name, o.Region, o.Industry, o.Size, o.OwnerAccountID, o.Status, o.Settings.JoinRequiresApproval,
		jsonText(o.Settings.LockedProfileFields), o.Settings.RecallWindowSeconds, o.CreatedAt, o.UpdatedAt, box, pushContentOr(o.Settings.PushContent), mentionAllOr(o.Settings.MentionAll), o.Settings.CompanyGroup, o.companyGroupID)
}

// getOrg returns an active organization.
func (st store) getOrg(ctx context.Context, id string) (Org, error) {
	o, err := st.scanOrg(ctx, st.r(ctx).QueryRowContext(ctx, `SELECT `+orgCols+` FROM orgs WHERE id = $1 AND status = 'active'`, id))
	return o, st.d.Classify(err)
}

func (st store) updateOrg(ctx context.Context, o Org) error {
	name, box, err := st.names.seal(ctx, o.ID, orgNameAAD(o.ID), o.Name)
	if err != nil {
		return err
	}
	return st.exec(ctx, true, `UPDATE orgs SET name = $2, region = $3, industry = $4, size = $5, join_requires_approval = $6,
		locked_profile_fields = $7, recall_window_seconds = $8, updated_at = $9, name_sealed = $10, push_content = $11, mention_all = $12, company_group = $13 WHERE id = $1 AND status = 'active'`,
		o.ID, name, o.Region, o.Industry, o.Size, o.Settings.JoinRequiresApproval, jsonText(o.Settings.LockedProfileFields),
		o.Settings.RecallWindowSeconds, o.UpdatedAt, box, pushContentOr(o.Settings.PushContent), mentionAllOr(o.Settings.MentionAll), o.Settings.CompanyGroup)
}

// setCompanyGroupID records which conversation is the organization's
// company-wide group.
func (st store) setCompanyGroupID(ctx context.Context, orgID, convID string) error {
	return st.exec(ctx, true, `UPDATE orgs SET company_group_id = $2 WHERE id = $1`, orgID, convID)
}

// setOrgOwner hands the organization from one owner to another; it is
// db.ErrNotFound when from no longer owns it (a transfer that committed
// first: PostgreSQL re-checks the row after waiting for it).
func (st store) setOrgOwner(ctx context.Context, orgID, from, to string, now int64) error {
	return st.exec(ctx, true, `UPDATE orgs SET owner_account_id = $3, updated_at = $4 WHERE id = $1 AND owner_account_id = $2`, orgID, from, to, now)
}

func (st store) disbandOrg(ctx context.Context, orgID string, now int64) error {
	return st.exec(ctx, true, `UPDATE orgs SET status = 'disbanded', disbanded_at = $2, updated_at = $2 WHERE id = $1 AND status = 'active'`, orgID, now)
}

func (st store) anyOrg(ctx context.Context) (bool, error) {
	var n int
	err := st.r(ctx).QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM orgs LIMIT 1) x`).Scan(&n)
	return n > 0, err
}

// myOrgs lists the account's active memberships of active organizations
// with the organizations' names.
func (st store) myOrgs(ctx context.Context, accountID string) ([]memberRow, []string, error) {
	type row struct {
		m    memberRow
		name string
		box  []byte
	}
	rs, err := db.QueryAll(ctx, st.r(ctx), func(s db.Scanner) (row, error) {
		var r row
		var err error
		r.m, err = scanMember(prefixed{s, []any{&r.name, &r.box}})
		return r, err
	}, `SELECT o.name, o.name_sealed, `+memberCols+`
		FROM members m JOIN orgs o ON o.id = m.org_id
		WHERE m.account_id = $1 AND m.status = 'active' AND o.status = 'active'
		ORDER BY o.id`, accountID)
	if err != nil {
		return nil, nil, err
	}
	var ms []memberRow
	var names []string
	for _, r := range rs {
		ms = append(ms, r.m)
		names = append(names, st.names.open(ctx, r.m.OrgID, orgNameAAD(r.m.OrgID), r.name, r.box))
	}
	return ms, names, nil
}

// prefixed scans leading columns into first, then the rest.
type prefixed struct {
	sc    interface{ Scan(...any) error }
	first []any
}

func (p prefixed) Scan(dest ...any) error {
	return p.sc.Scan(append(append([]any{}, p.first...), dest...)...)
}

// ---- members ----------------------------------------------------------------

// memberRow is a members row. The profile fields (DisplayName, Title,
// EmployeeNo, Email, Office) hold plaintext: as read, only that of rows
// written before the fields were sealed; the service opens box into them
// (openMembers) and seals them into box before a write (sealMember).
// WorkPhone is sealed with the organization's key.
type memberRow struct {
	ID, OrgID, AccountID, Role, Status string
	DisplayName                        string
	// NamePinyin and NameInitials are the search and sort keys of the
	// display name (member_search), computed from it.
	NamePinyin, NameInitials string
	Title                    string
	TitleLevel               int
	EmployeeNo               string
	EmployeeNoHash           string
	WorkPhone                []byte
	WorkPhoneHash            string
	Email, Office, JoinDate  string
	SupervisorID             string
	CreatedAt, UpdatedAt     int64
	LeftAt                   int64
	box                      memberBox
}

// memberBox holds a member's sealed profile fields as stored.
type memberBox struct {
	DisplayName, Title, EmployeeNo, Email, Office []byte
}

const memberCols = `m.id, m.org_id, m.account_id, m.role, m.status, m.display_name, m.display_name_sealed,
	m.title, m.title_sealed, m.title_level, m.employee_no, m.employee_no_sealed, m.employee_no_hash,
	m.work_phone, m.work_phone_hash, m.email, m.email_sealed, m.office, m.office_sealed, m.join_date,
	COALESCE(m.supervisor_id, ''), m.created_at, m.updated_at, COALESCE(m.left_at, 0)`

func scanMember(row interface{ Scan(...any) error }) (memberRow, error) {
	var r memberRow
	err := row.Scan(&r.ID, &r.OrgID, &r.AccountID, &r.Role, &r.Status, &r.DisplayName, &r.box.DisplayName,
		&r.Title, &r.box.Title, &r.TitleLevel, &r.EmployeeNo, &r.box.EmployeeNo, &r.EmployeeNoHash,
		&r.WorkPhone, &r.WorkPhoneHash, &r.Email, &r.box.Email, &r.Office, &r.box.Office, &r.JoinDate,
		&r.SupervisorID, &r.CreatedAt, &r.UpdatedAt, &r.LeftAt)
	return r, err
}

func (st store) members(ctx context.Context, q string, args ...any) ([]memberRow, error) {
	return db.QueryAll(ctx, st.r(ctx), scanMember, q, args...)
}

// insertMember stores a new member, its profile fields sealed (the
// plaintext columns stay empty), and its entry in the search index.
func (st store) insertMember(ctx context.Context, r memberRow) error {
	err := st.exec(ctx, false, `INSERT INTO members (id, org_id, account_id, role, status, display_name, display_name_sealed,
		title, title_sealed, title_level, employee_no, employee_no_sealed, employee_no_hash, work_phone, work_phone_hash,
		email, email_sealed, office, office_sealed, join_date, supervisor_id, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, '', $6, '', $7, $8, '', $9, $10, $11, $12, '', $13, '', $14, $15, $16, $17, $18)`,
		r.ID, r.OrgID, r.AccountID, r.Role, r.Status, r.box.DisplayName, r.box.Title, r.TitleLevel,
		r.box.EmployeeNo, r.EmployeeNoHash, r.WorkPhone, r.WorkPhoneHash, r.box.Email, r.box.Office, r.JoinDate,
		nullable(r.SupervisorID), r.CreatedAt, r.UpdatedAt)
	if err != nil {
		return err
	}
	return st.putSearch(ctx, r)
}

// putSearch writes r's entry in the member search index (derived data:
// the plaintext that search and sorting need).
func (st store) putSearch(ctx context.Context, r memberRow) error {
	return st.exec(ctx, false, `INSERT INTO member_search (member_id, org_id, sort_key, initials, name, title, employee_no, email, name_keys)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
		ON CONFLICT (member_id) DO UPDATE SET sort_key = excluded.sort_key, initials = excluded.initials, name = excluded.name,
		title = excluded.title, employee_no = excluded.employee_no, email = excluded.email, name_keys = excluded.name_keys`,
		r.ID, r.OrgID, r.NamePinyin, r.NameInitials, strings.ToLower(r.DisplayName), strings.ToLower(r.Title),
		strings.ToLower(r.EmployeeNo), strings.ToLower(r.Email), nameKeys(r.DisplayName))
}

// searchWithoutKeys lists up to limit index entries with a name but no
// any-word keys (written before the keys existed), as member id and the
// indexed (lower-cased) name.
func (st store) searchWithoutKeys(ctx context.Context, limit int) ([][2]string, error) {
	return db.QueryAll(ctx, st.r(ctx), func(s db.Scanner) ([2]string, error) {
		var e [2]string
		err := s.Scan(&e[0], &e[1])
		return e, err
	}, `SELECT member_id, name FROM member_search WHERE name_keys = '' AND name <> '' ORDER BY member_id LIMIT $1`, limit)
}

// setSearchKeys sets the any-word keys of a member's index entry.
func (st store) setSearchKeys(ctx context.Context, memberID, keys string) error {
	return st.exec(ctx, false, `UPDATE member_search SET name_keys = $2 WHERE member_id = $1`, memberID, keys)
}

// blankSearch clears a member's search entry (an anonymized member).
func (st store) blankSearch(ctx context.Context, memberID string) error {
	return st.exec(ctx, false, `UPDATE member_search SET sort_key = '', initials = '', name = '', title = '', employee_no = '', email = '', name_keys = ''
		WHERE member_id = $1`, memberID)
}

// blankSearchOf clears the search entries of the members that belong to
// none of the accounts that still exist in the organization: those whose
// account id the privacy engine replaced by a tombstone.
func (st store) blankSearchOfAccount(ctx context.Context, accountID string) error {
	return st.exec(ctx, false, `UPDATE member_search SET sort_key = '', initials = '', name = '', title = '', employee_no = '', email = '', name_keys = ''
		WHERE member_id IN (SELECT id FROM members WHERE account_id = $1)`, accountID)
}

// clearSearch empties the member search index (before a rebuild).
func (st store) clearSearch(ctx context.Context) error {
	return st.exec(ctx, false, `DELETE FROM member_search`)
}

// membersAfter lists up to limit members with ids after after, in id
// order, any organization (for rebuilding the search index).
func (st store) membersAfter(ctx context.Context, after string, limit int) ([]memberRow, error) {
	return st.members(ctx, `SELECT `+memberCols+` FROM members m WHERE m.id > $1 ORDER BY m.id LIMIT $2`, after, limit)
}

func (st store) getMember(ctx context.Context, orgID, id string) (memberRow, error) {
	r, err := scanMember(st.r(ctx).QueryRowContext(ctx, `SELECT `+memberCols+` FROM members m WHERE m.id = $1 AND m.org_id = $2`, id, orgID))
	return r, st.d.Classify(err)
}

func (st store) getMemberByAccount(ctx context.Context, orgID, accountID string) (memberRow, error) {
	r, err := scanMember(st.r(ctx).QueryRowContext(ctx, `SELECT `+memberCols+` FROM members m WHERE m.org_id = $1 AND m.account_id = $2`, orgID, accountID))
	return r, st.d.Classify(err)
}

// updateMember stores r's changes, its profile fields sealed (clearing
// the plaintext of a row written before sealing), and its search entry.
func (st store) updateMember(ctx context.Context, r memberRow, phone bool) error {
	q := `UPDATE members SET display_name = '', display_name_sealed = $3, title = '', title_sealed = $4, title_level = $5,
		employee_no = '', employee_no_sealed = $6, employee_no_hash = $7, email = '', email_sealed = $8, office = '', office_sealed = $9,
		join_date = $10, supervisor_id = $11, updated_at = $12`
	args := []any{r.ID, r.OrgID, r.box.DisplayName, r.box.Title, r.TitleLevel, r.box.EmployeeNo, r.EmployeeNoHash,
		r.box.Email, r.box.Office, r.JoinDate, nullable(r.SupervisorID), r.UpdatedAt}
	if phone {
		q += `, work_phone = $13, work_phone_hash = $14`
		args = append(args, r.WorkPhone, r.WorkPhoneHash)
	}
	if err := st.exec(ctx, true, q+` WHERE id = $1 AND org_id = $2`, args...); err != nil {
		return err
	}
	return st.putSearch(ctx, r)
}

func (st store) setMemberStatus(ctx context.Context, orgID, id, status string, now int64) error {
	left := any(now)
	if status == StatusActive {
		left = nil
	}
	return st.exec(ctx, true, `UPDATE members SET status = $3, left_at = $4, updated_at = $5 WHERE id = $1 AND org_id = $2`, id, orgID, status, left, now)
}

// reactivateMember makes a deactivated member active again, only if the row
// is still the deactivated membership of accountID: ErrNotFound when it was
// changed meanwhile (say, anonymized by an erasure that committed first).
func (st store) reactivateMember(ctx context.Context, orgID, id, accountID string, now int64) error {
	return st.exec(ctx, true, `UPDATE members SET status = $4, left_at = NULL, updated_at = $5
		WHERE id = $1 AND org_id = $2 AND account_id = $3 AND status = $6`, id, orgID, accountID, StatusActive, now, StatusDeactivated)
}

func (st store) setMemberRole(ctx context.Context, orgID, id, role string, now int64) error {
	return st.exec(ctx, true, `UPDATE members SET role = $3, updated_at = $4 WHERE id = $1 AND org_id = $2`, id, orgID, role, now)
}

func (st store) deleteMember(ctx context.Context, orgID, id string) error {
	// Those who had this member as supervisor lose it (ON DELETE SET NULL).
	return st.exec(ctx, true, `DELETE FROM members WHERE id = $1 AND org_id = $2`, id, orgID)
}

func (st store) activeRole(ctx context.Context, orgID, memberID string) (string, error) {
	var role string
	err := st.r(ctx).QueryRowContext(ctx, `SELECT m.role FROM members m JOIN orgs o ON o.id = m.org_id
		WHERE m.id = $1 AND m.org_id = $2 AND m.status = 'active' AND o.status = 'active'`, memberID, orgID).Scan(&role)
	return role, st.d.Classify(err)
}

func (st store) activeMemberID(ctx context.Context, orgID, accountID string) (string, error) {
	var id string
	err := st.r(ctx).QueryRowContext(ctx, `SELECT m.id FROM members m JOIN orgs o ON o.id = m.org_id
		WHERE m.org_id = $1 AND m.account_id = $2 AND m.status = 'active' AND o.status = 'active'`, orgID, accountID).Scan(&id)
	return id, st.d.Classify(err)
}

// activeAccountIDs lists the accounts of the organization's active
// members, earliest first.
func (st store) activeAccountIDs(ctx context.Context, orgID string) ([]string, error) {
	return st.strings(ctx, `SELECT account_id FROM members WHERE org_id = $1 AND status = 'active' ORDER BY created_at, id`, orgID)
}

// activeMemberByWorkEmail returns the active member of orgID whose work
// email (lower-cased in the search index) is email ("" for none).
func (st store) activeMemberByWorkEmail(ctx context.Context, orgID, email string) (string, error) {
	if email == "" {
		return "", nil
	}
	ids, err := db.QueryAll(ctx, st.r(ctx), db.Value[string], `SELECT m.id FROM member_search s JOIN members m ON m.id = s.member_id
		WHERE s.org_id = $1 AND s.email = $2 AND m.status = 'active' ORDER BY m.created_at, m.id LIMIT 1`, orgID, email)
	if err != nil || len(ids) == 0 {
		return "", err
	}
	return ids[0], nil
}

// activeMemberships lists the account's active memberships of active
// organizations.
func (st store) activeMemberships(ctx context.Context, accountID string) ([]memberRow, error) {
	return st.members(ctx, `SELECT `+memberCols+` FROM members m JOIN orgs o ON o.id = m.org_id
		WHERE m.account_id = $1 AND m.status = 'active' AND o.status = 'active' ORDER BY o.name, o.id`, accountID)
}

// sharedOrgs lists the active organizations where both accounts are active
// members.
func (st store) sharedOrgs(ctx context.Context, a, b string) ([]string, error) {
	return db.QueryAll(ctx, st.r(ctx), db.Value[string], `SELECT ma.org_id FROM members ma
		JOIN members mb ON mb.org_id = ma.org_id AND mb.account_id = $2 AND mb.status = 'active'
		JOIN orgs o ON o.id = ma.org_id AND o.status = 'active'
		WHERE ma.account_id = $1 AND ma.status = 'active'`, a, b)
}

// supervisorChain returns the ids of id's supervisors, nearest first.
func (st store) supervisorChain(ctx context.Context, orgID, id string) ([]string, error) {
	ids, err := db.QueryAll(ctx, st.r(ctx), db.Value[string], `WITH RECURSIVE chain (id, supervisor_id, depth) AS (
			SELECT id, supervisor_id, 0 FROM members WHERE id = $1 AND org_id = $2
			UNION ALL
			SELECT m.id, m.supervisor_id, c.depth + 1 FROM members m JOIN chain c ON m.id = c.supervisor_id
			WHERE c.depth < 200 AND m.org_id = $2
		)
		SELECT id FROM chain WHERE depth > 0 ORDER BY depth`, id, orgID)
	if err != nil {
		return nil, err
	}
	for i, s := range ids {
		if i > 0 && s == id {
			return ids[:i], nil // a cycle made before the check existed
		}
	}
	return ids, nil
}

// memberQuery is a search of the member list.
type memberQuery struct {
	orgID, status, dept string
	recursive           bool
	text, compact       string
	phoneHash           string
	// deptIDs are the departments whose (sealed) name matches text.
	deptIDs []string
	// afterKey and afterID are the sort key and id of the last member of
	// the previous page ("" for the first page).
	afterKey, afterID string
	limit             int
}

func (st store) searchMembers(ctx context.Context, q memberQuery) ([]memberRow, error) {
	args := []any{q.orgID}
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	var with string
	where := []string{"s.org_id = $1"}
	if q.status != "all" {
		where = append(where, "m.status = "+arg(q.status))
	}
	if q.dept != "" {
		if q.recursive {
			with = `WITH RECURSIVE sub (id, depth) AS (
				SELECT id, 0 FROM departments WHERE id = ` + arg(q.dept) + ` AND org_id = $1
				UNION ALL
				SELECT d.id, sub.depth + 1 FROM departments d JOIN sub ON d.parent_id = sub.id WHERE sub.depth < 1000
			) `
			where = append(where, "EXISTS (SELECT 1 FROM department_members dm WHERE dm.member_id = m.id AND dm.department_id IN (SELECT id FROM sub))")
		} else {
			where = append(where, "EXISTS (SELECT 1 FROM department_members dm WHERE dm.member_id = m.id AND dm.department_id = "+arg(q.dept)+")")
		}
	}
	if q.text != "" {
		// The index holds lower-cased text and the query is lower-cased:
		// matching is case-insensitive beyond ASCII on both databases.
		t := strings.ToLower(q.text)
		contains := arg("%" + db.EscapeLike(t) + "%")
		prefix := arg(db.EscapeLike(t) + "%")
		il := st.d.Dialect.ILike
		ors := []string{
			il("s.name", contains),
			il("s.title", contains),
			il("s.employee_no", prefix),
			il("s.email", prefix),
		}
		if len(q.deptIDs) > 0 {
			ors = append(ors, "EXISTS (SELECT 1 FROM department_members dq WHERE dq.member_id = m.id AND dq.department_id IN ("+db.In(&args, q.deptIDs)+"))")
		}
		if q.compact != "" {
			c := arg(db.EscapeLike(q.compact) + "%")
			ors = append(ors, il("s.sort_key", c), il("s.initials", c), il("s.name_keys", arg("% "+db.EscapeLike(q.compact)+"%")))
		}
		if q.phoneHash != "" {
			ors = append(ors, "m.work_phone_hash = "+arg(q.phoneHash))
		}
		where = append(where, "("+strings.Join(ors, " OR ")+")")
	}
	if q.afterID != "" {
		k := arg(q.afterKey)
		where = append(where, "(s.sort_key > "+k+" OR (s.sort_key = "+k+" AND s.member_id > "+arg(q.afterID)+"))")
	}
	// Driven by the index, which holds one entry per member (kept in step
	// by every write, rebuilt after a restore), in its sort order.
	sqlText := with + `SELECT ` + memberCols + ` FROM member_search s JOIN members m ON m.id = s.member_id WHERE ` +
		strings.Join(where, " AND ") + ` ORDER BY s.sort_key, s.member_id LIMIT ` + arg(q.limit)
	return st.members(ctx, sqlText, args...)
}

// employeeNoTaken reports whether a member of orgID has the employee
// number no (hash: its keyed hash; rows written before sealing hold it in
// plaintext).
func (st store) employeeNoTaken(ctx context.Context, orgID, no, hash string) (bool, error) {
	n, err := st.count(ctx, `SELECT COUNT(*) FROM members WHERE org_id = $1 AND (employee_no_hash = $2 OR (employee_no <> '' AND employee_no = $3))`, orgID, hash, no)
	return n > 0, err
}

// allMembers lists every member of an organization (for export).
func (st store) allMembers(ctx context.Context, orgID string) ([]memberRow, error) {
	return st.members(ctx, `SELECT `+memberCols+` FROM members m LEFT JOIN member_search s ON s.member_id = m.id
		WHERE m.org_id = $1 ORDER BY COALESCE(s.sort_key, ''), m.id`, orgID)
}

// ---- departments ------------------------------------------------------------

const departmentCols = `id, COALESCE(parent_id, ''), name, name_sealed, sort_order, created_at, updated_at`

// scanDepartment reads a departmentCols row, its name opened and its
// leaders not yet filled in (fillDepartments).
func (st store) scanDepartment(ctx context.Context, orgID string, s db.Scanner) (Department, error) {
	var d Department
	var box []byte
	if err := s.Scan(&d.ID, &d.ParentID, &d.Name, &box, &d.SortOrder, &d.CreatedAt, &d.UpdatedAt); err != nil {
		return d, err
	}
	d.Name = st.names.open(ctx, orgID, deptNameAAD(d.ID), d.Name, box)
	d.LeaderIDs = []string{}
	return d, nil
}

func (st store) listDepartments(ctx context.Context, orgID string) ([]Department, error) {
	out, err := db.QueryAll(ctx, st.r(ctx), func(s db.Scanner) (Department, error) {
		return st.scanDepartment(ctx, orgID, s)
	}, `SELECT `+departmentCols+` FROM departments WHERE org_id = $1`, orgID)
	if err != nil {
		return nil, err
	}
	// By sort order, name and id: the names are sealed, so they are
	// sorted here.
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.SortOrder != b.SortOrder {
			return a.SortOrder < b.SortOrder
		}
		if a.Name != b.Name {
			return a.Name < b.Name
		}
		return a.ID < b.ID
	})
	idx := make(map[string]int, len(out))
	for i, d := range out {
		idx[d.ID] = i
	}
	direct := make(map[string][]string, len(out))
	if err := st.fillDepartments(ctx, `dm.org_id = $1`, orgID, func(id, member string) *Department {
		if i, ok := idx[id]; ok {
			direct[id] = append(direct[id], member)
			return &out[i]
		}
		return nil
	}); err != nil {
		return nil, err
	}
	// Each department's total counts the people of its whole subtree
	// once, however many of its sub-departments they belong to.
	children := childrenOf(out)
	for i := range out {
		seen := map[string]bool{}
		for _, id := range subtree(children, []string{out[i].ID}) {
			for _, m := range direct[id] {
				seen[m] = true
			}
		}
		out[i].TotalCount = len(seen)
	}
	return out, nil
}

// childrenOf maps each department id ("" for the top) to its children's.
func childrenOf(ds []Department) map[string][]string {
	children := make(map[string][]string, len(ds))
	for _, d := range ds {
		children[d.ParentID] = append(children[d.ParentID], d.ID)
	}
	return children
}

// subtree returns ids and the ids of all departments below them.
func subtree(children map[string][]string, ids []string) []string {
	seen := make(map[string]bool, len(ids))
	var out []string
	stack := append([]string(nil), ids...)
	for len(stack) > 0 {
		id := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if seen[id] {
			continue
		}
		seen[id] = true
		out = append(out, id)
		stack = append(stack, children[id]...)
	}
	return out
}

// departmentsMatching returns the ids of orgID's departments whose name
// contains text, ignoring case. The names are sealed, so they are opened
// and matched here; an organization has few departments.
func (st store) departmentsMatching(ctx context.Context, orgID, text string) ([]string, error) {
	ds, err := st.listDepartments(ctx, orgID)
	if err != nil {
		return nil, err
	}
	text = strings.ToLower(text)
	var hits []string
	for _, d := range ds {
		if strings.Contains(strings.ToLower(d.Name), text) {
			hits = append(hits, d.ID)
		}
	}
	// A department's people include those of its sub-departments.
	return subtree(childrenOf(ds), hits), nil
}

// fillDepartments adds leaders and active member counts; get is told each
// active member of each department.
func (st store) fillDepartments(ctx context.Context, cond string, arg string, get func(dept, member string) *Department) error {
	return db.Each(ctx, st.r(ctx), func(s db.Scanner) error {
		var dep, mem string
		var leader bool
		if err := s.Scan(&dep, &mem, &leader); err != nil {
			return err
		}
		if d := get(dep, mem); d != nil {
			d.MemberCount++
			if leader {
				d.LeaderIDs = append(d.LeaderIDs, mem)
			}
		}
		return nil
	}, `SELECT dm.department_id, dm.member_id, dm.is_leader
		FROM department_members dm JOIN members m ON m.id = dm.member_id AND m.status = 'active'
		WHERE `+cond+` ORDER BY dm.created_at, dm.member_id`, arg)
}

func (st store) getDepartment(ctx context.Context, orgID, id string) (Department, error) {
	d, err := st.scanDepartment(ctx, orgID, st.r(ctx).QueryRowContext(ctx, `SELECT `+departmentCols+`
		FROM departments WHERE id = $1 AND org_id = $2`, id, orgID))
	if err != nil {
		return d, st.d.Classify(err)
	}
	if err = st.fillDepartments(ctx, `dm.department_id = $1`, id, func(string, string) *Department { return &d }); err != nil {
		return d, err
	}
	d.TotalCount, err = st.count(ctx, `WITH RECURSIVE sub (id, depth) AS (
			SELECT id, 0 FROM departments WHERE id = $1
			UNION ALL
			SELECT d.id, sub.depth + 1 FROM departments d JOIN sub ON d.parent_id = sub.id WHERE sub.depth < 1000
		)
		SELECT COUNT(DISTINCT dm.member_id) FROM department_members dm JOIN members m ON m.id = dm.member_id AND m.status = 'active'
		WHERE dm.department_id IN (SELECT id FROM sub)`, id)
	return d, err
}

func (st store) insertDepartment(ctx context.Context, orgID string, d Department) error {
	name, box, err := st.names.seal(ctx, orgID, deptNameAAD(d.ID), d.Name)
	if err != nil {
		return err
	}
	return st.exec(ctx, false, `INSERT INTO departments (id, org_id, parent_id, name, sort_order, created_at, updated_at, name_sealed)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, d.ID, orgID, nullable(d.ParentID), name, d.SortOrder, d.CreatedAt, d.UpdatedAt, box)
}

func (st store) updateDepartment(ctx context.Context, orgID string, d Department) error {
	name, box, err := st.names.seal(ctx, orgID, deptNameAAD(d.ID), d.Name)
	if err != nil {
		return err
	}
	return st.exec(ctx, true, `UPDATE departments SET parent_id = $3, name = $4, sort_order = $5, updated_at = $6, name_sealed = $7
		WHERE id = $1 AND org_id = $2`, d.ID, orgID, nullable(d.ParentID), name, d.SortOrder, d.UpdatedAt, box)
}

func (st store) deleteDepartment(ctx context.Context, orgID, id string) error {
	if err := st.exec(ctx, false, `UPDATE invitations SET department_id = NULL WHERE department_id = $1`, id); err != nil {
		return err
	}
	return st.exec(ctx, true, `DELETE FROM departments WHERE id = $1 AND org_id = $2`, id, orgID)
}

func (st store) count(ctx context.Context, q string, args ...any) (int, error) {
	var n int
	err := st.r(ctx).QueryRowContext(ctx, q, args...).Scan(&n)
	return n, err
}

func (st store) countChildren(ctx context.Context, id string) (int, error) {
	return st.count(ctx, `SELECT COUNT(*) FROM departments WHERE parent_id = $1`, id)
}

func (st store) departmentUsedByRoles(ctx context.Context, id string) (bool, error) {
	n, err := st.count(ctx, `SELECT COUNT(*) FROM roles WHERE department_id = $1`, id)
	return n > 0, err
}

// height is how many levels of departments lie below id (0 for none).
func (st store) height(ctx context.Context, orgID, id string) (int, error) {
	return db.QueryOne(ctx, st.r(ctx), db.Value[int], `WITH RECURSIVE down (id, depth) AS (
			SELECT id, 0 FROM departments WHERE id = $1 AND org_id = $2
			UNION ALL
			SELECT d.id, down.depth + 1 FROM departments d JOIN down ON d.parent_id = down.id WHERE d.org_id = $2 AND down.depth < 1000
		)
		SELECT COALESCE(MAX(depth), 0) FROM down`, id, orgID)
}

// lockTree serializes changes to an organization's department tree until
// ctx's transaction ends (PostgreSQL: a transaction lock; SQLite's one
// writer serializes them anyway), so that two moves cannot each pass the
// cycle check against a tree the other is changing.
func (st store) lockTree(ctx context.Context, orgID string) error {
	h := fnv.New64a()
	h.Write([]byte("directory.tree:" + orgID))
	q := st.d.Dialect.XactLock(int64(h.Sum64()))
	if q == "" {
		return nil
	}
	_, err := st.w(ctx).ExecContext(ctx, q)
	return err
}

// ancestors returns the ids above id, nearest first.
func (st store) ancestors(ctx context.Context, orgID, id string) ([]string, error) {
	return db.QueryAll(ctx, st.r(ctx), db.Value[string], `WITH RECURSIVE up (id, parent_id, depth) AS (
			SELECT id, parent_id, 0 FROM departments WHERE id = $1 AND org_id = $2
			UNION ALL
			SELECT d.id, d.parent_id, up.depth + 1 FROM departments d JOIN up ON d.id = up.parent_id WHERE up.depth < 1000
		)
		SELECT id FROM up WHERE depth > 0 ORDER BY depth`, id, orgID)
}

// deptWithin reports whether dept is ancestor or inside ancestor's subtree.
func (st store) deptWithin(ctx context.Context, orgID, ancestor, dept string) (bool, error) {
	if ancestor == dept {
		return true, nil
	}
	up, err := st.ancestors(ctx, orgID, dept)
	if err != nil {
		return false, err
	}
	for _, u := range up {
		if u == ancestor {
			return true, nil
		}
	}
	return false, nil
}

func (st store) setLeaders(ctx context.Context, deptID string, memberIDs []string) error {
	if err := st.exec(ctx, false, `UPDATE department_members SET is_leader = FALSE WHERE department_id = $1`, deptID); err != nil {
		return err
	}
	if len(memberIDs) == 0 {
		return nil
	}
	args := []any{deptID}
	in := db.In(&args, memberIDs)
	return st.exec(ctx, false, `UPDATE department_members SET is_leader = TRUE WHERE department_id = $1 AND member_id IN (`+in+`)`, args...)
}

func (st store) inDepartment(ctx context.Context, deptID, memberID string) (bool, error) {
	n, err := st.count(ctx, `SELECT COUNT(*) FROM department_members WHERE department_id = $1 AND member_id = $2`, deptID, memberID)
	return n > 0, err
}

func (st store) addDepartmentMember(ctx context.Context, orgID, deptID, memberID string, now int64) error {
	return st.exec(ctx, false, `INSERT INTO department_members (department_id, member_id, org_id, is_leader, created_at)
		VALUES ($1, $2, $3, FALSE, $4) ON CONFLICT (department_id, member_id) DO NOTHING`, deptID, memberID, orgID, now)
}

func (st store) removeDepartmentMember(ctx context.Context, deptID, memberID string) error {
	return st.exec(ctx, false, `DELETE FROM department_members WHERE department_id = $1 AND member_id = $2`, deptID, memberID)
}

func (st store) memberDepartmentIDs(ctx context.Context, memberID string) ([]string, error) {
	return db.QueryAll(ctx, st.r(ctx), db.Value[string], `SELECT department_id FROM department_members WHERE member_id = $1 ORDER BY created_at, department_id`, memberID)
}

func (st store) departmentsOfMembers(ctx context.Context, memberIDs []string) (map[string][]MemberDepartment, error) {
	args := []any{}
	in := db.In(&args, memberIDs)
	out := map[string][]MemberDepartment{}
	err := db.Each(ctx, st.r(ctx), func(s db.Scanner) error {
		var mid, orgID string
		var d MemberDepartment
		var box []byte
		if err := s.Scan(&mid, &d.ID, &orgID, &d.Name, &box, &d.Leader); err != nil {
			return err
		}
		d.Name = st.names.open(ctx, orgID, deptNameAAD(d.ID), d.Name, box)
		out[mid] = append(out[mid], d)
		return nil
	}, `SELECT dm.member_id, d.id, d.org_id, d.name, d.name_sealed, dm.is_leader FROM department_members dm
		JOIN departments d ON d.id = dm.department_id WHERE dm.member_id IN (`+in+`) ORDER BY dm.created_at, d.id`, args...)
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (st store) departmentNames(ctx context.Context, memberID string) ([]string, error) {
	m, err := st.departmentsOfMembers(ctx, []string{memberID})
	if err != nil {
		return nil, err
	}
	out := []string{}
	for _, d := range m[memberID] {
		out = append(out, d.Name)
	}
	return out, nil
}

// ---- roles ------------------------------------------------------------------

const roleCols = `id, name, description, permissions, COALESCE(department_id, ''), created_at, updated_at`

func scanRole(row interface{ Scan(...any) error }) (Role, error) {
	var r Role
	var perms string
	err := row.Scan(&r.ID, &r.Name, &r.Description, &perms, &r.DepartmentID, &r.CreatedAt, &r.UpdatedAt)
	r.Permissions = jsonList[perm.Permission](perms)
	return r, err
}

func (st store) roles(ctx context.Context, q string, args ...any) ([]Role, error) {
	return db.OrEmpty(db.QueryAll(ctx, st.r(ctx), scanRole, q, args...))
}

func (st store) listRoles(ctx context.Context, orgID string) ([]Role, error) {
	return st.roles(ctx, `SELECT `+roleCols+` FROM roles WHERE org_id = $1 ORDER BY name, id`, orgID)
}

func (st store) getRole(ctx context.Context, orgID, id string) (Role, error) {
	r, err := scanRole(st.r(ctx).QueryRowContext(ctx, `SELECT `+roleCols+` FROM roles WHERE id = $1 AND org_id = $2`, id, orgID))
	return r, st.d.Classify(err)
}

func (st store) insertRole(ctx context.Context, orgID string, r Role) error {
	return st.exec(ctx, false, `INSERT INTO roles (id, org_id, name, description, permissions, department_id, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, r.ID, orgID, r.Name, r.Description, jsonText(r.Permissions), nullable(r.DepartmentID), r.CreatedAt, r.UpdatedAt)
}

func (st store) updateRole(ctx context.Context, orgID string, r Role) error {
	return st.exec(ctx, true, `UPDATE roles SET name = $3, description = $4, permissions = $5, department_id = $6, updated_at = $7
		WHERE id = $1 AND org_id = $2`, r.ID, orgID, r.Name, r.Description, jsonText(r.Permissions), nullable(r.DepartmentID), r.UpdatedAt)
}

func (st store) deleteRole(ctx context.Context, orgID, id string) error {
	return st.exec(ctx, true, `DELETE FROM roles WHERE id = $1 AND org_id = $2`, id, orgID)
}

// memberRoleGrants returns the custom roles of a member.
func (st store) memberRoleGrants(ctx context.Context, memberID string) ([]Role, error) {
	return st.roles(ctx, `SELECT r.id, r.name, r.description, r.permissions, COALESCE(r.department_id, ''), r.created_at, r.updated_at
		FROM member_roles mr JOIN roles r ON r.id = mr.role_id WHERE mr.member_id = $1`, memberID)
}

func (st store) customRolesOfMembers(ctx context.Context, memberIDs []string) (map[string][]string, error) {
	args := []any{}
	in := db.In(&args, memberIDs)
	out := map[string][]string{}
	err := db.Each(ctx, st.r(ctx), func(s db.Scanner) error {
		var m, r string
		if err := s.Scan(&m, &r); err != nil {
			return err
		}
		out[m] = append(out[m], r)
		return nil
	}, `SELECT member_id, role_id FROM member_roles WHERE member_id IN (`+in+`) ORDER BY role_id`, args...)
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (st store) setMemberRoles(ctx context.Context, orgID, memberID string, roleIDs []string, now int64) error {
	if err := st.clearMemberRoles(ctx, memberID); err != nil {
		return err
	}
	for _, r := range roleIDs {
		if err := st.exec(ctx, false, `INSERT INTO member_roles (member_id, role_id, org_id, created_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (member_id, role_id) DO NOTHING`, memberID, r, orgID, now); err != nil {
			return err
		}
	}
	return nil
}

func (st store) clearMemberRoles(ctx context.Context, memberID string) error {
	return st.exec(ctx, false, `DELETE FROM member_roles WHERE member_id = $1`, memberID)
}

// dropPrivileges makes a membership a plain one: the built-in member role,
// no custom roles, leading no department.
func (st store) dropPrivileges(ctx context.Context, orgID, memberID string, now int64) error {
	if err := st.setMemberRole(ctx, orgID, memberID, RoleMember, now); err != nil {
		return err
	}
	if err := st.clearMemberRoles(ctx, memberID); err != nil {
		return err
	}
	return st.exec(ctx, false, `UPDATE department_members SET is_leader = FALSE WHERE member_id = $1`, memberID)
}

// ---- custom fields ----------------------------------------------------------

const fieldCols = `id, name, kind, options, required, visibility, locked, sort_order, created_at, updated_at`

func scanField(row interface{ Scan(...any) error }) (Field, error) {
	var f Field
	var opts string
	err := row.Scan(&f.ID, &f.Name, &f.Kind, &opts, &f.Required, &f.Visibility, &f.Locked, &f.SortOrder, &f.CreatedAt, &f.UpdatedAt)
	f.Options = jsonList[string](opts)
	return f, err
}

func (st store) listFields(ctx context.Context, orgID string) ([]Field, error) {
	return db.OrEmpty(db.QueryAll(ctx, st.r(ctx), scanField, `SELECT `+fieldCols+` FROM profile_fields WHERE org_id = $1 ORDER BY sort_order, name, id`, orgID))
}

func (st store) getField(ctx context.Context, orgID, id string) (Field, error) {
	f, err := scanField(st.r(ctx).QueryRowContext(ctx, `SELECT `+fieldCols+` FROM profile_fields WHERE id = $1 AND org_id = $2`, id, orgID))
	return f, st.d.Classify(err)
}

func (st store) insertField(ctx context.Context, orgID string, f Field) error {
	return st.exec(ctx, false, `INSERT INTO profile_fields (id, org_id, name, kind, options, required, visibility, locked, sort_order, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		f.ID, orgID, f.Name, f.Kind, jsonText(f.Options), f.Required, f.Visibility, f.Locked, f.SortOrder, f.CreatedAt, f.UpdatedAt)
}

func (st store) updateField(ctx context.Context, orgID string, f Field) error {
	return st.exec(ctx, true, `UPDATE profile_fields SET name = $3, options = $4, required = $5, visibility = $6, locked = $7,
		sort_order = $8, updated_at = $9 WHERE id = $1 AND org_id = $2`,
		f.ID, orgID, f.Name, jsonText(f.Options), f.Required, f.Visibility, f.Locked, f.SortOrder, f.UpdatedAt)
}

func (st store) deleteField(ctx context.Context, orgID, id string) error {
	return st.exec(ctx, true, `DELETE FROM profile_fields WHERE id = $1 AND org_id = $2`, id, orgID)
}

// storedValue is a stored custom field value: sealed (with the id its
// AAD names), or the plaintext of a row written before sealing.
type storedValue struct {
	id     string
	value  string
	sealed []byte
}

// fieldValuesOf returns member id → field id → stored value.
func (st store) fieldValuesOf(ctx context.Context, memberIDs []string) (map[string]map[string]storedValue, error) {
	out := map[string]map[string]storedValue{}
	if len(memberIDs) == 0 {
		return out, nil
	}
	args := []any{}
	in := db.In(&args, memberIDs)
	err := db.Each(ctx, st.r(ctx), func(s db.Scanner) error {
		var m, f string
		var v storedValue
		if err := s.Scan(&m, &f, &v.id, &v.value, &v.sealed); err != nil {
			return err
		}
		if out[m] == nil {
			out[m] = map[string]storedValue{}
		}
		out[m][f] = v
		return nil
	}, `SELECT member_id, field_id, COALESCE(id, ''), value, value_sealed
		FROM member_field_values WHERE member_id IN (`+in+`)`, args...)
	if err != nil {
		return nil, err
	}
	return out, nil
}

// setFieldValue stores a sealed value (the plaintext column stays empty).
func (st store) setFieldValue(ctx context.Context, orgID, memberID, fieldID, id string, sealed []byte, now int64) error {
	return st.exec(ctx, false, `INSERT INTO member_field_values (member_id, field_id, org_id, id, value, value_sealed, updated_at)
		VALUES ($1, $2, $3, $4, '', $5, $6)
		ON CONFLICT (member_id, field_id) DO UPDATE SET id = excluded.id, value = '', value_sealed = excluded.value_sealed,
		updated_at = excluded.updated_at`,
		memberID, fieldID, orgID, id, sealed, now)
}

func (st store) deleteFieldValue(ctx context.Context, memberID, fieldID string) error {
	return st.exec(ctx, false, `DELETE FROM member_field_values WHERE member_id = $1 AND field_id = $2`, memberID, fieldID)
}

// ---- invitations and join requests ------------------------------------------

type invitationRow struct {
	Invitation
	OrgID   string
	secret  []byte
	prefill []byte
	org     Org
	// invitee is the account an email invitation is addressed to ("" when
	// the address had no account when it was made).
	invitee string
}

const invitationCols = `id, org_id, kind, email, COALESCE(department_id, ''), created_by, expires_at, max_uses, uses,
	COALESCE(revoked_at, 0), created_at, secret, prefill, COALESCE(invitee_account_id, ''), COALESCE(declined_at, 0),
	email_sealed, email_hash`

func scanInvitation(row interface{ Scan(...any) error }) (invitationRow, error) {
	var r invitationRow
	err := row.Scan(&r.ID, &r.OrgID, &r.Kind, &r.Email, &r.DepartmentID, &r.CreatedBy, &r.ExpiresAt, &r.MaxUses, &r.Uses,
		&r.RevokedAt, &r.CreatedAt, &r.secret, &r.prefill, &r.invitee, &r.DeclinedAt, &r.emailBox, &r.emailHash)
	return r, err
}

func (st store) insertInvitation(ctx context.Context, orgID string, inv Invitation, tokenHash, codeHash string, secret, prefill []byte, invitee string) error {
	email := inv.Email
	if len(inv.emailBox) > 0 {
		email = ""
	}
	return st.exec(ctx, false, `INSERT INTO invitations (id, org_id, kind, token_hash, code_hash, email, secret, prefill, department_id,
		created_by, expires_at, max_uses, uses, created_at, invitee_account_id, email_sealed, email_hash)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 0, $13, $14, $15, $16)`,
		inv.ID, orgID, inv.Kind, tokenHash, codeHash, email, secret, prefill, nullable(inv.DepartmentID),
		inv.CreatedBy, inv.ExpiresAt, inv.MaxUses, inv.CreatedAt, nullable(invitee), inv.emailBox, inv.emailHash)
}

// invitationsFor lists the usable email invitations addressed to an
// account, by its id or (made before the account existed) its address:
// the keyed hash of it, or the plaintext of a row written before sealing.
func (st store) invitationsFor(ctx context.Context, accountID, email, emailHash string, now int64) ([]invitationRow, error) {
	return db.QueryAll(ctx, st.r(ctx), scanInvitation, `SELECT `+invitationCols+` FROM invitations
		WHERE kind = 'email' AND (invitee_account_id = $1 OR (invitee_account_id IS NULL
			AND ((email_hash = $4 AND email_hash <> '') OR (email = $2 AND email <> ''))))
		AND revoked_at IS NULL AND declined_at IS NULL AND expires_at > $3 AND (max_uses = 0 OR uses < max_uses)
		ORDER BY created_at DESC, id DESC LIMIT 100`, accountID, email, now, emailHash)
}

// invitationByID returns an invitation of any organization (the caller
// checks that it is addressed to them).
func (st store) invitationByID(ctx context.Context, id string) (invitationRow, error) {
	r, err := scanInvitation(st.r(ctx).QueryRowContext(ctx, `SELECT `+invitationCols+` FROM invitations WHERE id = $1`, id))
	return r, st.d.Classify(err)
}

func (st store) declineInvitation(ctx context.Context, id string, at int64) error {
	return st.exec(ctx, true, `UPDATE invitations SET declined_at = $2 WHERE id = $1 AND declined_at IS NULL AND revoked_at IS NULL`, id, at)
}

func (st store) listInvitations(ctx context.Context, orgID string) ([]invitationRow, error) {
	return db.QueryAll(ctx, st.r(ctx), scanInvitation, `SELECT `+invitationCols+` FROM invitations WHERE org_id = $1 ORDER BY created_at DESC, id DESC LIMIT 500`, orgID)
}

func (st store) getInvitation(ctx context.Context, orgID, id string) (invitationRow, error) {
	r, err := scanInvitation(st.r(ctx).QueryRowContext(ctx, `SELECT `+invitationCols+` FROM invitations WHERE id = $1 AND org_id = $2`, id, orgID))
	return r, st.d.Classify(err)
}

func (st store) invitationByToken(ctx context.Context, hash string) (invitationRow, error) {
	r, err := scanInvitation(st.r(ctx).QueryRowContext(ctx, `SELECT `+invitationCols+` FROM invitations WHERE token_hash = $1`, hash))
	return r, st.d.Classify(err)
}

func (st store) invitationByCode(ctx context.Context, hash string) (invitationRow, error) {
	r, err := scanInvitation(st.r(ctx).QueryRowContext(ctx, `SELECT `+invitationCols+` FROM invitations WHERE code_hash = $1`, hash))
	return r, st.d.Classify(err)
}

func (st store) revokeInvitation(ctx context.Context, orgID, id string, at int64) error {
	return st.exec(ctx, true, `UPDATE invitations SET revoked_at = $3 WHERE id = $1 AND org_id = $2 AND revoked_at IS NULL`, id, orgID, at)
}

// useInvitation counts one use unless the invitation is revoked, expired or
// used up; it reports whether it counted.
func (st store) useInvitation(ctx context.Context, id string, now int64) (bool, error) {
	err := st.exec(ctx, true, `UPDATE invitations SET uses = uses + 1
		WHERE id = $1 AND revoked_at IS NULL AND declined_at IS NULL AND expires_at > $2 AND (max_uses = 0 OR uses < max_uses)`, id, now)
	if err == db.ErrNotFound {
		return false, nil
	}
	return err == nil, err
}

const joinRequestCols = `id, org_id, account_id, COALESCE(invitation_id, ''), display_name, message, status, decided_by, COALESCE(decided_at, 0), created_at,
	display_name_sealed, message_sealed`

// insertJoinRequest stores jr; its sealed name and note, when it has them,
// replace the plaintext ones.
func (st store) insertJoinRequest(ctx context.Context, jr JoinRequestItem) error {
	name, msg := jr.DisplayName, jr.Message
	if len(jr.nameBox) > 0 {
		name = ""
	}
	if len(jr.messageBox) > 0 {
		msg = ""
	}
	return st.exec(ctx, false, `INSERT INTO join_requests (id, org_id, account_id, invitation_id, display_name, message, status, created_at,
		display_name_sealed, message_sealed) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		jr.ID, jr.OrgID, jr.AccountID, nullable(jr.InvitationID), name, msg, jr.Status, jr.CreatedAt, jr.nameBox, jr.messageBox)
}

func scanJoinRequest(row interface{ Scan(...any) error }) (JoinRequestItem, error) {
	var j JoinRequestItem
	err := row.Scan(&j.ID, &j.OrgID, &j.AccountID, &j.InvitationID, &j.DisplayName, &j.Message, &j.Status, &j.DecidedBy, &j.DecidedAt, &j.CreatedAt,
		&j.nameBox, &j.messageBox)
	return j, err
}

// listJoinRequests lists requests where col ("org_id" or "account_id")
// equals val, with the given status or "all".
func (st store) listJoinRequests(ctx context.Context, col, val, status string) ([]JoinRequestItem, error) {
	if col != "org_id" && col != "account_id" {
		return nil, fmt.Errorf("directory: bad column %q", col)
	}
	q := `SELECT ` + joinRequestCols + ` FROM join_requests WHERE ` + col + ` = $1`
	args := []any{val}
	if status != "all" {
		q += ` AND status = $2`
		args = append(args, status)
	}
	return db.OrEmpty(db.QueryAll(ctx, st.r(ctx), scanJoinRequest, q+` ORDER BY created_at DESC, id DESC LIMIT 500`, args...))
}

func (st store) getJoinRequest(ctx context.Context, orgID, id string) (JoinRequestItem, error) {
	j, err := scanJoinRequest(st.r(ctx).QueryRowContext(ctx, `SELECT `+joinRequestCols+` FROM join_requests WHERE id = $1 AND org_id = $2`, id, orgID))
	return j, st.d.Classify(err)
}

func (st store) decideJoinRequest(ctx context.Context, jr JoinRequestItem) error {
	return st.exec(ctx, true, `UPDATE join_requests SET status = $3, decided_by = $4, decided_at = $5 WHERE id = $1 AND org_id = $2 AND status = 'pending'`,
		jr.ID, jr.OrgID, jr.Status, jr.DecidedBy, jr.DecidedAt)
}

// ---- contacts and privacy ---------------------------------------------------

func (st store) getPrivacy(ctx context.Context, accountID string) (PrivacySettings, error) {
	var p PrivacySettings
	var fields string
	err := st.r(ctx).QueryRowContext(ctx, `SELECT require_verification, discoverable, external_fields, allow_via_group, allow_via_card, updated_at
		FROM contact_privacy WHERE account_id = $1`, accountID).Scan(&p.RequireVerification, &p.Discoverable, &fields, &p.AllowViaGroup, &p.AllowViaCard, &p.UpdatedAt)
	p.ExternalFields = jsonList[string](fields)
	return p, st.d.Classify(err)
}

func (st store) putPrivacy(ctx context.Context, accountID string, p PrivacySettings) error {
	return st.exec(ctx, false, `INSERT INTO contact_privacy (account_id, require_verification, discoverable, external_fields, allow_via_group, allow_via_card, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)
		ON CONFLICT (account_id) DO UPDATE SET require_verification = excluded.require_verification, discoverable = excluded.discoverable,
			external_fields = excluded.external_fields, allow_via_group = excluded.allow_via_group, allow_via_card = excluded.allow_via_card,
			updated_at = excluded.updated_at`,
		accountID, p.RequireVerification, p.Discoverable, jsonText(p.ExternalFields), p.AllowViaGroup, p.AllowViaCard, p.UpdatedAt)
}

func (st store) areContacts(ctx context.Context, a, b string) (bool, error) {
	n, err := st.count(ctx, `SELECT COUNT(*) FROM contacts WHERE account_id = $1 AND contact_id = $2`, a, b)
	return n > 0, err
}

func (st store) insertContact(ctx context.Context, a, b string, now int64) error {
	return st.exec(ctx, false, `INSERT INTO contacts (account_id, contact_id, created_at) VALUES ($1, $2, $3)
		ON CONFLICT (account_id, contact_id) DO NOTHING`, a, b, now)
}

func (st store) deleteContacts(ctx context.Context, a, b string) error {
	return st.exec(ctx, false, `DELETE FROM contacts WHERE (account_id = $1 AND contact_id = $2) OR (account_id = $2 AND contact_id = $1)`, a, b)
}

func (st store) listContacts(ctx context.Context, accountID string) ([]Contact, error) {
	return db.OrEmpty(db.QueryAll(ctx, st.r(ctx), func(s db.Scanner) (Contact, error) {
		var c Contact
		err := s.Scan(&c.AccountID, &c.CreatedAt)
		return c, err
	}, `SELECT contact_id, created_at FROM contacts WHERE account_id = $1 ORDER BY created_at, contact_id`, accountID))
}

const contactRequestCols = `id, from_account, to_account, via, message, status, created_at, COALESCE(decided_at, 0), message_sealed`

func scanContactRequest(row interface{ Scan(...any) error }) (ContactRequest, error) {
	var c ContactRequest
	err := row.Scan(&c.ID, &c.FromAccount, &c.ToAccount, &c.Via, &c.Message, &c.Status, &c.CreatedAt, &c.DecidedAt, &c.sealed)
	return c, err
}

// insertContactRequest stores c; its message goes only in sealed form
// when c.sealed is set.
func (st store) insertContactRequest(ctx context.Context, c ContactRequest) error {
	msg := c.Message
	var sealed any
	if len(c.sealed) > 0 {
		msg, sealed = "", c.sealed
	}
	return st.exec(ctx, false, `INSERT INTO contact_requests (id, from_account, to_account, via, message, status, created_at, message_sealed)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, c.ID, c.FromAccount, c.ToAccount, c.Via, msg, c.Status, c.CreatedAt, sealed)
}

func (st store) pendingContactRequest(ctx context.Context, from, to string) (ContactRequest, error) {
	c, err := scanContactRequest(st.r(ctx).QueryRowContext(ctx, `SELECT `+contactRequestCols+` FROM contact_requests
		WHERE from_account = $1 AND to_account = $2 AND status = 'pending'`, from, to))
	return c, st.d.Classify(err)
}

func (st store) getContactRequest(ctx context.Context, id string) (ContactRequest, error) {
	c, err := scanContactRequest(st.r(ctx).QueryRowContext(ctx, `SELECT `+contactRequestCols+` FROM contact_requests WHERE id = $1`, id))
	return c, st.d.Classify(err)
}

func (st store) decideContactRequest(ctx context.Context, id, status string, at int64) error {
	return st.exec(ctx, true, `UPDATE contact_requests SET status = $2, decided_at = $3 WHERE id = $1 AND status = 'pending'`, id, status, at)
}

// contactRequests lists pending requests where col ("from_account" or
// "to_account") is accountID.
func (st store) contactRequests(ctx context.Context, col, accountID string) ([]ContactRequest, error) {
	if col != "from_account" && col != "to_account" {
		return nil, fmt.Errorf("directory: bad column %q", col)
	}
	return db.OrEmpty(db.QueryAll(ctx, st.r(ctx), scanContactRequest, `SELECT `+contactRequestCols+` FROM contact_requests WHERE `+col+` = $1 AND status = 'pending'
		ORDER BY created_at DESC, id DESC LIMIT 500`, accountID))
}

// ---- first-run setup --------------------------------------------------------

func (st store) replaceSetupToken(ctx context.Context, hash string, now int64) error {
	if err := st.exec(ctx, false, `DELETE FROM setup_tokens`); err != nil {
		return err
	}
	return st.exec(ctx, false, `INSERT INTO setup_tokens (token_hash, created_at) VALUES ($1, $2)`, hash, now)
}

// takeSetupToken deletes the token with this hash and reports whether it
// existed (only one request can take it).
func (st store) takeSetupToken(ctx context.Context, hash string) (bool, error) {
	err := st.exec(ctx, true, `DELETE FROM setup_tokens WHERE token_hash = $1`, hash)
	if err == db.ErrNotFound {
		return false, nil
	}
	return err == nil, err
}

func (st store) clearSetupTokens(ctx context.Context) error {
	return st.exec(ctx, false, `DELETE FROM setup_tokens`)
}

var _ = sql.ErrNoRows

// Savepoints let one bad row of an import roll back alone (PostgreSQL
// aborts the whole transaction on an error otherwise).
func (st store) savepoint(ctx context.Context) error {
	return st.exec(ctx, false, `SAVEPOINT directory_row`)
}

func (st store) rollbackToSavepoint(ctx context.Context) error {
	return st.exec(ctx, false, `ROLLBACK TO SAVEPOINT directory_row`)
}

func (st store) releaseSavepoint(ctx context.Context) error {
	return st.exec(ctx, false, `RELEASE SAVEPOINT directory_row`)
}

// ---- rows written before sealing ---------------------------------------------

// legacyMembers lists up to limit members whose profile fields are still
// stored in plaintext.
func (st store) legacyMembers(ctx context.Context, limit int) ([]memberRow, error) {
	return st.members(ctx, `SELECT `+memberCols+` FROM members m
		WHERE m.display_name <> '' OR m.title <> '' OR m.employee_no <> '' OR m.email <> '' OR m.office <> ''
		ORDER BY m.id LIMIT $1`, limit)
}

// resealMember stores r's sealed fields in place of their plaintext.
func (st store) resealMember(ctx context.Context, r memberRow) error {
	return st.exec(ctx, false, `UPDATE members SET display_name = '', display_name_sealed = $2, title = '', title_sealed = $3,
		employee_no = '', employee_no_sealed = $4, employee_no_hash = $5, email = '', email_sealed = $6, office = '', office_sealed = $7
		WHERE id = $1`, r.ID, r.box.DisplayName, r.box.Title, r.box.EmployeeNo, r.EmployeeNoHash, r.box.Email, r.box.Office)
}

// legacyValue is a custom field value still stored in plaintext, with the
// account of its member.
type legacyValue struct {
	memberID, fieldID, owner, value string
}

func (st store) legacyFieldValues(ctx context.Context, limit int) ([]legacyValue, error) {
	return db.QueryAll(ctx, st.r(ctx), func(s db.Scanner) (legacyValue, error) {
		var v legacyValue
		err := s.Scan(&v.memberID, &v.fieldID, &v.owner, &v.value)
		return v, err
	}, `SELECT v.member_id, v.field_id, m.account_id, v.value
		FROM member_field_values v JOIN members m ON m.id = v.member_id
		WHERE v.value <> '' ORDER BY v.member_id, v.field_id LIMIT $1`, limit)
}

// resealFieldValue stores a value's sealed form (nil: the value is dropped,
// its person erased) in place of its plaintext.
func (st store) resealFieldValue(ctx context.Context, memberID, fieldID, id string, sealed []byte) error {
	if sealed == nil {
		return st.exec(ctx, false, `DELETE FROM member_field_values WHERE member_id = $1 AND field_id = $2`, memberID, fieldID)
	}
	return st.exec(ctx, false, `UPDATE member_field_values SET id = $3, value = '', value_sealed = $4
		WHERE member_id = $1 AND field_id = $2`, memberID, fieldID, id, sealed)
}

// plaintextName is an organization's or department's name stored before
// sealing.
type plaintextName struct {
	table, id, orgID, name string
}

// plaintextNames lists the names still stored in plaintext.
func (st store) plaintextNames(ctx context.Context) ([]plaintextName, error) {
	return db.QueryAll(ctx, st.r(ctx), func(s db.Scanner) (plaintextName, error) {
		var p plaintextName
		err := s.Scan(&p.table, &p.id, &p.orgID, &p.name)
		return p, err
	}, `SELECT 'orgs', id, id, name FROM orgs WHERE name_sealed IS NULL AND name <> ''
		UNION ALL SELECT 'departments', id, org_id, name FROM departments WHERE name_sealed IS NULL AND name <> ''`)
}

// setSealedName replaces a plaintext name by its sealed value, unless the
// row changed meanwhile; it reports whether it did.
func (st store) setSealedName(ctx context.Context, table, id, name string, box []byte) (bool, error) {
	q := `UPDATE orgs SET name = '', name_sealed = $3 WHERE id = $1 AND name = $2 AND name_sealed IS NULL`
	if table == "departments" {
		q = `UPDATE departments SET name = '', name_sealed = $3 WHERE id = $1 AND name = $2 AND name_sealed IS NULL`
	}
	res, err := st.w(ctx).ExecContext(ctx, q, id, name, box)
	if err != nil {
		return false, st.d.Classify(err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}
