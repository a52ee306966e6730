package directory

import (
	"context"
	"crypto/hmac"
	"encoding/base64"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/atrium-hq/atrium/internal/platform/actor"
	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/ids"
)

// External fields: what a person lets their external contacts (contacts who
// share no organization with them) see.
const (
	ExtMobile       = "mobile"       // the account's phone number
	ExtEmail        = "email"        // the account's email
	ExtOrganization = "organization" // the names of their organizations
	ExtTitle        = "title"        // their title in each organization
	ExtDepartment   = "department"   // their departments
	ExtWorkPhone    = "work_phone"   // their work phone in each organization
	ExtCustomFields = "custom_fields"
)

// ExternalFields lists every external field.
var ExternalFields = []string{ExtMobile, ExtEmail, ExtOrganization, ExtTitle, ExtDepartment, ExtWorkPhone, ExtCustomFields}

// PrivacySettings decide who may find and add a person, and what external
// contacts see. Each change takes effect on the next request.
type PrivacySettings struct {
	// RequireVerification makes adding the person a request they accept
	// or decline.
	RequireVerification bool `json:"require_verification"`
	// Discoverable lets people outside the person's organizations find
	// them (and their company identities) by email, phone or account id.
	Discoverable bool `json:"discoverable"`
	// ExternalFields are what external contacts see.
	ExternalFields []string `json:"external_fields"`
	// AllowViaGroup and AllowViaCard allow contact requests from people
	// met in a group chat or given the person's contact card.
	AllowViaGroup bool  `json:"allow_via_group"`
	AllowViaCard  bool  `json:"allow_via_card"`
	UpdatedAt     int64 `json:"updated_at"`
}

// DefaultPrivacy is what a person has until they change it.
func DefaultPrivacy() PrivacySettings {
	return PrivacySettings{RequireVerification: true, Discoverable: true,
		ExternalFields: []string{ExtOrganization, ExtTitle, ExtDepartment}, AllowViaGroup: true, AllowViaCard: true}
}

// PrivacyPatch changes privacy settings.
type PrivacyPatch struct {
	RequireVerification *bool     `json:"require_verification,omitempty"`
	Discoverable        *bool     `json:"discoverable,omitempty"`
	ExternalFields      *[]string `json:"external_fields,omitempty"`
	AllowViaGroup       *bool     `json:"allow_via_group,omitempty"`
	AllowViaCard        *bool     `json:"allow_via_card,omitempty"`
}

// Contact request routes.
const (
	ViaSearch = "search" // found by email, phone or account id
	ViaGroup  = "group"  // met in a group chat
	ViaCard   = "card"   // given the person's contact card
)

// AddContactRequest adds a contact, or asks to.
type AddContactRequest struct {
	AccountID string `json:"account_id,omitempty"`
	Email     string `json:"email,omitempty"`
	Phone     string `json:"phone,omitempty"`
	// Via is search (default), group (with GroupID) or card (with Card).
	Via     string `json:"via,omitempty"`
	GroupID string `json:"group_id,omitempty"`
	Card    string `json:"card,omitempty"`
	Message string `json:"message,omitempty"`
}

// AddContactResult says whether the contact was added or a request waits.
type AddContactResult struct {
	// Status is "added" or "pending".
	Status    string `json:"status"`
	AccountID string `json:"account_id"`
	RequestID string `json:"request_id,omitempty"`
}

// Contact is one of a person's contacts.
type Contact struct {
	AccountID string `json:"account_id"`
	Name      string `json:"name"`
	CreatedAt int64  `json:"created_at"`
}

// ContactList lists contacts.
type ContactList struct {
	Items []Contact `json:"items"`
}

// ContactRequest is a request to become contacts.
type ContactRequest struct {
	ID          string `json:"id"`
	FromAccount string `json:"from_account_id"`
	ToAccount   string `json:"to_account_id"`
	FromName    string `json:"from_name"`
	Via         string `json:"via"`
	Message     string `json:"message"`
	// Status is pending, accepted or declined.
	Status    string `json:"status"`
	CreatedAt int64  `json:"created_at"`
	DecidedAt int64  `json:"decided_at,omitempty"`

	sealed []byte // Message, sealed under the sender's key
}

// ContactRequestList lists incoming and outgoing requests.
type ContactRequestList struct {
	Incoming []ContactRequest `json:"incoming"`
	Outgoing []ContactRequest `json:"outgoing"`
}

// LookupRequest finds a person by email or phone.
type LookupRequest struct {
	Email string `json:"email,omitempty"`
	Phone string `json:"phone,omitempty"`
}

// Person is what the caller may see of another person.
type Person struct {
	AccountID string `json:"account_id"`
	Name      string `json:"name"`
	// Relation is self, colleague (an organization in common), contact or
	// none.
	Relation  string            `json:"relation"`
	IsContact bool              `json:"is_contact"`
	Mobile    string            `json:"mobile,omitempty"`
	Email     string            `json:"email,omitempty"`
	Companies []CompanyIdentity `json:"companies"`
	// PhotoVersion is set when the person has a profile photo the caller
	// may see: GET /api/v1/people/{account_id}/photo?size=96|512&v=….
	PhotoVersion string `json:"photo_version,omitempty"`
}

// CompanyIdentity is a person's identity in one organization, as shown to
// the caller.
type CompanyIdentity struct {
	OrgID       string                     `json:"org_id"`
	OrgName     string                     `json:"org_name"`
	Shared      bool                       `json:"shared"`
	MemberID    string                     `json:"member_id,omitempty"`
	DisplayName string                     `json:"display_name,omitempty"`
	Title       string                     `json:"title,omitempty"`
	Departments []string                   `json:"departments,omitempty"`
	WorkPhone   string                     `json:"work_phone,omitempty"`
	Fields      map[string]json.RawMessage `json:"fields,omitempty"`
}

// ContactCard is a signed card that lets its holders ask to add a person.
type ContactCard struct {
	AccountID string `json:"account_id"`
	Card      string `json:"card"`
	ExpiresAt int64  `json:"expires_at"`
}

// ---- privacy settings ----

func (s *Service) privacyOf(ctx context.Context, accountID string) (PrivacySettings, error) {
	p, err := s.st.getPrivacy(ctx, accountID)
	if errors.Is(err, db.ErrNotFound) {
		return DefaultPrivacy(), nil
	}
	return p, err
}

// MyPrivacy returns the caller's privacy settings.
func (s *Service) MyPrivacy(ctx context.Context) (PrivacySettings, error) {
	a, err := actor.Caller(ctx)
	if err != nil {
		return PrivacySettings{}, err
	}
	return s.privacyOf(ctx, a.AccountID)
}

// UpdateMyPrivacy changes the caller's privacy settings.
func (s *Service) UpdateMyPrivacy(ctx context.Context, p PrivacyPatch) (PrivacySettings, error) {
	a, err := actor.Caller(ctx)
	if err != nil {
		return PrivacySettings{}, err
	}
	var out PrivacySettings
	err = s.db.Tx(ctx, func(ctx context.Context) error {
		cur, err := s.privacyOf(ctx, a.AccountID)
		if err != nil {
			return err
		}
		changed := map[string]any{}
		setb := func(name string, v *bool, dst *bool) {
			if v != nil {
				*dst, changed[name] = *v, *v
			}
		}
		setb("require_verification", p.RequireVerification, &cur.RequireVerification)
		setb("discoverable", p.Discoverable, &cur.Discoverable)
		setb("allow_via_group", p.AllowViaGroup, &cur.AllowViaGroup)
		setb("allow_via_card", p.AllowViaCard, &cur.AllowViaCard)
		if p.ExternalFields != nil {
			fs := []string{}
			for _, f := range *p.ExternalFields {
				if !slices.Contains(ExternalFields, f) {
					return apperr.InvalidField("external_fields", "unknown external field").With("value", f)
				}
				if !slices.Contains(fs, f) {
					fs = append(fs, f)
				}
			}
			cur.ExternalFields, changed["external_fields"] = fs, fs
		}
		cur.UpdatedAt = s.nowMS()
		if err := s.st.putPrivacy(ctx, a.AccountID, cur); err != nil {
			return err
		}
		if err := s.accountEvent(ctx, a.AccountID, "me.privacy_updated", map[string]any{}); err != nil {
			return err
		}
		out = cur
		return s.audit(ctx, "", "privacy.settings_update", "account", a.AccountID, changed)
	})
	return out, err
}

// ---- relations and views ----

// sharesOrg reports whether two accounts are active members of a common
// active organization.
func (s *Service) sharesOrg(ctx context.Context, a, b string) (bool, error) {
	orgs, err := s.st.sharedOrgs(ctx, a, b)
	return len(orgs) > 0, err
}

// relation returns how viewer relates to target.
func (s *Service) relation(ctx context.Context, viewer, target string) (string, bool, error) {
	if viewer == target {
		return "self", false, nil
	}
	contact, err := s.st.areContacts(ctx, viewer, target)
	if err != nil {
		return "", false, err
	}
	shared, err := s.sharesOrg(ctx, viewer, target)
	if err != nil {
		return "", false, err
	}
	switch {
	case shared:
		return "colleague", contact, nil
	case contact:
		return "contact", true, nil
	}
	return "none", false, nil
}

// person builds what viewer may see of acc. Strangers see the person only
// when they are discoverable, and then only their name and organization
// names; external contacts see what the person's external fields allow;
// colleagues see the shared organizations in full and the others as an
// external contact would.
func (s *Service) person(ctx context.Context, viewer string, acc Account) (Person, error) {
	rel, contact, err := s.relation(ctx, viewer, acc.ID)
	if err != nil {
		return Person{}, err
	}
	pv, err := s.privacyOf(ctx, acc.ID)
	if err != nil {
		return Person{}, err
	}
	if rel == "none" && !pv.Discoverable {
		return Person{}, apperr.ErrNotFound
	}
	p := Person{AccountID: acc.ID, Name: acc.Name, Relation: rel, IsContact: contact, Companies: []CompanyIdentity{}}
	if rel != "none" {
		p.PhotoVersion = s.photoVersions(ctx, []string{acc.ID})[acc.ID]
	}
	ext := func(f string) bool { return rel == "self" || slices.Contains(pv.ExternalFields, f) }
	if rel == "self" || ((rel == "contact" || rel == "colleague") && ext(ExtMobile)) {
		p.Mobile = acc.Phone
	}
	if rel == "self" || ((rel == "contact" || rel == "colleague") && ext(ExtEmail)) {
		p.Email = acc.Email
	}
	memberships, err := s.st.activeMemberships(ctx, acc.ID)
	if err != nil {
		return Person{}, err
	}
	s.openMembers(ctx, memberships)
	shared, err := s.st.sharedOrgs(ctx, viewer, acc.ID)
	if err != nil {
		return Person{}, err
	}
	for _, m := range memberships {
		o, err := s.st.getOrg(ctx, m.OrgID)
		if err != nil {
			return Person{}, err
		}
		inOrg := rel == "self" || slices.Contains(shared, m.OrgID)
		ci := CompanyIdentity{OrgID: o.ID, OrgName: o.Name, Shared: inOrg}
		switch {
		case inOrg:
			ci.MemberID, ci.DisplayName, ci.Title = m.ID, m.DisplayName, m.Title
			ci.WorkPhone = s.openPhone(ctx, m.OrgID, m.ID, m.WorkPhone)
			ci.Departments, err = s.st.departmentNames(ctx, m.ID)
			if err != nil {
				return Person{}, err
			}
			vals, err := s.fieldsVisible(ctx, m, []string{VisibleEveryone, VisibleExternal})
			if err != nil {
				return Person{}, err
			}
			ci.Fields = vals
		case rel == "none":
			// A stranger sees only where a discoverable person works.
		case ext(ExtOrganization):
			ci.DisplayName = m.DisplayName
			if ext(ExtTitle) {
				ci.Title = m.Title
			}
			if ext(ExtDepartment) {
				if ci.Departments, err = s.st.departmentNames(ctx, m.ID); err != nil {
					return Person{}, err
				}
			}
			if ext(ExtWorkPhone) {
				ci.WorkPhone = s.openPhone(ctx, m.OrgID, m.ID, m.WorkPhone)
			}
			if ext(ExtCustomFields) {
				if ci.Fields, err = s.fieldsVisible(ctx, m, []string{VisibleExternal}); err != nil {
					return Person{}, err
				}
			}
		default:
			continue // the organization itself is hidden from external contacts
		}
		p.Companies = append(p.Companies, ci)
	}
	return p, nil
}

// fieldsVisible returns m's custom field values whose visibility is in vis.
func (s *Service) fieldsVisible(ctx context.Context, m memberRow, vis []string) (map[string]json.RawMessage, error) {
	fs, err := s.st.listFields(ctx, m.OrgID)
	if err != nil {
		return nil, err
	}
	vals, err := s.fieldValues(ctx, []memberRow{m})
	if err != nil {
		return nil, err
	}
	out := map[string]json.RawMessage{}
	for _, f := range fs {
		if v, ok := vals[m.ID][f.ID]; ok && slices.Contains(vis, f.Visibility) {
			out[f.Name] = json.RawMessage(v)
		}
	}
	return out, nil
}

// GetPerson returns what the caller may see of a person.
func (s *Service) GetPerson(ctx context.Context, accountID string) (Person, error) {
	a, err := actor.Caller(ctx)
	if err != nil {
		return Person{}, err
	}
	acc, err := s.accounts.GetAccount(ctx, accountID)
	if err != nil {
		return Person{}, apperr.MapNotFound(err)
	}
	return s.person(ctx, a.AccountID, acc)
}

// LookupPerson finds a person by email or phone. People who are not
// discoverable are found only by their colleagues and contacts.
func (s *Service) LookupPerson(ctx context.Context, req LookupRequest) (Person, error) {
	a, err := actor.Caller(ctx)
	if err != nil {
		return Person{}, err
	}
	acc, err := s.findAccount(ctx, AddContactRequest{Email: req.Email, Phone: req.Phone})
	if err != nil {
		return Person{}, err
	}
	return s.person(ctx, a.AccountID, acc)
}

func (s *Service) findAccount(ctx context.Context, req AddContactRequest) (Account, error) {
	var acc Account
	var err error
	switch {
	case req.AccountID != "":
		acc, err = s.accounts.GetAccount(ctx, req.AccountID)
	case req.Email != "":
		var e string
		if e, err = normEmail("email", req.Email); err != nil {
			return acc, err
		}
		acc, err = s.accounts.AccountByEmail(ctx, e)
	case req.Phone != "":
		var p string
		if p, err = normPhone("phone", req.Phone); err != nil {
			return acc, err
		}
		acc, err = s.accounts.AccountByPhone(ctx, p)
	default:
		return acc, apperr.InvalidField("email", "account_id, email or phone is required")
	}
	return acc, apperr.MapNotFound(err)
}

// ---- contacts ----

// AddContact adds a contact, or sends a request when the person requires
// verification. The person's settings decide whether they can be found
// (discoverable) and whether requests via a group chat or a contact card
// are allowed.
func (s *Service) AddContact(ctx context.Context, req AddContactRequest) (AddContactResult, error) {
	a, err := actor.Caller(ctx)
	if err != nil {
		return AddContactResult{}, err
	}
	msg, err := text("message", req.Message, 0, 500)
	if err != nil {
		return AddContactResult{}, err
	}
	via := req.Via
	if via == "" {
		via = ViaSearch
	}
	if via == ViaCard && req.AccountID == "" && req.Card != "" {
		if id, _, err := s.parseCard(req.Card); err == nil {
			req.AccountID = id
		}
	}
	target, err := s.findAccount(ctx, req)
	if err != nil {
		return AddContactResult{}, err
	}
	if target.ID == a.AccountID {
		return AddContactResult{}, apperr.Invalid("cannot_add_self", "you cannot add yourself as a contact")
	}
	pv, err := s.privacyOf(ctx, target.ID)
	if err != nil {
		return AddContactResult{}, err
	}
	colleague, err := s.sharesOrg(ctx, a.AccountID, target.ID)
	if err != nil {
		return AddContactResult{}, err
	}
	// Someone who is not discoverable is, to a stranger without a proof
	// (a shared group, their card), exactly an unknown address: each
	// refusal below answers 404 until the proof holds.
	hidden := !pv.Discoverable && !colleague
	switch via {
	case ViaSearch:
		if hidden {
			return AddContactResult{}, apperr.ErrNotFound
		}
	case ViaGroup:
		s.mu.RLock()
		g := s.groups
		s.mu.RUnlock()
		if req.GroupID == "" || g == nil || !g.ShareGroup(ctx, req.GroupID, a.AccountID, target.ID) {
			if hidden {
				return AddContactResult{}, apperr.ErrNotFound
			}
			return AddContactResult{}, apperr.Forbidden("not_in_shared_group", "you are not in this group chat with this person")
		}
		if !pv.AllowViaGroup {
			return AddContactResult{}, apperr.Forbidden("contact_via_group_disabled", "this person does not accept contact requests from group chats")
		}
	case ViaCard:
		id, _, err := s.parseCard(req.Card)
		if err != nil || id != target.ID {
			if hidden {
				return AddContactResult{}, apperr.ErrNotFound
			}
			return AddContactResult{}, apperr.Invalid("invalid_card", "the contact card is not valid or has expired")
		}
		if !pv.AllowViaCard {
			return AddContactResult{}, apperr.Forbidden("contact_via_card_disabled", "this person does not accept contact requests from shared contact cards")
		}
	default:
		return AddContactResult{}, apperr.InvalidField("via", "via must be search, group or card")
	}
	res := AddContactResult{AccountID: target.ID}
	err = s.db.Tx(ctx, func(ctx context.Context) error {
		if ok, err := s.st.areContacts(ctx, a.AccountID, target.ID); err != nil {
			return err
		} else if ok {
			return apperr.Conflict("already_contact", "you are already contacts")
		}
		// If they already asked us, asking back accepts.
		back, err := s.st.pendingContactRequest(ctx, target.ID, a.AccountID)
		if err == nil {
			res.Status, res.RequestID = "added", back.ID
			return s.acceptContact(ctx, back)
		}
		if !errors.Is(err, db.ErrNotFound) {
			return err
		}
		if !pv.RequireVerification {
			res.Status = "added"
			return s.linkContacts(ctx, a.AccountID, target.ID, via)
		}
		cr := ContactRequest{ID: ids.New("crq"), FromAccount: a.AccountID, ToAccount: target.ID, Via: via, Message: msg, Status: "pending", CreatedAt: s.nowMS()}
		if err := s.sealRequestMessage(ctx, &cr); err != nil {
			return err
		}
		if err := s.st.insertContactRequest(ctx, cr); err != nil {
			if errors.Is(err, db.ErrConflict) {
				return apperr.Conflict("contact_request_pending", "you already asked; wait for an answer")
			}
			return err
		}
		res.Status, res.RequestID = "pending", cr.ID
		if err := s.accountEvent(ctx, target.ID, "contact_request.received", map[string]any{"request_id": cr.ID}); err != nil {
			return err
		}
		return s.accountEvent(ctx, a.AccountID, "contact_request.sent", map[string]any{"request_id": cr.ID})
	})
	return res, err
}

func (s *Service) linkContacts(ctx context.Context, a, b, via string) error {
	now := s.nowMS()
	if err := s.st.insertContact(ctx, a, b, now); err != nil {
		return err
	}
	if err := s.st.insertContact(ctx, b, a, now); err != nil {
		return err
	}
	if err := s.accountEvent(ctx, a, "contact.added", map[string]any{"account_id": b}); err != nil {
		return err
	}
	return s.accountEvent(ctx, b, "contact.added", map[string]any{"account_id": a})
}

func (s *Service) acceptContact(ctx context.Context, cr ContactRequest) error {
	if err := s.st.decideContactRequest(ctx, cr.ID, "accepted", s.nowMS()); err != nil {
		return err
	}
	return s.linkContacts(ctx, cr.FromAccount, cr.ToAccount, cr.Via)
}

// ListContacts lists the caller's contacts.
func (s *Service) ListContacts(ctx context.Context) (ContactList, error) {
	a, err := actor.Caller(ctx)
	if err != nil {
		return ContactList{}, err
	}
	cs, err := s.st.listContacts(ctx, a.AccountID)
	if err != nil {
		return ContactList{}, err
	}
	for i := range cs {
		if acc, err := s.accounts.GetAccount(ctx, cs[i].AccountID); err == nil {
			cs[i].Name = acc.Name
		}
	}
	return ContactList{Items: cs}, nil
}

// RemoveContact removes a contact (on both sides).
func (s *Service) RemoveContact(ctx context.Context, accountID string) error {
	a, err := actor.Caller(ctx)
	if err != nil {
		return err
	}
	return s.db.Tx(ctx, func(ctx context.Context) error {
		ok, err := s.st.areContacts(ctx, a.AccountID, accountID)
		if err != nil {
			return err
		}
		if !ok {
			return apperr.ErrNotFound
		}
		if err := s.st.deleteContacts(ctx, a.AccountID, accountID); err != nil {
			return err
		}
		if err := s.accountEvent(ctx, a.AccountID, "contact.removed", map[string]any{"account_id": accountID}); err != nil {
			return err
		}
		return s.accountEvent(ctx, accountID, "contact.removed", map[string]any{"account_id": a.AccountID})
	})
}

// ListContactRequests lists the caller's pending incoming and outgoing
// contact requests.
func (s *Service) ListContactRequests(ctx context.Context) (ContactRequestList, error) {
	a, err := actor.Caller(ctx)
	if err != nil {
		return ContactRequestList{}, err
	}
	in, err := s.st.contactRequests(ctx, "to_account", a.AccountID)
	if err != nil {
		return ContactRequestList{}, err
	}
	out, err := s.st.contactRequests(ctx, "from_account", a.AccountID)
	if err != nil {
		return ContactRequestList{}, err
	}
	for i := range in {
		if acc, err := s.accounts.GetAccount(ctx, in[i].FromAccount); err == nil {
			in[i].FromName = acc.Name
		}
		s.openRequestMessage(ctx, &in[i])
	}
	for i := range out {
		s.openRequestMessage(ctx, &out[i])
	}
	return ContactRequestList{Incoming: in, Outgoing: out}, nil
}

// DecideContactRequest accepts or declines a request made to the caller.
func (s *Service) DecideContactRequest(ctx context.Context, id string, accept bool) (ContactRequest, error) {
	a, err := actor.Caller(ctx)
	if err != nil {
		return ContactRequest{}, err
	}
	var cr ContactRequest
	err = s.db.Tx(ctx, func(ctx context.Context) error {
		var err error
		if cr, err = s.st.getContactRequest(ctx, id); err != nil {
			return err
		}
		if cr.ToAccount != a.AccountID {
			return apperr.ErrNotFound
		}
		if cr.Status != "pending" {
			return apperr.Conflict("contact_request_decided", "this request has already been answered")
		}
		s.openRequestMessage(ctx, &cr)
		cr.DecidedAt = s.nowMS()
		if accept {
			cr.Status = "accepted"
			return s.acceptContact(ctx, cr)
		}
		cr.Status = "declined"
		if err := s.st.decideContactRequest(ctx, cr.ID, "declined", cr.DecidedAt); err != nil {
			return err
		}
		return s.accountEvent(ctx, cr.FromAccount, "contact_request.declined", map[string]any{"request_id": cr.ID})
	})
	return cr, err
}

// ---- contact cards ----

const cardLifetime = 30 * 24 * time.Hour

// ShareCard makes a contact card of accountID that the caller can pass on.
// The caller must be the person, a contact or a colleague of them.
func (s *Service) ShareCard(ctx context.Context, accountID string) (ContactCard, error) {
	a, err := actor.Caller(ctx)
	if err != nil {
		return ContactCard{}, err
	}
	rel, _, err := s.relation(ctx, a.AccountID, accountID)
	if err != nil {
		return ContactCard{}, err
	}
	if rel == "none" {
		return ContactCard{}, apperr.ErrNotFound
	}
	exp := s.now().Add(cardLifetime).UnixMilli()
	payload := accountID + "." + strconv.FormatInt(exp, 10)
	sig := s.keys.Hash("contact_card", payload)
	card := base64.RawURLEncoding.EncodeToString([]byte(payload)) + "." + sig
	return ContactCard{AccountID: accountID, Card: card, ExpiresAt: exp}, nil
}

func (s *Service) parseCard(card string) (string, int64, error) {
	bad := errors.New("invalid card")
	p64, sig, ok := strings.Cut(card, ".")
	if !ok {
		return "", 0, bad
	}
	pb, err := base64.RawURLEncoding.DecodeString(p64)
	if err != nil {
		return "", 0, bad
	}
	payload := string(pb)
	if !hmac.Equal([]byte(sig), []byte(s.keys.Hash("contact_card", payload))) {
		return "", 0, bad
	}
	id, es, ok := strings.Cut(payload, ".")
	exp, err := strconv.ParseInt(es, 10, 64)
	if !ok || err != nil || exp < s.nowMS() {
		return "", 0, bad
	}
	return id, exp, nil
}

// requestAAD binds a contact request's sealed message to its row.
func requestAAD(id string) string { return "contact_requests.message:" + id }

// sealRequestMessage seals the note of a contact request under its
// sender's key: erasing the sender makes it unreadable everywhere.
func (s *Service) sealRequestMessage(ctx context.Context, cr *ContactRequest) error {
	if s.keys == nil || cr.Message == "" {
		return nil
	}
	b, err := s.keys.Seal(ctx, cr.FromAccount, requestAAD(cr.ID), []byte(cr.Message))
	if err != nil {
		return err
	}
	cr.sealed = b
	return nil
}

// openRequestMessage fills in the note of a stored request; a note whose
// key was destroyed reads as empty.
func (s *Service) openRequestMessage(ctx context.Context, cr *ContactRequest) {
	if len(cr.sealed) == 0 || s.keys == nil {
		return
	}
	b, err := s.keys.Open(ctx, cr.FromAccount, requestAAD(cr.ID), cr.sealed)
	if err != nil {
		cr.Message = ""
		return
	}
	cr.Message = string(b)
}

// Related says whether viewer knows other: themselves, a colleague (a
// shared organization) or a contact. Push asks it before showing a
// person's status.
func (s *Service) Related(ctx context.Context, viewer, other string) bool {
	rel, _, err := s.relation(ctx, viewer, other)
	return err == nil && rel != "none"
}

// PersonNames returns the names viewer is shown for the given accounts,
// by the rules of GetPerson: a person viewer may not see, or whose account
// is gone, is left out. For lists that name a few people each (the
// senders of the last messages of a conversation list).
func (s *Service) PersonNames(ctx context.Context, viewer string, accountIDs []string) map[string]string {
	out := make(map[string]string, len(accountIDs))
	seen := make(map[string]bool, len(accountIDs))
	for _, id := range accountIDs {
		if seen[id] || id == "" {
			continue
		}
		seen[id] = true
		acc, err := s.accounts.GetAccount(ctx, id)
		if err != nil {
			continue
		}
		rel, _, err := s.relation(ctx, viewer, id)
		if err != nil {
			continue
		}
		if rel == "none" {
			if pv, err := s.privacyOf(ctx, id); err != nil || !pv.Discoverable {
				continue
			}
		}
		out[id] = acc.Name
	}
	return out
}
