package directory

import (
	"context"
	"errors"
	"strings"

	"github.com/atrium-hq/atrium/internal/platform/keyring"
)

// Sealed requests. A join request's name and note are stored sealed with
// AES-GCM (platform/keyring) under the data key of the person asking (the
// account id): erasing the account shreds them, backups included. The AAD
// is "join_requests.display_name:" / "join_requests.message:" + the
// request id.
//
// An email invitation's address is sealed under the organization's key
// ("invitations.email:" + the invitation id), like the invitation's secret
// and prepared profile: the invitation is the organization's record, the
// person it is addressed to often has no account (so no key) yet, and
// erasing a disbanded organization destroys the key. The person who
// registers with the address later finds the invitation through a keyed
// hash of it (keyring.Hash "invitation_email" of the lower-cased address),
// never through the plaintext.
//
// Rows written before sealing keep their plaintext and are read as they
// are until SealPlaintextRequests (run at start-up) seals them.

func joinNameAAD(id string) string    { return "join_requests.display_name:" + id }
func joinMessageAAD(id string) string { return "join_requests.message:" + id }
func inviteEmailAAD(id string) string { return "invitations.email:" + id }

// inviteEmailHash is the keyed hash an invitation is found by its address.
func (s *Service) inviteEmailHash(email string) string {
	email = strings.ToLower(strings.TrimSpace(email))
	if email == "" {
		return ""
	}
	return s.keys.Hash("invitation_email", email)
}

// sealJoinRequest seals jr's name and note under the person's key.
func (s *Service) sealJoinRequest(ctx context.Context, jr *JoinRequestItem) error {
	jr.nameBox, jr.messageBox = nil, nil
	for _, f := range []struct {
		v   string
		aad string
		dst *[]byte
	}{
		{jr.DisplayName, joinNameAAD(jr.ID), &jr.nameBox},
		{jr.Message, joinMessageAAD(jr.ID), &jr.messageBox},
	} {
		if f.v == "" {
			continue
		}
		b, err := s.keys.Seal(ctx, jr.AccountID, f.aad, []byte(f.v))
		if err != nil {
			return err
		}
		*f.dst = b
	}
	return nil
}

// openJoinRequest fills in jr's name and note from their sealed values; a
// value whose key was destroyed reads as empty.
func (s *Service) openJoinRequest(ctx context.Context, jr *JoinRequestItem) {
	for _, f := range []struct {
		box []byte
		aad string
		dst *string
	}{
		{jr.nameBox, joinNameAAD(jr.ID), &jr.DisplayName},
		{jr.messageBox, joinMessageAAD(jr.ID), &jr.Message},
	} {
		if len(f.box) == 0 {
			continue
		}
		pt, err := s.keys.Open(ctx, jr.AccountID, f.aad, f.box)
		if err != nil {
			s.log.DebugContext(ctx, "directory: join request not readable", "request_id", jr.ID, "err", err)
			pt = nil
		}
		*f.dst = string(pt)
	}
	jr.nameBox, jr.messageBox = nil, nil
}

// openJoinRequests opens every request of items in place.
func (s *Service) openJoinRequests(ctx context.Context, items []JoinRequestItem) {
	for i := range items {
		s.openJoinRequest(ctx, &items[i])
	}
}

// sealInvitationEmail seals inv's address under the organization's key and
// computes its keyed hash.
func (s *Service) sealInvitationEmail(ctx context.Context, orgID string, inv *Invitation) error {
	inv.emailBox, inv.emailHash = nil, ""
	if inv.Email == "" {
		return nil
	}
	b, err := s.keys.Seal(ctx, orgID, inviteEmailAAD(inv.ID), []byte(inv.Email))
	if err != nil {
		return err
	}
	inv.emailBox, inv.emailHash = b, s.inviteEmailHash(inv.Email)
	return nil
}

// openInvitationEmail fills in r's address from its sealed value; an
// address whose key was destroyed reads as empty.
func (s *Service) openInvitationEmail(ctx context.Context, r *invitationRow) {
	if len(r.emailBox) == 0 {
		return
	}
	pt, err := s.keys.Open(ctx, r.OrgID, inviteEmailAAD(r.ID), r.emailBox)
	if err != nil {
		s.log.DebugContext(ctx, "directory: invitation address not readable", "invitation_id", r.ID, "err", err)
		pt = nil
	}
	r.Email, r.emailBox = string(pt), nil
}

// SealPlaintextRequests seals the names and notes of join requests and the
// addresses of email invitations written before they were sealed, so that
// they leave the plaintext columns and, from then on, the backups. A join
// request whose person's key was already destroyed has its plaintext
// cleared instead. It is safe to run on several nodes at once and again;
// the server runs it at start-up and it returns how many rows it changed.
func (s *Service) SealPlaintextRequests(ctx context.Context) (int, error) {
	if s.keys == nil {
		return 0, nil
	}
	n := 0
	jrs, err := s.st.plaintextJoinRequests(ctx)
	if err != nil {
		return 0, err
	}
	for _, jr := range jrs {
		sealed := jr
		if err := s.sealJoinRequest(ctx, &sealed); errors.Is(err, keyring.ErrKeyDestroyed) {
			sealed.nameBox, sealed.messageBox = nil, nil
		} else if err != nil {
			return n, err
		}
		ok, err := s.st.setSealedJoinRequest(ctx, sealed)
		if err != nil {
			return n, err
		}
		if ok {
			n++
		}
	}
	invs, err := s.st.plaintextInvitationEmails(ctx)
	if err != nil {
		return n, err
	}
	for _, r := range invs {
		inv := r.Invitation
		if err := s.sealInvitationEmail(ctx, r.OrgID, &inv); err != nil {
			// The organization's key is gone: its erasure deletes the row.
			s.log.WarnContext(ctx, "directory: seal a plaintext invitation address", "invitation_id", r.ID, "err", err)
			continue
		}
		ok, err := s.st.setSealedInvitationEmail(ctx, r.ID, r.Email, inv.emailBox, inv.emailHash)
		if err != nil {
			return n, err
		}
		if ok {
			n++
		}
	}
	return n, nil
}
