package directory

import (
	"context"

	"github.com/atrium-hq/atrium/internal/platform/datamap"
	"github.com/atrium-hq/atrium/internal/platform/db"
)

// SQL of the directory's side of the privacy contract (privacy.go).

func (st store) memberships(ctx context.Context, accountID string) ([]datamap.Membership, error) {
	return db.QueryAll(ctx, st.r(ctx), func(s db.Scanner) (datamap.Membership, error) {
		var m datamap.Membership
		var role string
		err := s.Scan(&m.OrgID, &m.MemberID, &m.Status, &role, &m.LeftAt)
		m.Owner = role == RoleOwner
		return m, err
	}, `SELECT org_id, id, status, role, COALESCE(left_at, 0) FROM members WHERE account_id = $1 ORDER BY org_id`, accountID)
}

func (st store) activeMemberAccounts(ctx context.Context, orgID string) ([]string, error) {
	return st.strings(ctx, `SELECT account_id FROM members WHERE org_id = $1 AND status = $2 ORDER BY 1`, orgID, StatusActive)
}

func (st store) liveOrgIDs(ctx context.Context) ([]string, error) {
	return st.strings(ctx, `SELECT id FROM orgs WHERE disbanded_at IS NULL ORDER BY 1`)
}

func (st store) disbandedOrgs(ctx context.Context) ([]datamap.Disbanded, error) {
	return db.QueryAll(ctx, st.r(ctx), func(s db.Scanner) (datamap.Disbanded, error) {
		var d datamap.Disbanded
		err := s.Scan(&d.OrgID, &d.At)
		return d, err
	}, `SELECT id, disbanded_at FROM orgs WHERE disbanded_at IS NOT NULL ORDER BY 2`)
}

// recordDeparture notes, in the departure's transaction, that the
// account's member of the org left at at.
func (st store) recordDeparture(ctx context.Context, id, orgID, accountID string, at int64) error {
	return st.exec(ctx, false, `INSERT INTO member_departures (id, org_id, account_id, member_id, left_at)
		SELECT $1, org_id, account_id, id, $4 FROM members WHERE org_id = $2 AND account_id = $3`, id, orgID, accountID, at)
}

// departures lists the departures since, leaving out people who are back.
func (st store) departures(ctx context.Context, since int64) ([]datamap.Departure, error) {
	return db.QueryAll(ctx, st.r(ctx), func(s db.Scanner) (datamap.Departure, error) {
		var d datamap.Departure
		err := s.Scan(&d.OrgID, &d.AccountID, &d.MemberID, &d.LeftAt)
		return d, err
	}, `SELECT d.org_id, d.account_id, d.member_id, d.left_at FROM member_departures d
		WHERE d.left_at >= $1 AND NOT EXISTS (SELECT 1 FROM members m WHERE m.org_id = d.org_id AND m.account_id = d.account_id AND m.status = $2)
		ORDER BY d.left_at, d.id`, since, StatusActive)
}

// lockMemberStatus reads the status of the account's member of orgID and,
// on PostgreSQL, locks the row until ctx's transaction ends (SQLite's
// transactions already exclude other writers).
func (st store) lockMemberStatus(ctx context.Context, orgID, accountID string) (string, error) {
	var status string
	err := st.w(ctx).QueryRowContext(ctx, `SELECT status FROM members WHERE org_id = $1 AND account_id = $2`+st.d.Dialect.ForUpdate(), orgID, accountID).Scan(&status)
	return status, st.d.Classify(err)
}

func (st store) memberAccount(ctx context.Context, orgID, memberID string) (string, error) {
	var acc string
	err := st.r(ctx).QueryRowContext(ctx, `SELECT account_id FROM members WHERE id = $1 AND org_id = $2`, memberID, orgID).Scan(&acc)
	return acc, st.d.Classify(err)
}

func (st store) strings(ctx context.Context, q string, args ...any) ([]string, error) {
	return db.QueryAll(ctx, st.r(ctx), db.Value[string], q, args...)
}
