package privacy

import (
	"context"
	"sort"
	"strings"

	"github.com/atrium-hq/atrium/internal/audit"
	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/datamap"
	"github.com/atrium-hq/atrium/internal/platform/datamap/sqlmap"
	"github.com/atrium-hq/atrium/internal/platform/events"
	"github.com/atrium-hq/atrium/internal/platform/ids"
)

// HeldItem is one kind of data held about the person, in one organization
// (or none), as the person reads it: no table names, no internal keys.
type HeldItem struct {
	// What names the data ("Your messages").
	What string `json:"what"`
	// Organization is the organization's name, "" for personal data.
	Organization string `json:"organization,omitempty"`
	OrgID        string `json:"org_id,omitempty"`
	// Controller says who decides about it ("You", the org's name, …).
	Controller string `json:"controller"`
	Purpose    string `json:"purpose"`
	Retention  string `json:"retention"`
	Erasure    string `json:"erasure"`
	Reason     string `json:"reason,omitempty"`
	Count      int64  `json:"count"`
}

// HeldCategory groups what is held by the data map's category.
type HeldCategory struct {
	Category string     `json:"category"`
	Title    string     `json:"title"`
	Items    []HeldItem `json:"items"`
}

// Inquiry is the answer to "what do you hold about me, and why", in the
// reader's language ("en" or "zh").
type Inquiry struct {
	AccountID  string         `json:"account_id"`
	Language   string         `json:"language"`
	Categories []HeldCategory `json:"categories"`
}

// RetentionText says in words how long a retention class keeps data.
func RetentionText(class string) string {
	switch {
	case class == "":
		return "as long as the item exists"
	case class == "account":
		return "until you delete your account"
	case class == "exports":
		return "7 days after the export is ready"
	case class == "jobs":
		return "30 days after the job finished"
	case class == "member", class == "invitation":
		return "as the organization's policy for people who leave says"
	case class == "session":
		return "until the session ends or expires"
	case class == "event_log":
		return "a few days, until every device of yours caught up"
	case class == "audit":
		return "as long as the organization's audit log"
	case strings.HasPrefix(class, "messages"), strings.HasPrefix(class, "drive."), class == "files", class == "attendance", class == "location", class == "login_history", class == "audit_log":
		return "as the organization's retention policy for " + class + " says (kept until deleted by you or by that policy)"
	}
	return class
}

// MyData counts what is held about the caller and says why, without
// downloading anything: each kind of data once, under its data category,
// per organization by name, in lang ("en" or "zh"; "" for the account's
// language).
func (s *Service) MyData(ctx context.Context, lang string) (Inquiry, error) {
	a, err := caller(ctx)
	if err != nil {
		return Inquiry{}, err
	}
	if lang == "" && s.People != nil {
		_, locale := s.People.Contact(ctx, a.AccountID)
		lang = locale
	}
	lang = langOf(lang)
	p, _, err := s.person(ctx, a.AccountID)
	if err != nil {
		return Inquiry{}, err
	}
	type key struct{ table, org string }
	counts := map[key]int64{}
	var order []key
	for _, c := range s.Contracts() {
		held, err := c.Count(ctx, p)
		if err != nil {
			return Inquiry{}, err
		}
		for _, h := range held {
			if h.Count == 0 {
				continue
			}
			k := key{h.Table, h.OrgID}
			if _, ok := counts[k]; !ok {
				order = append(order, k)
			}
			counts[k] += h.Count
		}
	}
	byCat := map[datamap.Category][]HeldItem{}
	for _, k := range order {
		t, ok := datamap.Lookup(k.table)
		if !ok || t.Derived {
			continue
		}
		name := s.orgName(ctx, k.org)
		cat := primaryCategory(t)
		byCat[cat] = append(byCat[cat], HeldItem{What: whatOf(t.Name, lang), Organization: name, OrgID: k.org,
			Controller: controllerIn(t.Controller, name, lang), Purpose: purposeOf(t, lang),
			Retention: retentionIn(t.Retention, lang), Erasure: erasureIn(t.Erasure, lang), Reason: reasonIn(t, lang), Count: counts[k]})
	}
	out := Inquiry{AccountID: a.AccountID, Language: lang, Categories: []HeldCategory{}}
	for _, c := range categoryOrder {
		items := byCat[c]
		if len(items) == 0 {
			continue
		}
		sort.SliceStable(items, func(i, j int) bool {
			if items[i].Organization != items[j].Organization {
				return items[i].Organization < items[j].Organization
			}
			return items[i].What < items[j].What
		})
		out.Categories = append(out.Categories, HeldCategory{Category: string(c), Title: categoryTexts[c].in(lang), Items: items})
	}
	return out, nil
}

// reasonIn is why data is kept on erasure; the data map's reasons are in
// English, so Chinese readers get a general sentence.
func reasonIn(t datamap.Table, lang string) string {
	if t.Reason == "" || t.Erasure != datamap.Keep {
		return ""
	}
	if lang == "zh" {
		return "因法律义务或他人的数据而保留。"
	}
	return t.Reason
}

// ---- record of processing ----------------------------------------------------------

// ProcessingActivity is one line of the record of processing (GDPR art. 30).
type ProcessingActivity struct {
	Table      string   `json:"table"`
	Controller string   `json:"controller"`
	Purpose    string   `json:"purpose"`
	Categories []string `json:"categories"`
	Subjects   []string `json:"subject_columns"`
	Retention  string   `json:"retention"`
	Erasure    string   `json:"erasure"`
	Reason     string   `json:"reason,omitempty"`
	Recipients []string `json:"recipients"`
	Derived    bool     `json:"derived,omitempty"`
}

// RecordOfProcessing is generated from the data map.
type RecordOfProcessing struct {
	Activities []ProcessingActivity `json:"activities"`
}

// Record builds the record of processing from the data map.
func Record() RecordOfProcessing {
	out := RecordOfProcessing{Activities: []ProcessingActivity{}}
	for _, t := range datamap.All() {
		out.Activities = append(out.Activities, ProcessingActivity{
			Table: t.Name, Controller: string(t.Controller), Purpose: t.Purpose, Categories: sqlmap.Categories(t),
			Subjects: nonNil(append([]string(nil), t.Subject...)), Retention: RetentionText(t.Retention), Erasure: string(t.Erasure),
			Reason: t.Reason, Recipients: recipientsOf(t), Derived: t.Derived,
		})
	}
	return out
}

func recipientsOf(t datamap.Table) []string {
	switch t.Controller {
	case datamap.Person:
		return []string{"the person", "the operator (as processor, for running the service)"}
	case datamap.Organization:
		return []string{"the organization's admins", "members and contacts, as the data's visibility settings allow", "the operator (as processor)"}
	}
	return []string{"the operator"}
}

// AdminRecord returns the record of processing to an org admin.
func (s *Service) AdminRecord(ctx context.Context) (RecordOfProcessing, error) {
	if _, err := s.admin(ctx, PermManagePrivacyRequests); err != nil {
		return RecordOfProcessing{}, err
	}
	return Record(), nil
}

// ---- security notices ----------------------------------------------------------------

// Notice is a security-incident notice.
type Notice struct {
	ID           string `json:"id"`
	OrgID        string `json:"org_id,omitempty"`
	Title        string `json:"title"`
	WhatHappened string `json:"what_happened"`
	Impact       string `json:"impact"`
	Remedies     string `json:"remedies"`
	Recipients   int    `json:"recipients"`
	CreatedAt    int64  `json:"created_at"`
	ReadAt       int64  `json:"read_at,omitempty"`
}

// NewNotice is a notice to send. AccountIDs limits it to some people of
// the org (default: every active member).
type NewNotice struct {
	Title        string   `json:"title"`
	WhatHappened string   `json:"what_happened"`
	Impact       string   `json:"impact"`
	Remedies     string   `json:"remedies"`
	AccountIDs   []string `json:"account_ids"`
}

func (n *NewNotice) validate() error {
	for _, f := range []struct{ name, v string }{{"title", n.Title}, {"what_happened", n.WhatHappened}, {"impact", n.Impact}, {"remedies", n.Remedies}} {
		if strings.TrimSpace(f.v) == "" {
			return apperr.InvalidField(f.name, f.name+" is required")
		}
		if len(f.v) > 20000 {
			return apperr.InvalidField(f.name, f.name+" is too long")
		}
	}
	return nil
}

// SendNotice sends a security notice to the caller's org's affected people.
func (s *Service) SendNotice(ctx context.Context, in NewNotice) (Notice, error) {
	a, err := s.admin(ctx, PermSendSecurityNotices)
	if err != nil {
		return Notice{}, err
	}
	if err := in.validate(); err != nil {
		return Notice{}, err
	}
	all, err := s.memberAccounts(ctx, a.OrgID)
	if err != nil {
		return Notice{}, err
	}
	to := all
	if len(in.AccountIDs) > 0 {
		member := map[string]bool{}
		for _, x := range all {
			member[x] = true
		}
		to = nil
		for _, x := range in.AccountIDs {
			if !member[x] {
				return Notice{}, apperr.InvalidField("account_ids", "not a member of this organization").With("account_id", x)
			}
			to = append(to, x)
		}
	}
	return s.sendNotice(ctx, a.OrgID, a.AccountID, in, map[string][]string{a.OrgID: to})
}

// SendOperatorNotice sends a notice to every member of every organization
// (the operator, through the CLI).
func (s *Service) SendOperatorNotice(ctx context.Context, in NewNotice) (Notice, error) {
	if err := in.validate(); err != nil {
		return Notice{}, err
	}
	if s.Orgs == nil {
		return Notice{}, apperr.New(apperr.KindUnavailable, "directory_unavailable", "the directory is not available")
	}
	orgs, err := s.Orgs.LiveOrgs(ctx)
	if err != nil {
		return Notice{}, err
	}
	to := map[string][]string{}
	for _, o := range orgs {
		accs, err := s.memberAccounts(ctx, o)
		if err != nil {
			return Notice{}, err
		}
		to[o] = accs
	}
	return s.sendNotice(ctx, "", "operator", in, to)
}

func (s *Service) sendNotice(ctx context.Context, orgID, by string, in NewNotice, to map[string][]string) (Notice, error) {
	n := Notice{ID: ids.New("ntc"), OrgID: orgID, Title: in.Title, WhatHappened: in.WhatHappened, Impact: in.Impact, Remedies: in.Remedies, CreatedAt: s.nowMS()}
	var orgs []string
	for o := range to {
		orgs = append(orgs, o)
	}
	sort.Strings(orgs)
	type rcpt struct{ org, acc string }
	var list []rcpt
	seen := map[string]bool{}
	for _, o := range orgs {
		for _, acc := range to[o] {
			if !seen[acc] {
				seen[acc] = true
				list = append(list, rcpt{o, acc})
			}
		}
	}
	n.Recipients = len(list)
	err := s.DB.Tx(ctx, func(ctx context.Context) error {
		if err := insertNotice(ctx, s.DB, n, by); err != nil {
			return err
		}
		accs := make([]string, len(list))
		for i, r := range list {
			accs[i] = r.acc
		}
		if err := s.mailNotice(ctx, n, accs); err != nil {
			return err
		}
		for _, r := range list {
			if err := insertNoticeRecipient(ctx, s.DB, n.ID, r.acc, r.org); err != nil {
				return err
			}
			if _, err := events.Append(ctx, s.DB, r.org, events.ScopeAccount, r.acc, "security_notice.created", map[string]any{"id": n.ID, "title": n.Title}); err != nil {
				return err
			}
		}
		return audit.Record(ctx, s.DB, audit.Entry{OrgID: orgID, Action: "privacy.security_notice.send", TargetKind: "security_notice", TargetID: n.ID,
			Details: map[string]any{"recipients": n.Recipients, "title": n.Title}})
	})
	return n, err
}

// AdminNotices lists the notices the caller's org sent.
func (s *Service) AdminNotices(ctx context.Context) ([]Notice, error) {
	a, err := s.admin(ctx, PermSendSecurityNotices)
	if err != nil {
		return nil, err
	}
	list, err := listOrgNotices(ctx, s.DB, a.OrgID)
	return nonNil(list), err
}

// MyNotices lists the notices sent to the caller, newest first.
func (s *Service) MyNotices(ctx context.Context) ([]Notice, error) {
	a, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	list, err := listMyNotices(ctx, s.DB, a.AccountID)
	return nonNil(list), err
}

// MarkNoticeRead records that the caller read a notice.
func (s *Service) MarkNoticeRead(ctx context.Context, id string) error {
	a, err := caller(ctx)
	if err != nil {
		return err
	}
	n, err := markNoticeRead(ctx, s.DB, id, a.AccountID, s.nowMS())
	if err != nil {
		return err
	}
	if n == 0 {
		return apperr.ErrNotFound
	}
	return nil
}
