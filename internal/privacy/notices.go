package privacy

import (
	"context"
	"strings"
	"time"
)

// People is what privacy needs to speak to people: where and in which
// language to write to an account, and the names of organizations and of
// people as the reader knows them.
type People interface {
	// Contact returns the account's email address and locale ("" when the
	// account is gone or its key destroyed).
	Contact(ctx context.Context, accountID string) (email, locale string)
	// OrgName returns a live organization's name ("" when unknown).
	OrgName(ctx context.Context, orgID string) string
	// PersonName returns the name accountID has inside orgID (their member
	// display name), or their account name when orgID is "" ("" when
	// unknown).
	PersonName(ctx context.Context, orgID, accountID string) string
}

// Unacknowledged is what the app keeps showing a person until they
// acknowledge it: security notices sent to them and policy updates they
// have not read. (Significant policy versions stop the person at the gate
// instead; they are not listed here.)
type Unacknowledged struct {
	SecurityNotices []Notice   `json:"security_notices"`
	PolicyUpdates   []Document `json:"policy_updates"`
}

// MyUnacknowledged lists the caller's unacknowledged notices. A security
// notice is acknowledged with POST /me/security-notices/{id}/read, a
// policy update by accepting it (POST /me/policies/accept).
func (s *Service) MyUnacknowledged(ctx context.Context) (Unacknowledged, error) {
	a, err := caller(ctx)
	if err != nil {
		return Unacknowledged{}, err
	}
	out := Unacknowledged{SecurityNotices: []Notice{}, PolicyUpdates: []Document{}}
	if out.SecurityNotices, err = listUnreadNotices(ctx, s.DB, a.AccountID); err != nil {
		return out, err
	}
	out.SecurityNotices = nonNil(out.SecurityNotices)
	cur, err := currentDocuments(ctx, s.DB, a.OrgID)
	if err != nil {
		return out, err
	}
	pend, err := pendingDocuments(ctx, s.DB, a.AccountID)
	if err != nil {
		return out, err
	}
	acc, err := listAcceptances(ctx, s.DB, a.AccountID)
	if err != nil {
		return out, err
	}
	skip := map[string]bool{}
	for _, d := range pend {
		skip[d.ID] = true
	}
	for _, x := range acc {
		skip[x.DocumentID] = true
	}
	for _, d := range cur {
		if !skip[d.ID] {
			out.PolicyUpdates = append(out.PolicyUpdates, d)
		}
	}
	return out, nil
}

// zh reports whether a locale reads Chinese.
func zh(locale string) bool { return strings.HasPrefix(strings.ToLower(locale), "zh") }

// mailEach queues one email per account in ctx's transaction, written in
// the account's language. Accounts without an address are skipped.
func (s *Service) mailEach(ctx context.Context, accountIDs []string, write func(zh bool) (subject, body string)) error {
	if s.Mail == nil || s.People == nil {
		return nil
	}
	for _, id := range accountIDs {
		to, locale := s.People.Contact(ctx, id)
		if to == "" {
			continue
		}
		subj, body := write(zh(locale))
		if err := s.Mail(ctx, to, subj, body); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) orgName(ctx context.Context, orgID string) string {
	if s.People == nil || orgID == "" {
		return ""
	}
	return s.People.OrgName(ctx, orgID)
}

// mailNotice emails a security notice to its recipients (ctx's
// transaction).
func (s *Service) mailNotice(ctx context.Context, n Notice, accountIDs []string) error {
	from := s.orgName(ctx, n.OrgID)
	link := strings.TrimRight(s.BaseURL, "/") + "/privacy"
	return s.mailEach(ctx, accountIDs, func(zh bool) (string, string) {
		if zh {
			who := "Atrium 的运营方"
			if from != "" {
				who = from
			}
			return "安全事件通知：" + n.Title,
				who + " 向你发出一则安全事件通知。\n\n" +
					"发生了什么：\n" + n.WhatHappened + "\n\n" +
					"可能的影响：\n" + n.Impact + "\n\n" +
					"已采取和你可以采取的措施：\n" + n.Remedies + "\n\n" +
					"在你确认之前，这则通知也会显示在 Atrium 中：" + link + "\n"
		}
		who := "The operator of Atrium"
		if from != "" {
			who = from
		}
		return "Security notice: " + n.Title,
			who + " sends you a security incident notice.\n\n" +
				"What happened:\n" + n.WhatHappened + "\n\n" +
				"Likely impact:\n" + n.Impact + "\n\n" +
				"What was done and what you can do:\n" + n.Remedies + "\n\n" +
				"Atrium shows this notice until you acknowledge it: " + link + "\n"
	})
}

// mailPolicyUpdate emails a new policy version to the people it concerns:
// for the operator's documents, everyone who accepted an earlier version
// (newcomers meet the current one when they sign up); for an
// organization's notice, its active members.
func (s *Service) mailPolicyUpdate(ctx context.Context, d Document) error {
	var to []string
	var err error
	if d.OrgID == "" {
		to, err = acceptorsOf(ctx, s.DB, "", d.Kind)
	} else {
		to, err = s.memberAccounts(ctx, d.OrgID)
	}
	if err != nil {
		return err
	}
	org := s.orgName(ctx, d.OrgID)
	link := strings.TrimRight(s.BaseURL, "/") + "/privacy"
	day := time.UnixMilli(d.PublishedAt).UTC().Format("2006-01-02")
	return s.mailEach(ctx, to, func(zh bool) (string, string) {
		if zh {
			name := map[string]string{KindPrivacy: "隐私政策", KindTerms: "服务条款", KindOrgNotice: org + " 的隐私声明"}[d.Kind]
			body := name + "已于 " + day + " 更新为 " + d.Version + " 版。\n\n"
			if d.Summary != "" {
				body += "更新内容：\n" + d.Summary + "\n\n"
			}
			if d.Significant {
				body += "这是一项重要更新：下次使用 Atrium 时需要你阅读并接受。\n"
			} else {
				body += "请在 Atrium 中阅读并确认：" + link + "\n"
			}
			return name + "已更新", body
		}
		name := map[string]string{KindPrivacy: "privacy policy", KindTerms: "terms of service", KindOrgNotice: "privacy notice of " + org}[d.Kind]
		body := "The " + name + " was updated to version " + d.Version + " on " + day + ".\n\n"
		if d.Summary != "" {
			body += "What changed:\n" + d.Summary + "\n\n"
		}
		if d.Significant {
			body += "This is a significant change: Atrium asks you to read and accept it the next time you use it.\n"
		} else {
			body += "Read and acknowledge it in Atrium: " + link + "\n"
		}
		return "Update of the " + name, body
	})
}
