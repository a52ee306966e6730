package push

// How and when a person is reached: a status others see next to their name
// (an emoji and a short text, ending by itself when it has an end), Do Not
// Disturb until a time, daily quiet hours in their time zone, and keywords
// that notify them like a mention. While Do Not Disturb is on, or within
// the quiet hours, the sender pushes nothing to the person; the bell (chat's
// notifications) still collects. The status text and the keywords are
// sealed with the person's key.

import (
	"context"
	"encoding/json"
	"strings"
	"time"
	_ "time/tzdata" // IANA zones even where the system has none
	"unicode/utf8"

	"github.com/atrium-hq/atrium/internal/platform/actor"
	"github.com/atrium-hq/atrium/internal/platform/apperr"
)

// Limits of the settings.
const (
	maxStatusText   = 100
	maxStatusEmoji  = 16
	maxKeywords     = 20
	maxKeywordRunes = 40
	// maxAhead bounds how far ahead a status or Do Not Disturb may end.
	maxAhead = 366 * 24 * time.Hour
	// keywordsCache is how long AnyKeywords trusts its last answer.
	keywordsCache = 5 * time.Second
)

// Status is what others see next to a person's name; nil when they set
// none or it ended.
type Status struct {
	Emoji string `json:"emoji"`
	Text  string `json:"text"`
	// Until is when the status clears itself (unix ms; 0: never).
	Until int64 `json:"until,omitempty"`
	// DND: the person is in Do Not Disturb now.
	DND bool `json:"dnd,omitempty"`
}

// NotifySettings are the caller's own settings, as they are now.
type NotifySettings struct {
	Status *Status `json:"status"`
	// DNDUntil is when Do Not Disturb ends (unix ms; 0: off).
	DNDUntil int64 `json:"dnd_until"`
	// QuietStart and QuietEnd are "HH:MM" in TimeZone ("" when there are
	// no quiet hours); a window may cross midnight.
	QuietStart string `json:"quiet_start"`
	QuietEnd   string `json:"quiet_end"`
	TimeZone   string `json:"time_zone"`
	// Keywords notify the person like a mention when a group message
	// contains one (case-insensitive).
	Keywords []string `json:"keywords"`
	// Quiet: no pushes reach the person now (Do Not Disturb or quiet hours).
	Quiet bool `json:"quiet"`
}

// StatusInput sets a status; empty emoji and text clear it.
type StatusInput struct {
	Emoji string `json:"emoji"`
	Text  string `json:"text"`
	Until int64  `json:"until,omitempty"`
}

// NotifySettingsPatch changes some settings: absent fields stay.
// clear_status (or a status with no emoji and no text) clears the status;
// dnd_until 0 ends Do Not Disturb; empty quiet_start and quiet_end remove
// the quiet hours; an empty keywords list removes them.
type NotifySettingsPatch struct {
	Status      *StatusInput `json:"status,omitempty"`
	ClearStatus bool         `json:"clear_status,omitempty"`
	DNDUntil    *int64       `json:"dnd_until,omitempty"`
	QuietStart  *string      `json:"quiet_start,omitempty"`
	QuietEnd    *string      `json:"quiet_end,omitempty"`
	TimeZone    *string      `json:"time_zone,omitempty"`
	Keywords    *[]string    `json:"keywords,omitempty"`
}

// settingsRow is a notify_settings row, sealed parts opened.
type settingsRow struct {
	AccountID   string
	StatusEmoji string
	StatusText  string
	StatusUntil int64
	DNDUntil    int64
	QuietStart  int // minutes after midnight; -1 unset
	QuietEnd    int
	TimeZone    string
	Keywords    []string
}

func defaultSettings(acc string) settingsRow {
	return settingsRow{AccountID: acc, QuietStart: -1, QuietEnd: -1, TimeZone: "UTC"}
}

func statusAAD(acc string) string   { return "notify_settings.status_text:" + acc }
func keywordsAAD(acc string) string { return "notify_settings.keywords:" + acc }

// load reads acc's settings (defaults when none), sealed parts opened.
func (s *Service) load(ctx context.Context, acc string) (settingsRow, error) {
	r, sealed, err := getSettings(ctx, s.DB, acc)
	if err != nil {
		return settingsRow{}, err
	}
	if sealed.status != nil {
		if b, err := s.Keys.Open(ctx, acc, statusAAD(acc), sealed.status); err == nil {
			r.StatusText = string(b)
		}
	}
	if sealed.keywords != nil {
		if b, err := s.Keys.Open(ctx, acc, keywordsAAD(acc), sealed.keywords); err == nil {
			_ = json.Unmarshal(b, &r.Keywords)
		}
	}
	return r, nil
}

// MyNotifySettings returns the caller's settings.
func (s *Service) MyNotifySettings(ctx context.Context) (NotifySettings, error) {
	a, err := actor.Caller(ctx)
	if err != nil {
		return NotifySettings{}, err
	}
	r, err := s.load(ctx, a.AccountID)
	if err != nil {
		return NotifySettings{}, err
	}
	return s.present(r), nil
}

func (s *Service) present(r settingsRow) NotifySettings {
	now := s.now()
	out := NotifySettings{Status: s.statusOf(r, now), QuietStart: hhmm(r.QuietStart), QuietEnd: hhmm(r.QuietEnd),
		TimeZone: r.TimeZone, Keywords: r.Keywords, Quiet: quietAt(r, now)}
	if r.DNDUntil > now.UnixMilli() {
		out.DNDUntil = r.DNDUntil
	}
	if out.Keywords == nil {
		out.Keywords = []string{}
	}
	return out
}

// statusOf is r's status at now: nil when none, or ended.
func (s *Service) statusOf(r settingsRow, now time.Time) *Status {
	ms := now.UnixMilli()
	dnd := r.DNDUntil > ms
	st := &Status{DND: dnd}
	if (r.StatusEmoji != "" || r.StatusText != "") && (r.StatusUntil == 0 || r.StatusUntil > ms) {
		st.Emoji, st.Text, st.Until = r.StatusEmoji, r.StatusText, r.StatusUntil
	} else if !dnd {
		return nil
	}
	return st
}

// UpdateMyNotifySettings changes the caller's settings.
func (s *Service) UpdateMyNotifySettings(ctx context.Context, p NotifySettingsPatch) (NotifySettings, error) {
	a, err := actor.Caller(ctx)
	if err != nil {
		return NotifySettings{}, err
	}
	now := s.now()
	limit := now.Add(maxAhead).UnixMilli()
	r, err := s.load(ctx, a.AccountID)
	if err != nil {
		return NotifySettings{}, err
	}
	if p.ClearStatus {
		r.StatusEmoji, r.StatusText, r.StatusUntil = "", "", 0
	}
	if st := p.Status; st != nil {
		emoji, text := strings.TrimSpace(st.Emoji), strings.Join(strings.Fields(st.Text), " ")
		switch {
		case utf8.RuneCountInString(emoji) > maxStatusEmoji || strings.ContainsAny(emoji, "<>"):
			return NotifySettings{}, apperr.InvalidField("status.emoji", "the status emoji is at most one emoji")
		case utf8.RuneCountInString(text) > maxStatusText:
			return NotifySettings{}, apperr.InvalidField("status.text", "the status text is at most 100 characters").With("max", maxStatusText)
		case st.Until != 0 && (st.Until <= now.UnixMilli() || st.Until > limit):
			return NotifySettings{}, apperr.InvalidField("status.until", "the status must end in the future, within a year")
		}
		r.StatusEmoji, r.StatusText, r.StatusUntil = emoji, text, st.Until
		if emoji == "" && text == "" {
			r.StatusUntil = 0
		}
	}
	if p.DNDUntil != nil {
		v := *p.DNDUntil
		if v != 0 && (v <= now.UnixMilli() || v > limit) {
			return NotifySettings{}, apperr.InvalidField("dnd_until", "Do Not Disturb must end in the future, within a year")
		}
		r.DNDUntil = v
	}
	if p.TimeZone != nil {
		if _, err := time.LoadLocation(*p.TimeZone); err != nil || *p.TimeZone == "" || *p.TimeZone == "Local" {
			return NotifySettings{}, apperr.InvalidField("time_zone", "time_zone is an IANA time zone such as Asia/Shanghai").With("value", *p.TimeZone)
		}
		r.TimeZone = *p.TimeZone
	}
	if p.QuietStart != nil || p.QuietEnd != nil {
		start, end := hhmm(r.QuietStart), hhmm(r.QuietEnd)
		if p.QuietStart != nil {
			start = *p.QuietStart
		}
		if p.QuietEnd != nil {
			end = *p.QuietEnd
		}
		qs, ok1 := parseHHMM(start)
		qe, ok2 := parseHHMM(end)
		switch {
		case start == "" && end == "":
			r.QuietStart, r.QuietEnd = -1, -1
		case !ok1 || !ok2 || start == "" || end == "":
			return NotifySettings{}, apperr.InvalidField("quiet_start", "quiet hours need a start and an end as HH:MM")
		case qs == qe:
			return NotifySettings{}, apperr.InvalidField("quiet_end", "quiet hours must not start and end at the same time")
		default:
			r.QuietStart, r.QuietEnd = qs, qe
		}
	}
	if p.Keywords != nil {
		var kws []string
		seen := map[string]bool{}
		for _, k := range *p.Keywords {
			k = strings.Join(strings.Fields(k), " ")
			n := utf8.RuneCountInString(k)
			if n == 0 {
				continue
			}
			if n > maxKeywordRunes {
				return NotifySettings{}, apperr.InvalidField("keywords", "a keyword is at most 40 characters").With("value", k)
			}
			if !seen[strings.ToLower(k)] {
				seen[strings.ToLower(k)] = true
				kws = append(kws, k)
			}
		}
		if len(kws) > maxKeywords {
			return NotifySettings{}, apperr.InvalidField("keywords", "at most 20 keywords").With("max", maxKeywords)
		}
		r.Keywords = kws
	}
	var sealed sealedSettings
	if r.StatusText != "" {
		if sealed.status, err = s.Keys.Seal(ctx, a.AccountID, statusAAD(a.AccountID), []byte(r.StatusText)); err != nil {
			return NotifySettings{}, err
		}
	}
	if len(r.Keywords) > 0 {
		b, _ := json.Marshal(r.Keywords)
		if sealed.keywords, err = s.Keys.Seal(ctx, a.AccountID, keywordsAAD(a.AccountID), b); err != nil {
			return NotifySettings{}, err
		}
	}
	if err := putSettings(ctx, s.DB, r, sealed, now.UnixMilli()); err != nil {
		return NotifySettings{}, err
	}
	if len(r.Keywords) > 0 {
		s.kwMu.Lock()
		s.kwAny = true
		s.kwMu.Unlock()
	}
	return s.present(r), nil
}

// Statuses returns the statuses now of the given accounts (left out: none
// set, or ended). Callers decide who may see whom: chat asks only for the
// members of a conversation the viewer is in.
func (s *Service) Statuses(ctx context.Context, accountIDs []string) map[string]Status {
	out := map[string]Status{}
	rows, err := settingsOf(ctx, s.DB, accountIDs, false)
	if err != nil {
		s.Log.Warn("push: read statuses", "err", err)
		return out
	}
	now := s.now()
	for _, x := range rows {
		r := x.row
		if x.sealed.status != nil {
			if b, err := s.Keys.Open(ctx, r.AccountID, statusAAD(r.AccountID), x.sealed.status); err == nil {
				r.StatusText = string(b)
			}
		}
		if st := s.statusOf(r, now); st != nil {
			out[r.AccountID] = *st
		}
	}
	return out
}

// AnyKeywords says whether anyone has keywords: a cheap check (cached a
// few seconds, refreshed at once on this node's own changes) that lets
// sends skip the lookup when nobody uses keywords.
func (s *Service) AnyKeywords(ctx context.Context) bool {
	now := s.now()
	s.kwMu.Lock()
	defer s.kwMu.Unlock()
	if now.Before(s.kwUntil) {
		return s.kwAny
	}
	any, err := anyKeywords(ctx, s.DB)
	if err != nil {
		return true
	}
	s.kwAny, s.kwUntil = any, now.Add(keywordsCache)
	return any
}

// PersonStatus is someone's status now, for a caller who knows them
// (Related: a colleague or a contact); not found for anyone else, and null
// when they set none.
func (s *Service) PersonStatus(ctx context.Context, accountID string) (PersonStatusResult, error) {
	a, err := actor.Caller(ctx)
	if err != nil {
		return PersonStatusResult{}, err
	}
	if s.People == nil || !s.People.Related(ctx, a.AccountID, accountID) {
		return PersonStatusResult{}, apperr.ErrNotFound
	}
	st, ok := s.Statuses(ctx, []string{accountID})[accountID]
	if !ok {
		return PersonStatusResult{}, nil
	}
	return PersonStatusResult{Status: &st}, nil
}

// PersonStatusResult is the body of GET /people/{account_id}/status.
type PersonStatusResult struct {
	Status *Status `json:"status"`
}

// KeywordMatches returns those of the given accounts with a keyword that
// text contains (case-insensitive).
func (s *Service) KeywordMatches(ctx context.Context, accountIDs []string, text string) []string {
	if strings.TrimSpace(text) == "" || len(accountIDs) == 0 {
		return nil
	}
	rows, err := settingsOf(ctx, s.DB, accountIDs, true)
	if err != nil {
		s.Log.Warn("push: read keywords", "err", err)
		return nil
	}
	lower := strings.ToLower(text)
	var out []string
	for _, x := range rows {
		acc := x.row.AccountID
		b, err := s.Keys.Open(ctx, acc, keywordsAAD(acc), x.sealed.keywords)
		if err != nil {
			continue
		}
		var kws []string
		if json.Unmarshal(b, &kws) != nil {
			continue
		}
		for _, k := range kws {
			if k != "" && strings.Contains(lower, strings.ToLower(k)) {
				out = append(out, acc)
				break
			}
		}
	}
	return out
}

// quiet says whether pushes to acc are held now: Do Not Disturb or
// quiet hours.
func (s *Service) quiet(ctx context.Context, acc string, now time.Time) bool {
	r, _, err := getSettings(ctx, s.DB, acc)
	if err != nil {
		return false
	}
	return quietAt(r, now)
}

func quietAt(r settingsRow, now time.Time) bool {
	if r.DNDUntil > now.UnixMilli() {
		return true
	}
	if r.QuietStart < 0 || r.QuietEnd < 0 {
		return false
	}
	loc, err := time.LoadLocation(r.TimeZone)
	if err != nil {
		loc = time.UTC
	}
	t := now.In(loc)
	m := t.Hour()*60 + t.Minute()
	if r.QuietStart < r.QuietEnd {
		return m >= r.QuietStart && m < r.QuietEnd
	}
	return m >= r.QuietStart || m < r.QuietEnd // across midnight
}

func hhmm(m int) string {
	if m < 0 {
		return ""
	}
	return string([]byte{byte('0' + m/600), byte('0' + m/60%10), ':', byte('0' + m%60/10), byte('0' + m%10)})
}

func parseHHMM(v string) (int, bool) {
	if v == "" {
		return -1, true
	}
	t, err := time.Parse("15:04", v)
	if err != nil {
		return 0, false
	}
	return t.Hour()*60 + t.Minute(), true
}
