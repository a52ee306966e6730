package directory

import (
	"context"

	"github.com/atrium-hq/atrium/internal/platform/datamap"
	"github.com/atrium-hq/atrium/internal/platform/db"
)

// SQL of the directory's side of the privacy contract (privacy.go).

func (st store) memberships(ctx context.Context, accountID string) ([]datamap.Membership, error) {
	rows, err := st.r(ctx).QueryContext(ctx, `SELECT org_id, id, status, role, COALESCE(left_at, 0) FROM members WHERE account_id = $1 ORDER BY org_id`, accountID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []datamap.Membership
	for rows.Next() {
		var m datamap.Membership
		var role string
		if err := rows.Scan(&m.OrgID, &m.MemberID, &m.Status, &role, &m.LeftAt); err != nil {
			return nil, err
		}
		m.Owner = role == RoleOwner
		out = append(out, m)
	}
	return out, rows.Err()
}

func (st store) activeMemberAccounts(ctx context.Context, orgID string) ([]string, error) {
	return st.strings(ctx, `SELECT account_id FROM members WHERE org_id = $1 AND status = $2 ORDER BY 1`, orgID, StatusActive)
}

func (st store) liveOrgIDs(ctx context.Context) ([]string, error) {
	return st.strings(ctx, `SELECT id FROM orgs WHERE disbanded_at IS NULL ORDER BY 1`)
}

func (st store) disbandedOrgs(ctx context.Context) ([]datamap.Disbanded, error) {
	rows, err := st.r(ctx).QueryContext(ctx, `SELECT id, disbanded_at FROM orgs WHERE disbanded_at IS NOT NULL ORDER BY 2`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []datamap.Disbanded
	for rows.Next() {
		var d datamap.Disbanded
		if err := rows.Scan(&d.OrgID, &d.At); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// recordDeparture notes, in the departure's transaction, that the
// account's member of the org left at at.
func (st store) recordDeparture(ctx context.Context, id, orgID, accountID string, at int64) error {
	return st.exec(ctx, false, `INSERT INTO member_departures (id, org_id, account_id, member_id, left_at)
		SELECT $1, org_id, account_id, id, $4 FROM members WHERE org_id = $2 AND account_id = $3`, id, orgID, accountID, at)
}

// departures lists the departures since, leaving out people who are back.
func (st store) departures(ctx context.Context, since int64) ([]datamap.Departure, error) {
	rows, err := st.r(ctx).QueryContext(ctx, `SELECT d.org_id, d.account_id, d.member_id, d.left_at FROM member_departures d
		WHERE d.left_at >= $1 AND NOT EXISTS (SELECT 1 FROM members m WHERE m.org_id = d.org_id AND m.account_id = d.account_id AND m.status = $2)
		ORDER BY d.left_at, d.id`, since, StatusActive)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []datamap.Departure
	for rows.Next() {
		var d datamap.Departure
		if err := rows.Scan(&d.OrgID, &d.AccountID, &d.MemberID, &d.LeftAt); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// lockMemberStatus reads the status of the account's member of orgID and,
// on PostgreSQL, locks the row until ctx's transaction ends (SQLite's
// transactions already exclude other writers).
func (st store) lockMemberStatus(ctx context.Context, orgID, accountID string) (string, error) {
	q := `SELECT status FROM members WHERE org_id = $1 AND account_id = $2`
	if st.d.Kind == db.Postgres {
		q += ` FOR UPDATE`
	}
	var status string
	err := st.w(ctx).QueryRowContext(ctx, q, orgID, accountID).Scan(&status)
	return status, st.d.Classify(err)
}

func (st store) memberAccount(ctx context.Context, orgID, memberID string) (string, error) {
	var acc string
	err := st.r(ctx).QueryRowContext(ctx, `SELECT account_id FROM members WHERE id = $1 AND org_id = $2`, memberID, orgID).Scan(&acc)
	return acc, st.d.Classify(err)
}

func (st store) strings(ctx context.Context, q string, args ...any) ([]string, error) {
	rows, err := st.r(ctx).QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}
