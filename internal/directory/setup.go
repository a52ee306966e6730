package directory

import (
	"context"
	"crypto/sha256"
	"encoding/hex"

	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/ids"
)

// First-run setup: while no organization exists, every start of the server
// makes a new one-time token (only its hash is stored) and prints a setup
// link with it. The first POST /api/v1/setup with the token creates the
// owner's account, the first organization and its owner member; the token
// is deleted in the same transaction, so it works once.

// SetupStatus says whether the first organization still has to be created.
type SetupStatus struct {
	Needed bool `json:"needed"`
}

// SetupRequest creates the first organization and its owner.
type SetupRequest struct {
	Token        string           `json:"token"`
	Organization CreateOrgRequest `json:"organization"`
	Owner        SetupOwner       `json:"owner"`
}

// SetupOwner is the owner's new account.
type SetupOwner struct {
	Name     string `json:"name"`
	Email    string `json:"email"`
	Password string `json:"password"`
}

// SetupResult is what setup created.
type SetupResult struct {
	Org       Org    `json:"organization"`
	AccountID string `json:"account_id"`
	MemberID  string `json:"member_id"`
}

func setupHash(token string) string {
	h := sha256.Sum256([]byte("atrium.setup:" + token))
	return hex.EncodeToString(h[:])
}

// SetupNeeded reports whether no organization exists yet.
func (s *Service) SetupNeeded(ctx context.Context) (SetupStatus, error) {
	any, err := s.st.anyOrg(ctx)
	return SetupStatus{Needed: !any}, err
}

// PrepareSetup makes a new one-time setup token when setup is needed and
// returns it ("" when an organization exists). Earlier tokens stop working.
func (s *Service) PrepareSetup(ctx context.Context) (string, error) {
	st, err := s.SetupNeeded(ctx)
	if err != nil {
		return "", err
	}
	if !st.Needed {
		return "", s.st.clearSetupTokens(ctx)
	}
	token := ids.Token(24)
	return token, s.db.Tx(ctx, func(ctx context.Context) error {
		return s.st.replaceSetupToken(ctx, setupHash(token), s.nowMS())
	})
}

// Setup creates the owner's account (active, no email verification), the
// first organization and the owner member, using up the token.
func (s *Service) Setup(ctx context.Context, req SetupRequest) (SetupResult, error) {
	var res SetupResult
	if req.Token == "" {
		return res, apperr.InvalidField("token", "the setup token is required")
	}
	org, err := validOrg(req.Organization)
	if err != nil {
		return res, err
	}
	name, err := text("owner.name", req.Owner.Name, 1, 100)
	if err != nil {
		return res, err
	}
	email, err := normEmail("owner.email", req.Owner.Email)
	if err != nil {
		return res, err
	}
	if email == "" {
		return res, apperr.InvalidField("owner.email", "owner.email is required")
	}
	if req.Owner.Password == "" {
		return res, apperr.InvalidField("owner.password", "owner.password is required")
	}
	err = s.db.Tx(ctx, func(ctx context.Context) error {
		done, err := s.st.anyOrg(ctx)
		if err != nil {
			return err
		}
		if done {
			return apperr.Conflict("setup_done", "setup has already been completed; sign in instead")
		}
		ok, err := s.st.takeSetupToken(ctx, setupHash(req.Token))
		if err != nil {
			return err
		}
		if !ok {
			return apperr.Forbidden("setup_token_invalid", "the setup token is not valid; use the link the server printed at its last start")
		}
		acc, err := s.accounts.CreateAccount(ctx, NewAccount{Email: email, Password: req.Owner.Password, Name: name})
		if err != nil {
			return err
		}
		o, mid, err := s.createOrg(ctx, acc, org)
		if err != nil {
			return err
		}
		res = SetupResult{Org: o, AccountID: acc.ID, MemberID: mid}
		if err := s.st.clearSetupTokens(ctx); err != nil {
			return err
		}
		return s.audit(ctx, o.ID, "setup.complete", "org", o.ID, map[string]any{"owner_account_id": acc.ID})
	})
	return res, err
}
