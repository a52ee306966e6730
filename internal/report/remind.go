package report

import (
	"context"
	"strings"
	"time"
)

// Reminders: once per period of each scheduled template, at its due time
// (or remind_before_minutes earlier), the expected submitters who have
// not submitted are told — an event on their stream and an email through
// the outbox carrying only a link.

// remindAt is when a period's reminders go out.
func remindAt(sl slot, beforeMinutes int) time.Time {
	return sl.Due.Add(-time.Duration(beforeMinutes) * time.Minute)
}

// RemindDue sends the reminders that are due, each template in its own
// transaction, and returns how many people it reminded. The background
// job calls it; with several nodes each period is reminded once
// (setReminded decides).
func (s *Service) RemindDue(ctx context.Context) (int, error) {
	ts, err := scheduledTemplates(ctx, s.DB)
	if err != nil {
		return 0, err
	}
	now := s.Now()
	n := 0
	for _, t := range ts {
		sc, err := t.schedule()
		if err != nil {
			continue
		}
		cur, ok := sc.current(now)
		if !ok || t.RemindedPeriod == cur.Key || now.Before(remindAt(cur, t.RemindBefore)) || !now.Before(sc.end(cur)) {
			continue
		}
		k := 0
		err = s.DB.Tx(ctx, func(ctx context.Context) error {
			k, err = s.remind(ctx, t, cur)
			return err
		})
		if err != nil {
			// Rolled back: the next run tries again.
			s.Log.WarnContext(ctx, "report: remind", "template", t.ID, "period", cur.Key, "err", err)
			continue
		}
		n += k
	}
	return n, nil
}

// remind reminds the pending submitters of one period, in ctx's
// transaction.
func (s *Service) remind(ctx context.Context, t tmplRow, cur slot) (int, error) {
	ok, err := setReminded(ctx, s.DB, t.ID, t.RemindedPeriod, cur.Key)
	if err != nil || !ok {
		return 0, err
	}
	pending, err := s.pending(ctx, t, cur.Key)
	if err != nil {
		return 0, err
	}
	accounts := make([]string, len(pending))
	for i, p := range pending {
		accounts[i] = p.AccountID
	}
	if err := s.notify(ctx, t.OrgID, "report.reminder", map[string]string{"template_id": t.ID, "period": cur.Key}, accounts); err != nil {
		return 0, err
	}
	if s.Mail != nil {
		subject, body := reminderMail(s.BaseURL, t.ID, cur.Key)
		for _, acc := range accounts {
			if err := s.Mail(ctx, acc, subject, body); err != nil {
				return 0, err
			}
		}
	}
	return len(accounts), nil
}

// pending lists the expected submitters of a template who have not
// submitted for a period.
func (s *Service) pending(ctx context.Context, t tmplRow, period string) ([]Person, error) {
	people, err := s.expected(ctx, t, "")
	if err != nil {
		return nil, err
	}
	done, err := submittedFor(ctx, s.DB, t.ID, period)
	if err != nil {
		return nil, err
	}
	out := []Person{}
	for _, p := range people {
		if !done[p.MemberID] {
			out = append(out, p)
		}
	}
	return out, nil
}

// reminderMail is the email of a reminder. It names no template (its name
// is the organization's), only the link.
func reminderMail(baseURL, templateID, period string) (subject, body string) {
	subject = "A report is waiting for you / 你有一份汇报待提交"
	body = "Your organization expects a report from you for " + period + ":\n" +
		strings.TrimRight(baseURL, "/") + "/reports/new?template=" + templateID + "&period=" + period +
		"\n\n你所在组织需要你提交 " + period + " 的汇报。\n"
	return subject, body
}
