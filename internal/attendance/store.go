package attendance

import (
	"context"
	"errors"

	"github.com/atrium-hq/atrium/internal/platform/db"
)

// SQL of attendance. Every query names the organization, which comes from
// the caller, never from the request (background jobs read every
// organization's groups).

// groupRow is a group as stored.
type groupRow struct {
	ID, OrgID, Name      string
	Members, Rules       string
	Archived             bool
	CreatedBy            string
	CreatedAt, UpdatedAt int64
}

const groupCols = `id, org_id, name, members, rules, archived, created_by, created_at, updated_at`

func scanGroup(r db.Scanner) (groupRow, error) {
	var x groupRow
	err := r.Scan(&x.ID, &x.OrgID, &x.Name, &x.Members, &x.Rules, &x.Archived, &x.CreatedBy, &x.CreatedAt, &x.UpdatedAt)
	return x, err
}

func insertGroup(ctx context.Context, d *db.DB, x groupRow) error {
	_, err := d.W(ctx).ExecContext(ctx, `INSERT INTO attendance_groups (`+groupCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		x.ID, x.OrgID, x.Name, x.Members, x.Rules, x.Archived, x.CreatedBy, x.CreatedAt, x.UpdatedAt)
	return err
}

func updateGroup(ctx context.Context, d *db.DB, x groupRow) error {
	_, err := d.W(ctx).ExecContext(ctx, `UPDATE attendance_groups SET name = $3, members = $4, rules = $5, updated_at = $6
		WHERE org_id = $1 AND id = $2`, x.OrgID, x.ID, x.Name, x.Members, x.Rules, x.UpdatedAt)
	return err
}

func archiveGroup(ctx context.Context, d *db.DB, orgID, id string, now int64) error {
	_, err := d.W(ctx).ExecContext(ctx, `UPDATE attendance_groups SET archived = $3, updated_at = $4 WHERE org_id = $1 AND id = $2`, orgID, id, true, now)
	return err
}

func getGroup(ctx context.Context, d *db.DB, orgID, id string) (groupRow, error) {
	return db.QueryOne(ctx, d.R(ctx), scanGroup, `SELECT `+groupCols+` FROM attendance_groups WHERE org_id = $1 AND id = $2`, orgID, id)
}

// listGroups lists orgID's active groups by creation.
func listGroups(ctx context.Context, d *db.DB, orgID string) ([]groupRow, error) {
	return db.QueryAll(ctx, d.R(ctx), scanGroup, `SELECT `+groupCols+` FROM attendance_groups WHERE org_id = $1 AND archived = $2
		ORDER BY created_at, id`, orgID, false)
}

// allGroups lists every organization's active groups.
func allGroups(ctx context.Context, d *db.DB) ([]groupRow, error) {
	return db.QueryAll(ctx, d.R(ctx), scanGroup, `SELECT `+groupCols+` FROM attendance_groups WHERE archived = $1 ORDER BY org_id, created_at, id`, false)
}

// putRoster sets a member's shift on a day of a group.
func putRoster(ctx context.Context, d *db.DB, id, orgID, groupID, memberID, day, shiftID string, now int64) error {
	_, err := d.W(ctx).ExecContext(ctx, `INSERT INTO attendance_roster (id, org_id, group_id, member_id, day, shift_id, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (group_id, member_id, day) DO UPDATE SET shift_id = excluded.shift_id`,
		id, orgID, groupID, memberID, day, shiftID, now)
	return err
}

// RosterEntry is a member's shift on a day.
type RosterEntry struct {
	MemberID string `json:"member_id"`
	Day      string `json:"day"`
	ShiftID  string `json:"shift_id"`
}

// rosterOf lists a group's roster from..to (inclusive days), for one
// member when memberID is set.
func rosterOf(ctx context.Context, d *db.DB, orgID, groupID, memberID, from, to string) ([]RosterEntry, error) {
	q := `SELECT member_id, day, shift_id FROM attendance_roster WHERE org_id = $1 AND group_id = $2 AND day >= $3 AND day <= $4`
	args := []any{orgID, groupID, from, to}
	if memberID != "" {
		q += ` AND member_id = ` + db.Arg(&args, memberID)
	}
	out, err := db.QueryAll(ctx, d.R(ctx), func(r db.Scanner) (RosterEntry, error) {
		var x RosterEntry
		err := r.Scan(&x.MemberID, &x.Day, &x.ShiftID)
		return x, err
	}, q+` ORDER BY member_id, day`, args...)
	if out == nil && err == nil {
		out = []RosterEntry{}
	}
	return out, err
}

// Holiday is a day off (kind "holiday") or a make-up workday ("workday").
type Holiday struct {
	Day  string `json:"day"`
	Kind string `json:"kind"`
	Name string `json:"name"`
}

// replaceHolidays replaces the organization's holidays from..to.
func replaceHolidays(ctx context.Context, d *db.DB, orgID, from, to string, hs []Holiday, newID func() string, now int64) error {
	if _, err := d.W(ctx).ExecContext(ctx, `DELETE FROM attendance_holidays WHERE org_id = $1 AND day >= $2 AND day <= $3`, orgID, from, to); err != nil {
		return err
	}
	for _, h := range hs {
		if _, err := d.W(ctx).ExecContext(ctx, `INSERT INTO attendance_holidays (id, org_id, day, kind, name, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
			newID(), orgID, h.Day, h.Kind, h.Name, now); err != nil {
			return d.Classify(err)
		}
	}
	return nil
}

func holidaysOf(ctx context.Context, d *db.DB, orgID, from, to string) ([]Holiday, error) {
	out, err := db.QueryAll(ctx, d.R(ctx), func(r db.Scanner) (Holiday, error) {
		var x Holiday
		err := r.Scan(&x.Day, &x.Kind, &x.Name)
		return x, err
	}, `SELECT day, kind, name FROM attendance_holidays WHERE org_id = $1 AND day >= $2 AND day <= $3 ORDER BY day`, orgID, from, to)
	if out == nil && err == nil {
		out = []Holiday{}
	}
	return out, err
}

// punchRow is a check-in as stored.
type punchRow struct {
	ID, OrgID, GroupID, MemberID, AccountID, ClientID string
	Kind, Day                                         string
	At                                                int64
	Method                                            string
	InArea                                            bool
	DistanceM                                         int
	Matched                                           string
	CreatedAt                                         int64
}

const punchCols = `id, org_id, group_id, member_id, account_id, client_id, kind, day, at, method, in_area, distance_m, matched, created_at`

func scanPunch(r db.Scanner) (punchRow, error) {
	var x punchRow
	err := r.Scan(&x.ID, &x.OrgID, &x.GroupID, &x.MemberID, &x.AccountID, &x.ClientID, &x.Kind, &x.Day, &x.At, &x.Method, &x.InArea,
		&x.DistanceM, &x.Matched, &x.CreatedAt)
	return x, err
}

func insertPunch(ctx context.Context, d *db.DB, x punchRow) error {
	_, err := d.W(ctx).ExecContext(ctx, `INSERT INTO attendance_punches (`+punchCols+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
		x.ID, x.OrgID, x.GroupID, x.MemberID, x.AccountID, x.ClientID, x.Kind, x.Day, x.At, x.Method, x.InArea, x.DistanceM, x.Matched, x.CreatedAt)
	return d.Classify(err)
}

// punchByClient returns a member's check-in with a client id.
func punchByClient(ctx context.Context, d *db.DB, orgID, memberID, clientID string) (punchRow, error) {
	return db.QueryOne(ctx, d.W(ctx), scanPunch, `SELECT `+punchCols+` FROM attendance_punches WHERE org_id = $1 AND member_id = $2 AND client_id = $3`,
		orgID, memberID, clientID)
}

// punchesOf lists a member's check-ins of days from..to, in time order.
func punchesOf(ctx context.Context, d *db.DB, orgID, memberID, from, to string) ([]punchRow, error) {
	return db.QueryAll(ctx, d.R(ctx), scanPunch, `SELECT `+punchCols+` FROM attendance_punches
		WHERE org_id = $1 AND member_id = $2 AND day >= $3 AND day <= $4 ORDER BY at, id`, orgID, memberID, from, to)
}

// insertLocation stores a check-in's sealed raw location.
func insertLocation(ctx context.Context, d *db.DB, id, orgID, memberID, accountID string, box []byte, key string, now, expires int64) error {
	_, err := d.W(ctx).ExecContext(ctx, `INSERT INTO attendance_locations (id, org_id, member_id, account_id, raw, sealed_key, created_at, expires_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, id, orgID, memberID, accountID, box, key, now, expires)
	return err
}

// expiredLocation names a raw location whose retention ended.
type expiredLocation struct {
	id, orgID, accountID string
	expiresAt            int64
}

// expiredLocations lists up to limit raw locations whose retention ended
// before now, after (afterAt, afterID) in (expires_at, id) order.
func expiredLocations(ctx context.Context, d *db.DB, now, afterAt int64, afterID string, limit int) ([]expiredLocation, error) {
	return db.QueryAll(ctx, d.R(ctx), func(r db.Scanner) (expiredLocation, error) {
		var x expiredLocation
		err := r.Scan(&x.id, &x.orgID, &x.accountID, &x.expiresAt)
		return x, err
	}, `SELECT id, org_id, account_id, expires_at FROM attendance_locations
		WHERE expires_at < $1 AND (expires_at > $2 OR (expires_at = $2 AND id > $3))
		ORDER BY expires_at, id LIMIT $4`, now, afterAt, afterID, limit)
}

// deleteLocations deletes raw locations by id and returns how many.
func deleteLocations(ctx context.Context, d *db.DB, ids []string) (int64, error) {
	if len(ids) == 0 {
		return 0, nil
	}
	var args []any
	res, err := d.W(ctx).ExecContext(ctx, `DELETE FROM attendance_locations WHERE id IN (`+db.In(&args, ids)+`)`, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// dayRow is a member's day as stored.
type dayRow struct {
	ID, OrgID, GroupID, MemberID, AccountID, DepartmentID string
	Day                                                   string
	Workday                                               bool
	ShiftID                                               string
	StartAt, EndAt, FirstIn, LastOut                      int64
	LateMinutes, EarlyMinutes                             int
	OutOfArea                                             bool
	LeaveType, LeavePart                                  string
	OvertimeMinutes                                       int
	Corrected                                             bool
	CreatedAt, UpdatedAt                                  int64
}

const dayCols = `id, org_id, group_id, member_id, account_id, department_id, day, workday, shift_id, start_at, end_at, first_in, last_out,
	late_minutes, early_minutes, out_of_area, leave_type, leave_part, overtime_minutes, corrected, created_at, updated_at`

func scanDay(r db.Scanner) (dayRow, error) {
	var x dayRow
	err := r.Scan(&x.ID, &x.OrgID, &x.GroupID, &x.MemberID, &x.AccountID, &x.DepartmentID, &x.Day, &x.Workday, &x.ShiftID, &x.StartAt,
		&x.EndAt, &x.FirstIn, &x.LastOut, &x.LateMinutes, &x.EarlyMinutes, &x.OutOfArea, &x.LeaveType, &x.LeavePart, &x.OvertimeMinutes,
		&x.Corrected, &x.CreatedAt, &x.UpdatedAt)
	return x, err
}

// upsertDay writes a member's day.
func upsertDay(ctx context.Context, d *db.DB, x dayRow) error {
	_, err := d.W(ctx).ExecContext(ctx, `INSERT INTO attendance_days (`+dayCols+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22)
		ON CONFLICT (member_id, day) DO UPDATE SET group_id = excluded.group_id, account_id = excluded.account_id,
		department_id = excluded.department_id, workday = excluded.workday, shift_id = excluded.shift_id, start_at = excluded.start_at,
		end_at = excluded.end_at, first_in = excluded.first_in, last_out = excluded.last_out, late_minutes = excluded.late_minutes,
		early_minutes = excluded.early_minutes, out_of_area = excluded.out_of_area, leave_type = excluded.leave_type,
		leave_part = excluded.leave_part, overtime_minutes = excluded.overtime_minutes, corrected = excluded.corrected,
		updated_at = excluded.updated_at`,
		x.ID, x.OrgID, x.GroupID, x.MemberID, x.AccountID, x.DepartmentID, x.Day, x.Workday, x.ShiftID, x.StartAt, x.EndAt, x.FirstIn,
		x.LastOut, x.LateMinutes, x.EarlyMinutes, x.OutOfArea, x.LeaveType, x.LeavePart, x.OvertimeMinutes, x.Corrected, x.CreatedAt, x.UpdatedAt)
	return err
}

// daysOf lists the stored days of members from..to (every member of the
// organization when memberIDs is nil).
func daysOf(ctx context.Context, d *db.DB, orgID string, memberIDs []string, from, to string) ([]dayRow, error) {
	q := `SELECT ` + dayCols + ` FROM attendance_days WHERE org_id = $1 AND day >= $2 AND day <= $3`
	args := []any{orgID, from, to}
	if memberIDs != nil {
		if len(memberIDs) == 0 {
			return nil, nil
		}
		q += ` AND member_id IN (` + db.In(&args, memberIDs) + `)`
	}
	return db.QueryAll(ctx, d.R(ctx), scanDay, q+` ORDER BY member_id, day`, args...)
}

// adjRow is an approval brought in.
type adjRow struct {
	ID, OrgID, MemberID, AccountID, RequestID string
	Kind, FirstDay, LastDay, Detail, Status   string
	CreatedAt                                 int64
}

const adjCols = `id, org_id, member_id, account_id, request_id, kind, first_day, last_day, detail, status, created_at`

func scanAdj(r db.Scanner) (adjRow, error) {
	var x adjRow
	err := r.Scan(&x.ID, &x.OrgID, &x.MemberID, &x.AccountID, &x.RequestID, &x.Kind, &x.FirstDay, &x.LastDay, &x.Detail, &x.Status, &x.CreatedAt)
	return x, err
}

// insertAdj records an approval once and reports whether it did.
func insertAdj(ctx context.Context, d *db.DB, x adjRow) (bool, error) {
	res, err := d.W(ctx).ExecContext(ctx, `INSERT INTO attendance_adjustments (`+adjCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
		ON CONFLICT (request_id) DO NOTHING`, x.ID, x.OrgID, x.MemberID, x.AccountID, x.RequestID, x.Kind, x.FirstDay, x.LastDay, x.Detail, x.Status, x.CreatedAt)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// adjsOf lists a member's applied adjustments touching from..to.
func adjsOf(ctx context.Context, d *db.DB, orgID, memberID, from, to string) ([]adjRow, error) {
	return db.QueryAll(ctx, d.R(ctx), scanAdj, `SELECT `+adjCols+` FROM attendance_adjustments
		WHERE org_id = $1 AND member_id = $2 AND first_day <= $4 AND last_day >= $3 ORDER BY created_at, id`, orgID, memberID, from, to)
}

// countCorrections counts a member's applied corrections of days from..to.
func countCorrections(ctx context.Context, d *db.DB, orgID, memberID, from, to string) (int, error) {
	return db.QueryOne(ctx, d.W(ctx), db.Value[int], `SELECT COUNT(*) FROM attendance_adjustments WHERE org_id = $1 AND member_id = $2
		AND kind = 'correction' AND status = 'applied' AND first_day >= $3 AND first_day <= $4`, orgID, memberID, from, to)
}

// cursor returns the event position applied so far.
func cursor(ctx context.Context, d *db.DB, name string) (int64, error) {
	n, err := db.QueryOne(ctx, d.W(ctx), db.Value[int64], `SELECT position FROM attendance_cursor WHERE name = $1`, name)
	if errors.Is(err, db.ErrNotFound) {
		return 0, nil
	}
	return n, err
}

func setCursor(ctx context.Context, d *db.DB, name string, pos int64) error {
	_, err := d.W(ctx).ExecContext(ctx, `INSERT INTO attendance_cursor (name, position) VALUES ($1, $2)
		ON CONFLICT (name) DO UPDATE SET position = excluded.position`, name, pos)
	return err
}

// markReminded records a reminder once and reports whether it did.
func markReminded(ctx context.Context, d *db.DB, id, orgID, memberID, day, kind string, now int64) (bool, error) {
	res, err := d.W(ctx).ExecContext(ctx, `INSERT INTO attendance_reminders (id, org_id, member_id, day, kind, created_at)
		VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (member_id, day, kind) DO NOTHING`, id, orgID, memberID, day, kind, now)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// acknowledged reports whether a member acknowledged a notice version.
func acknowledged(ctx context.Context, d *db.DB, orgID, memberID, version string) (bool, error) {
	n, err := db.QueryOne(ctx, d.R(ctx), db.Value[int], `SELECT COUNT(*) FROM attendance_notices WHERE org_id = $1 AND member_id = $2 AND version = $3`,
		orgID, memberID, version)
	return n > 0, err
}

func acknowledge(ctx context.Context, d *db.DB, id, orgID, memberID, accountID, version string, now int64) error {
	_, err := d.W(ctx).ExecContext(ctx, `INSERT INTO attendance_notices (id, org_id, member_id, account_id, version, created_at)
		VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (member_id, version) DO NOTHING`, id, orgID, memberID, accountID, version, now)
	return err
}

// rosterMonth lists the roster of every shift group of orgID from..to.
func rosterMonth(ctx context.Context, d *db.DB, orgID, from, to string) ([]RosterEntry, error) {
	return db.QueryAll(ctx, d.R(ctx), func(r db.Scanner) (RosterEntry, error) {
		var x RosterEntry
		err := r.Scan(&x.MemberID, &x.Day, &x.ShiftID)
		return x, err
	}, `SELECT member_id, day, shift_id FROM attendance_roster WHERE org_id = $1 AND day >= $2 AND day <= $3`, orgID, from, to)
}

// adjByRequest returns the adjustment an approval request made.
func adjByRequest(ctx context.Context, d *db.DB, orgID, requestID string) (adjRow, error) {
	return db.QueryOne(ctx, d.W(ctx), scanAdj, `SELECT `+adjCols+` FROM attendance_adjustments WHERE org_id = $1 AND request_id = $2`, orgID, requestID)
}

// setAdjStatus changes an adjustment's status.
func setAdjStatus(ctx context.Context, d *db.DB, id, status string) error {
	_, err := d.W(ctx).ExecContext(ctx, `UPDATE attendance_adjustments SET status = $2 WHERE id = $1`, id, status)
	return err
}

// deletePunchByClient deletes a member's check-in with a client id.
func deletePunchByClient(ctx context.Context, d *db.DB, orgID, memberID, clientID string) error {
	_, err := d.W(ctx).ExecContext(ctx, `DELETE FROM attendance_punches WHERE org_id = $1 AND member_id = $2 AND client_id = $3`, orgID, memberID, clientID)
	return err
}

// punchesOn lists the check-ins of members on days from..to, in time order.
func punchesOn(ctx context.Context, d *db.DB, orgID string, memberIDs []string, from, to string) ([]punchRow, error) {
	if len(memberIDs) == 0 {
		return nil, nil
	}
	args := []any{orgID, from, to}
	return db.QueryAll(ctx, d.R(ctx), scanPunch, `SELECT `+punchCols+` FROM attendance_punches WHERE org_id = $1 AND day >= $2 AND day <= $3
		AND member_id IN (`+db.In(&args, memberIDs)+`) ORDER BY at, id`, args...)
}

// adjsOn lists the adjustments of members touching from..to.
func adjsOn(ctx context.Context, d *db.DB, orgID string, memberIDs []string, from, to string) ([]adjRow, error) {
	if len(memberIDs) == 0 {
		return nil, nil
	}
	args := []any{orgID, from, to}
	return db.QueryAll(ctx, d.R(ctx), scanAdj, `SELECT `+adjCols+` FROM attendance_adjustments WHERE org_id = $1 AND first_day <= $3
		AND last_day >= $2 AND member_id IN (`+db.In(&args, memberIDs)+`) ORDER BY created_at, id`, args...)
}
