package directory

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/atrium-hq/atrium/internal/platform/actor"
	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/perm"
)

// CSVColumns are the columns of the member import and export files. The
// email column (the person's account email) is required on import; an
// empty cell leaves a value unchanged. departments holds department paths
// from the top ("Engineering/Backend"), separated by ";".
var CSVColumns = []string{"email", "display_name", "title", "title_level", "employee_no", "work_phone", "work_email",
	"office", "join_date", "departments", "supervisor_email"}

// MaxImportRows bounds one import.
const MaxImportRows = 5000

// ImportReport says what an import did, or — on a dry run — would do. It
// counts members updated and people invited; nobody becomes a member by an
// import without accepting the invitation.
type ImportReport struct {
	DryRun  bool        `json:"dry_run"`
	Rows    int         `json:"rows"`
	Updated int         `json:"updated"`
	Invited int         `json:"invited"`
	Errors  []RowError  `json:"errors"`
	Actions []RowAction `json:"actions"`
}

// RowError is a problem in one row (row 1 is the header).
type RowError struct {
	Row     int    `json:"row"`
	Column  string `json:"column,omitempty"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// RowAction is what happens to one row: update (an active member's
// profile changes) or invite (anyone else — with or without an account, or
// who left — gets an email invitation carrying the profile, like a single
// add, and becomes a member only by accepting it). The action never says
// whether an email has an account.
type RowAction struct {
	Row    int    `json:"row"`
	Email  string `json:"email"`
	Action string `json:"action"`
}

var errDryRun = errors.New("dry run")

type importRow struct {
	n          int
	email      string
	patch      MemberPatch
	supervisor string
}

// ImportMembers reads a member CSV. A dry run reports every row error and
// every action without changing anything; a real run changes nothing
// unless every row is valid (400 import_has_errors with the report). Each
// row that is not an active member becomes an invitation, exactly like
// AddMember: the report answers the same whether or not the email has an
// account.
func (s *Service) ImportMembers(ctx context.Context, r io.Reader, dryRun bool) (ImportReport, error) {
	a, err := actor.Member(ctx)
	if err != nil {
		return ImportReport{}, err
	}
	if err := s.Authorize(ctx, perm.ManageMembers, ""); err != nil {
		return ImportReport{}, err
	}
	rep := ImportReport{DryRun: dryRun, Errors: []RowError{}, Actions: []RowAction{}}
	fail := func(row int, col, code, msg string) {
		rep.Errors = append(rep.Errors, RowError{Row: row, Column: col, Code: code, Message: msg})
	}
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return rep, apperr.Invalid("invalid_csv", "the file is not CSV with a header row")
	}
	cols := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if !slices.Contains(CSVColumns, h) {
			return rep, apperr.Invalid("invalid_csv", "unknown column "+strconv.Quote(h)).With("column", h)
		}
		cols[h] = i
	}
	if _, ok := cols["email"]; !ok {
		return rep, apperr.Invalid("invalid_csv", "the email column is required").With("column", "email")
	}
	depts, err := s.st.listDepartments(ctx, a.OrgID)
	if err != nil {
		return rep, err
	}
	paths := departmentPaths(depts)
	var rows []importRow
	seen := map[string]int{}   // email → row
	seenNo := map[string]int{} // employee number → row
	for n := 2; ; n++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return rep, apperr.Invalid("invalid_csv", fmt.Sprintf("row %d is not valid CSV", n)).With("row", n)
		}
		if len(rows) >= MaxImportRows {
			return rep, apperr.Invalid("too_many_rows", fmt.Sprintf("at most %d rows per import", MaxImportRows))
		}
		cell := func(c string) string {
			if i, ok := cols[c]; ok && i < len(rec) {
				v := strings.TrimSpace(rec[i])
				if len(v) > 1 && v[0] == '\'' && strings.ContainsRune("=+-@", rune(v[1])) {
					v = v[1:] // written by csvSafe
				}
				return v
			}
			return ""
		}
		ir := importRow{n: n}
		if ir.email, err = normEmail("email", cell("email")); err != nil || ir.email == "" {
			fail(n, "email", "invalid_field", "email must be the person's account email")
			continue
		}
		if prev, dup := seen[ir.email]; dup {
			fail(n, "email", "duplicate_row", fmt.Sprintf("this email is also in row %d", prev))
			continue
		}
		seen[ir.email] = n
		if no := cell("employee_no"); no != "" {
			if prev, dup := seenNo[no]; dup {
				fail(n, "employee_no", "employee_no_taken", fmt.Sprintf("row %d has this employee number too", prev))
				continue
			}
			seenNo[no] = n
		}
		p := &ir.patch
		for col, dst := range map[string]**string{"display_name": &p.DisplayName, "title": &p.Title, "employee_no": &p.EmployeeNo,
			"work_phone": &p.WorkPhone, "work_email": &p.Email, "office": &p.Office, "join_date": &p.JoinDate} {
			if v := cell(col); v != "" {
				*dst = &v
			}
		}
		if v := cell("title_level"); v != "" {
			lvl, err := strconv.Atoi(v)
			if err != nil {
				fail(n, "title_level", "invalid_field", "title_level must be a whole number")
				continue
			}
			p.TitleLevel = &lvl
		}
		if v := cell("departments"); v != "" {
			ids := []string{}
			ok := true
			for _, path := range strings.Split(v, ";") {
				path = normPath(path)
				if path == "" {
					continue
				}
				id, found := paths[path]
				if !found {
					fail(n, "departments", "unknown_department", "no department "+strconv.Quote(path))
					ok = false
					break
				}
				ids = append(ids, id)
			}
			if !ok {
				continue
			}
			p.DepartmentIDs = &ids
		}
		ir.supervisor = strings.ToLower(cell("supervisor_email"))
		rows = append(rows, ir)
	}
	rep.Rows = len(rows) + len(rep.Errors)

	err = s.db.Tx(ctx, func(ctx context.Context) error {
		memberOf := map[string]string{} // email → member id, for supervisors
		for _, ir := range rows {
			action, mid, err := s.importRow(ctx, a.OrgID, a.AccountID, ir)
			if err != nil {
				if apperr.KindOf(err) == apperr.KindInternal {
					return err
				}
				fail(ir.n, errField(err), apperr.CodeOf(err), messageOf(err))
				continue
			}
			memberOf[ir.email] = mid
			rep.Actions = append(rep.Actions, RowAction{Row: ir.n, Email: ir.email, Action: action})
			switch action {
			case "update":
				rep.Updated++
			case "invite":
				rep.Invited++
			}
		}
		// Supervisors last, so that they may come later in the file.
		for _, ir := range rows {
			if ir.supervisor == "" {
				continue
			}
			mid, ok := memberOf[ir.email]
			if !ok {
				continue
			}
			sup, ok := memberOf[ir.supervisor]
			if !ok {
				if id, err := s.activeMemberID(ctx, a.OrgID, ir.supervisor); err != nil {
					return err
				} else if id != "" {
					sup, ok = id, true
				}
			}
			if !ok {
				fail(ir.n, "supervisor_email", "unknown_supervisor", "the supervisor must be a member or a row of this file")
				continue
			}
			if mid == "" {
				// The invitation carries a supervisor who is a member; one
				// invited by this file is set once both have joined.
				continue
			}
			if sup == "" {
				fail(ir.n, "supervisor_email", "supervisor_not_member", "the supervisor is invited by this file and not a member yet")
				continue
			}
			if err := s.savepointed(ctx, func(ctx context.Context) error {
				m, err := s.getMember(ctx, a.OrgID, mid)
				if err != nil {
					return err
				}
				_, err = s.applyPatch(ctx, &m, MemberPatch{SupervisorID: &sup}, true)
				return err
			}); err != nil {
				if apperr.KindOf(err) == apperr.KindInternal {
					return err
				}
				fail(ir.n, "supervisor_email", apperr.CodeOf(err), messageOf(err))
			}
		}
		slices.SortFunc(rep.Errors, func(x, y RowError) int { return x.Row - y.Row })
		if dryRun {
			return errDryRun
		}
		if len(rep.Errors) > 0 {
			return apperr.Invalid("import_has_errors", "nothing was imported: fix the rows named in details.report").With("report", rep)
		}
		return s.audit(ctx, a.OrgID, "member.import", "org", a.OrgID, map[string]any{"updated": rep.Updated, "invited": rep.Invited})
	})
	if errors.Is(err, errDryRun) {
		return rep, nil
	}
	return rep, err
}

// importRow applies one row inside a savepoint, so that a bad row leaves no
// trace and the transaction goes on. An active member's profile is updated;
// everyone else is invited with the row's profile, by the path AddMember
// takes, so that nothing in the outcome depends on whether the email has an
// account.
func (s *Service) importRow(ctx context.Context, orgID, by string, ir importRow) (action, memberID string, err error) {
	err = s.savepointed(ctx, func(ctx context.Context) error {
		m, err := s.memberByEmail(ctx, orgID, ir.email)
		switch {
		case err == nil && m.Status == StatusActive:
			action, memberID = "update", m.ID
			_, err = s.applyPatch(ctx, &m, ir.patch, true)
			return err
		case err == nil && m.Status == StatusDeactivated:
			return apperr.Conflict("member_deactivated", "this member is deactivated; reactivate them first")
		case err != nil && !errors.Is(err, db.ErrNotFound):
			return err
		}
		action = "invite"
		p := ir.patch
		if ir.supervisor != "" {
			sup, err := s.activeMemberID(ctx, orgID, ir.supervisor)
			if err != nil {
				return err
			}
			if sup != "" {
				p.SupervisorID = &sup
			}
		}
		if err := s.checkPatch(ctx, orgID, p); err != nil {
			return err
		}
		inv, err := s.createInvitation(ctx, orgID, by, CreateInvitationRequest{Kind: InviteEmail, Email: ir.email}, 14*24, &p, "")
		if err != nil {
			return err
		}
		return s.audit(ctx, orgID, "member.invite", "invitation", inv.ID, nil)
	})
	return action, memberID, err
}

// memberByEmail finds the member of orgID (any status) whose account has
// email; db.ErrNotFound when there is no such account or member.
func (s *Service) memberByEmail(ctx context.Context, orgID, email string) (memberRow, error) {
	acc, err := s.accounts.AccountByEmail(ctx, email)
	if apperr.IsNotFound(err) || errors.Is(err, db.ErrNotFound) {
		return memberRow{}, db.ErrNotFound
	}
	if err != nil {
		return memberRow{}, err
	}
	return s.getMemberByAccount(ctx, orgID, acc.ID)
}

// activeMemberID is the id of the active member of orgID whose account has
// email, or "" when there is none.
func (s *Service) activeMemberID(ctx context.Context, orgID, email string) (string, error) {
	m, err := s.memberByEmail(ctx, orgID, email)
	switch {
	case errors.Is(err, db.ErrNotFound):
		return "", nil
	case err != nil:
		return "", err
	case m.Status != StatusActive:
		return "", nil
	}
	return m.ID, nil
}

// savepointed runs fn inside a savepoint of ctx's transaction, rolling back
// to it when fn fails.
func (s *Service) savepointed(ctx context.Context, fn func(ctx context.Context) error) error {
	if err := s.st.savepoint(ctx); err != nil {
		return err
	}
	if err := fn(ctx); err != nil {
		if rerr := s.st.rollbackToSavepoint(ctx); rerr != nil {
			return rerr
		}
		return err
	}
	return s.st.releaseSavepoint(ctx)
}

func errField(err error) string {
	var ae *apperr.Error
	if errors.As(err, &ae) {
		for _, k := range []string{"field", "field_id"} {
			if f, ok := ae.Details[k].(string); ok {
				return f
			}
		}
	}
	return ""
}

func messageOf(err error) string {
	var ae *apperr.Error
	if errors.As(err, &ae) {
		return ae.Message
	}
	return "internal error"
}

func normPath(p string) string {
	parts := strings.Split(p, "/")
	out := parts[:0]
	for _, x := range parts {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return strings.Join(out, "/")
}

// departmentPaths maps "Top/Child/…" to department ids.
func departmentPaths(ds []Department) map[string]string {
	byID := map[string]Department{}
	for _, d := range ds {
		byID[d.ID] = d
	}
	out := map[string]string{}
	for _, d := range ds {
		out[departmentPath(byID, d)] = d.ID
	}
	return out
}

func departmentPath(byID map[string]Department, d Department) string {
	parts := []string{d.Name}
	for i := 0; d.ParentID != "" && i < 1000; i++ {
		d = byID[d.ParentID]
		parts = append([]string{d.Name}, parts...)
	}
	return strings.Join(parts, "/")
}

// ExportMembers writes every member of the caller's organization as CSV
// (the import columns plus status and role).
func (s *Service) ExportMembers(ctx context.Context, w io.Writer) error {
	a, err := actor.Member(ctx)
	if err != nil {
		return err
	}
	if err := s.Authorize(ctx, perm.ManageMembers, ""); err != nil {
		return err
	}
	rows, err := s.st.allMembers(ctx, a.OrgID)
	if err != nil {
		return err
	}
	s.openMembers(ctx, rows)
	depts, err := s.st.listDepartments(ctx, a.OrgID)
	if err != nil {
		return err
	}
	byID := map[string]Department{}
	for _, d := range depts {
		byID[d.ID] = d
	}
	accountEmail := map[string]string{} // member id → account email
	for _, r := range rows {
		if acc, err := s.accounts.GetAccount(ctx, r.AccountID); err == nil {
			accountEmail[r.ID] = acc.Email
		}
	}
	if err := s.audit(ctx, a.OrgID, "member.export", "org", a.OrgID, map[string]any{"members": len(rows)}); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(append(slices.Clone(CSVColumns), "status", "role")); err != nil {
		return err
	}
	for _, r := range rows {
		ids, err := s.st.memberDepartmentIDs(ctx, r.ID)
		if err != nil {
			return err
		}
		var paths []string
		for _, id := range ids {
			if d, ok := byID[id]; ok {
				paths = append(paths, departmentPath(byID, d))
			}
		}
		level := ""
		if r.TitleLevel != 0 {
			level = strconv.Itoa(r.TitleLevel)
		}
		rec := []string{accountEmail[r.ID], r.DisplayName, r.Title, level, r.EmployeeNo, s.openPhone(ctx, r.OrgID, r.ID, r.WorkPhone),
			r.Email, r.Office, r.JoinDate, strings.Join(paths, ";"), accountEmail[r.SupervisorID], r.Status, r.Role}
		for i := range rec {
			if i != 5 { // a work phone holds only digits and a leading +
				rec[i] = csvSafe(rec[i])
			}
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// csvSafe keeps spreadsheet programs from running a cell as a formula.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// checkPatch checks the built-in fields of a profile prepared for someone
// who is not a member yet (applyPatch checks them when it applies them).
func (s *Service) checkPatch(ctx context.Context, orgID string, p MemberPatch) error {
	checks := []struct {
		v     *string
		clean func(string) (string, error)
	}{
		{p.DisplayName, func(v string) (string, error) { return text("display_name", v, 1, 100) }},
		{p.Title, func(v string) (string, error) { return text("title", v, 0, 100) }},
		{p.EmployeeNo, func(v string) (string, error) { return text("employee_no", v, 0, 64) }},
		{p.Email, func(v string) (string, error) { return normEmail("work_email", v) }},
		{p.Office, func(v string) (string, error) { return text("office", v, 0, 200) }},
		{p.JoinDate, func(v string) (string, error) { return date("join_date", v) }},
		{p.WorkPhone, func(v string) (string, error) { return normPhone("work_phone", v) }},
	}
	for _, c := range checks {
		if c.v == nil {
			continue
		}
		if _, err := c.clean(*c.v); err != nil {
			return err
		}
	}
	if p.TitleLevel != nil && (*p.TitleLevel < 0 || *p.TitleLevel > 1000) {
		return apperr.InvalidField("title_level", "title_level must be between 0 and 1000")
	}
	if p.EmployeeNo != nil && *p.EmployeeNo != "" {
		taken, err := s.st.employeeNoTaken(ctx, orgID, strings.TrimSpace(*p.EmployeeNo), s.employeeNoHash(strings.TrimSpace(*p.EmployeeNo)))
		if err != nil {
			return err
		}
		if taken {
			return apperr.Conflict("employee_no_taken", "another member has this employee number").With("field", "employee_no")
		}
	}
	return nil
}
