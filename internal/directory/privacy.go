package directory

import (
	"context"
	"encoding/json"
	"errors"
	"strings"

	"github.com/atrium-hq/atrium/internal/platform/actor"
	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/datamap"
	"github.com/atrium-hq/atrium/internal/platform/datamap/sqlmap"
	"github.com/atrium-hq/atrium/internal/platform/db"
)

// Privacy is the directory's side of the privacy contract: the export,
// erasure, count and retention of its own tables (through the table-driven
// engine), the correction and deletion of a person's own profile fields,
// members as legal-hold targets, and who belongs to which organization.
type Privacy struct {
	*sqlmap.Engine
	s *Service
}

var (
	_ datamap.Contract      = (*Privacy)(nil)
	_ datamap.ItemEraser    = (*Privacy)(nil)
	_ datamap.HoldTargets   = (*Privacy)(nil)
	_ datamap.Organizations = (*Privacy)(nil)
)

// privacyTables are the directory's tables in the data map (datamap.go).
var privacyTables = []string{"orgs", "members", "departments", "department_members", "roles", "member_roles", "profile_fields",
	"member_field_values", "invitations", "join_requests", "contacts", "contact_requests", "contact_privacy", "setup_tokens",
	"member_departures", "member_search", "profile_photos"}

// Privacy returns the directory's side of the privacy contract.
func (s *Service) Privacy() *Privacy {
	var keys sqlmap.Keyring
	if s.keys != nil {
		keys = s.keys
	}
	return &Privacy{s: s, Engine: sqlmap.New(sqlmap.Config{DB: s.db, Keys: keys, Tables: privacyTables, Log: s.log, Files: s.blobs,
		Rules: []sqlmap.Rule{
			// The organizations table holds its own id, not an org_id.
			{Table: "orgs", OrgColumn: "id"},
			// A profile photo's file in the export is named and typed by its row.
			{Table: "profile_photos", NameColumn: "name", TypeColumn: "content_type"},
		}})}
}

// Erase erases through the engine, then clears the search index entries
// (derived plaintext) of what it erased: an anonymized member's entry is
// emptied (deleted members lose theirs with the row), and an erased
// account's entries are emptied in every organization, since its key —
// which sealed the fields the entries repeat — is about to be destroyed.
func (p *Privacy) Erase(ctx context.Context, r datamap.EraseRequest) (datamap.Erased, error) {
	if r.Scope == datamap.ScopeMembership && r.OnlyIfGone {
		// Locked until the erasure commits: a reactivation either came
		// first (and is seen here) or waits, then finds the row erased.
		status, err := p.s.st.lockMemberStatus(ctx, r.OrgID, r.Subject.AccountID)
		if err != nil && !errors.Is(err, db.ErrNotFound) {
			return datamap.Erased{}, err
		}
		if status == StatusActive {
			return datamap.Erased{}, datamap.ErrMemberActive
		}
	}
	res, err := p.Engine.Erase(ctx, r)
	if err != nil {
		return res, err
	}
	switch r.Scope {
	case datamap.ScopeAccount:
		err = p.s.st.blankSearchOfAccount(ctx, r.Subject.AccountID)
	case datamap.ScopeMembership:
		if r.MemberID != "" {
			err = p.s.st.blankSearch(ctx, r.MemberID)
		}
		if err == nil && r.Tombstone != "" {
			err = p.s.st.blankSearchOfAccount(ctx, r.Tombstone)
		}
	}
	return res, err
}

// ItemKinds: a person corrects or deletes their own profile fields.
func (p *Privacy) ItemKinds() []string { return []string{"profile"} }

// EraseItem corrects (a value) or deletes (nil) the caller's own profile
// fields in their current organization; locked fields answer 403.
func (p *Privacy) EraseItem(ctx context.Context, it datamap.Item, _ datamap.HoldChecker) (datamap.ItemResult, error) {
	if it.Kind != "profile" {
		return datamap.ItemResult{}, apperr.ErrNotFound
	}
	a, err := actor.Member(ctx)
	if err != nil {
		return datamap.ItemResult{}, err
	}
	if _, err := p.s.UpdateMember(ctx, "me", profilePatch(it.Fields)); err != nil {
		return datamap.ItemResult{}, err
	}
	return datamap.ItemResult{OrgID: a.OrgID}, nil
}

// ReplayItem deletes a person's named fields again after a restore (the
// values of corrections are not recorded, so they are not replayed).
func (p *Privacy) ReplayItem(ctx context.Context, kind, mode, accountID, orgID, targetID string, _ int64) error {
	if kind != "profile" || mode != "delete" {
		return nil
	}
	fields := map[string]*string{}
	for _, n := range strings.Split(targetID, ",") {
		if n != "" {
			fields[n] = nil
		}
	}
	return p.s.ReplayProfileErasure(ctx, orgID, accountID, profilePatch(fields))
}

// profilePatch turns field corrections (nil deletes) into a member patch.
func profilePatch(fields map[string]*string) MemberPatch {
	var p MemberPatch
	str := func(v *string) *string {
		if v == nil {
			e := ""
			return &e
		}
		return v
	}
	for k, v := range fields {
		switch k {
		case "display_name":
			p.DisplayName = str(v)
		case "title":
			p.Title = str(v)
		case "employee_no":
			p.EmployeeNo = str(v)
		case "work_phone":
			p.WorkPhone = str(v)
		case "email":
			p.Email = str(v)
		case "office":
			p.Office = str(v)
		case "join_date":
			p.JoinDate = str(v)
		default:
			if p.Fields == nil {
				p.Fields = map[string]json.RawMessage{}
			}
			if v == nil {
				p.Fields[k] = json.RawMessage("null")
			} else {
				b, _ := json.Marshal(*v)
				p.Fields[k] = b
			}
		}
	}
	return p
}

// HoldKinds: a legal hold can be placed on a member.
func (p *Privacy) HoldKinds() []string { return []string{"member"} }

// HoldTarget returns the account of a member of the organization.
func (p *Privacy) HoldTarget(ctx context.Context, orgID, kind, id string) (string, error) {
	if kind != "member" {
		return "", apperr.ErrNotFound
	}
	acc, err := p.s.st.memberAccount(ctx, orgID, id)
	if err != nil {
		return "", apperr.ErrNotFound
	}
	return acc, nil
}

// Memberships lists an account's memberships, any status.
func (p *Privacy) Memberships(ctx context.Context, accountID string) ([]datamap.Membership, error) {
	return p.s.st.memberships(ctx, accountID)
}

// ActiveMembers lists the accounts of an organization's active members.
func (p *Privacy) ActiveMembers(ctx context.Context, orgID string) ([]string, error) {
	return p.s.st.activeMemberAccounts(ctx, orgID)
}

// LiveOrgs lists the organizations not disbanded.
func (p *Privacy) LiveOrgs(ctx context.Context) ([]string, error) { return p.s.st.liveOrgIDs(ctx) }

// DisbandedOrgs lists the disbanded organizations, oldest first.
func (p *Privacy) DisbandedOrgs(ctx context.Context) ([]datamap.Disbanded, error) {
	return p.s.st.disbandedOrgs(ctx)
}

// Departures lists members who left (quit, removed, deactivated) at or
// after since and are not back.
func (p *Privacy) Departures(ctx context.Context, since int64) ([]datamap.Departure, error) {
	return p.s.st.departures(ctx, since)
}
