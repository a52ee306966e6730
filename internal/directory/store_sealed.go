package directory

import (
	"context"

	"github.com/atrium-hq/atrium/internal/platform/db"
)

// The start-up sealing of join requests and email invitations written
// before their personal fields were sealed (sealed_requests.go).

// plaintextJoinRequests lists the join requests whose name or note is
// still stored in plaintext.
func (st store) plaintextJoinRequests(ctx context.Context) ([]JoinRequestItem, error) {
	return db.QueryAll(ctx, st.r(ctx), scanJoinRequest, `SELECT `+joinRequestCols+` FROM join_requests WHERE display_name <> '' OR message <> ''`)
}

// setSealedJoinRequest replaces a join request's plaintext name and note
// by jr's sealed ones (none when the person's key is gone), unless the row
// changed meanwhile; it reports whether it did.
func (st store) setSealedJoinRequest(ctx context.Context, jr JoinRequestItem) (bool, error) {
	res, err := st.w(ctx).ExecContext(ctx, `UPDATE join_requests SET display_name = '', message = '', display_name_sealed = $4, message_sealed = $5
		WHERE id = $1 AND display_name = $2 AND message = $3`, jr.ID, jr.DisplayName, jr.Message, jr.nameBox, jr.messageBox)
	if err != nil {
		return false, st.d.Classify(err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// plaintextInvitationEmails lists the invitations whose address is still
// stored in plaintext.
func (st store) plaintextInvitationEmails(ctx context.Context) ([]invitationRow, error) {
	return db.QueryAll(ctx, st.r(ctx), scanInvitation, `SELECT `+invitationCols+` FROM invitations WHERE email <> ''`)
}

// setSealedInvitationEmail replaces an invitation's plaintext address by
// its sealed value and keyed hash, unless the row changed meanwhile; it
// reports whether it did.
func (st store) setSealedInvitationEmail(ctx context.Context, id, email string, box []byte, hash string) (bool, error) {
	res, err := st.w(ctx).ExecContext(ctx, `UPDATE invitations SET email = '', email_sealed = $3, email_hash = $4 WHERE id = $1 AND email = $2`,
		id, email, box, hash)
	if err != nil {
		return false, st.d.Classify(err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}
