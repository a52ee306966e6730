package chat

import (
	"context"
	"log/slog"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/atrium-hq/atrium/internal/platform/actor"
	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/httpx"
)

// Search finds messages by their text among what the caller may see: the
// conversations they are in, minus what they cleared or deleted for
// themselves, minus messages deleted for everyone.
//
// Queries of three or more characters use the search index (FTS5 trigram
// on SQLite, pg_trgm on PostgreSQL): substring matching that works for
// Chinese as well as English. Shorter queries — common in Chinese, where
// many words have two characters — cannot use trigrams; they scan the
// newest shortWindow messages of the caller's shortScopes most recently
// active conversations (or of the one conversation asked for) with LIKE.

const (
	shortWindow    = 5000
	shortScopes    = 50
	maxQueryRunes  = 200
	maxSearchLimit = 100
)

// SearchQuery is a search.
type SearchQuery struct {
	Q              string
	ConversationID string
	SenderID       string
	From, To       int64 // unix ms, [From, To)
	HasFile        bool
	Cursor         string // next_cursor of the previous page
	Limit          int
}

// SearchPage is a page of results, newest first.
type SearchPage struct {
	Items      []Message `json:"items"`
	NextCursor string    `json:"next_cursor"`
}

// Search runs q for the caller.
func (s *Service) Search(ctx context.Context, q SearchQuery) (SearchPage, error) {
	a, err := actor.Caller(ctx)
	if err != nil {
		return SearchPage{}, err
	}
	text := strings.TrimSpace(q.Q)
	n := utf8.RuneCountInString(text)
	if n == 0 && !q.HasFile {
		return SearchPage{}, apperr.InvalidField("q", "q is required, unless has_file lists the files")
	}
	if n > maxQueryRunes || !utf8.ValidString(text) {
		return SearchPage{}, apperr.InvalidField("q", "q is too long")
	}
	limit := q.Limit
	if limit <= 0 {
		limit = 20
	}
	if limit > maxSearchLimit {
		limit = maxSearchLimit
	}
	f := searchFilter{accountID: a.AccountID, conversationID: q.ConversationID, senderID: q.SenderID, from: q.From, to: q.To, hasFile: q.HasFile}
	if q.Cursor != "" {
		// A next_cursor names the last message; before it was an
		// httpx.Cursor it was the bare message id, which clients may hold.
		c, err := httpx.ParseCursor(q.Cursor, func(v string) (httpx.Cursor, bool) { return httpx.Cursor{ID: v}, true })
		if err != nil {
			return SearchPage{}, apperr.InvalidField("cursor", "the cursor is not valid")
		}
		rid, err := ridOf(ctx, s.DB, c.ID, a.AccountID)
		if err != nil {
			return SearchPage{}, apperr.InvalidField("cursor", "the cursor is not valid")
		}
		f.beforeRID = rid
	}
	if q.ConversationID != "" {
		if ok, err := isMember(ctx, s.DB, q.ConversationID, a.AccountID); err != nil {
			return SearchPage{}, err
		} else if !ok {
			return SearchPage{}, apperr.ErrNotFound
		}
	}
	var items []Message
	switch {
	case n == 0:
		// The files alone: a conversation's Files tab, or every file.
		items, err = searchFiles(ctx, s.DB, f, limit+1)
	case n >= 3:
		items, err = searchIndexed(ctx, s.DB, text, f, limit+1)
	default:
		items, err = s.searchShort(ctx, text, f, limit+1)
	}
	if err != nil {
		return SearchPage{}, err
	}
	page := SearchPage{Items: items}
	if len(items) > limit {
		page.Items = items[:limit]
		page.NextCursor = httpx.Cursor{ID: page.Items[limit-1].ID}.String()
	}
	s.presentSearch(ctx, a.AccountID, page.Items)
	return page, nil
}

func (s *Service) searchShort(ctx context.Context, text string, f searchFilter, limit int) ([]Message, error) {
	scopes, err := searchScopes(ctx, s.DB, f.accountID, f.conversationID, shortScopes)
	if err != nil {
		return nil, err
	}
	var all []Message
	for _, sc := range scopes {
		ms, err := s.searchRecent(ctx, sc, text, f, shortWindow, limit)
		if err != nil {
			return nil, err
		}
		for i := range ms {
			ms[i].orgID = sc.orgID
		}
		all = append(all, ms...)
	}
	sort.Slice(all, func(i, j int) bool { return all[i].rid > all[j].rid })
	if len(all) > limit {
		all = all[:limit]
	}
	if all == nil {
		all = []Message{}
	}
	return all, nil
}

// searchRecent scans the newest window messages of one conversation for
// text, case-insensitively: the bounded fallback for queries too short for
// trigrams. The text is sealed at rest, so the scan opens each message and
// matches in Go, a page at a time, newest first, until limit are found.
func (s *Service) searchRecent(ctx context.Context, sc searchScope, text string, f searchFilter, window int64, limit int) ([]Message, error) {
	floor := sc.last - window
	if sc.clearedSeq > floor {
		floor = sc.clearedSeq
	}
	needle := strings.ToLower(text)
	var out []Message
	below := sc.last + 1
	const page = 500
	for len(out) < limit {
		ms, err := recentPage(ctx, s.DB, sc, f, floor, below, page)
		if err != nil {
			return nil, err
		}
		for i := range ms {
			m := ms[i]
			s.openContent(ctx, &m)
			if t := indexText(m.Body, m.Attachment); t != "" && strings.Contains(strings.ToLower(t), needle) {
				out = append(out, m)
				if len(out) == limit {
					break
				}
			}
		}
		if len(ms) < page {
			break
		}
		below = ms[len(ms)-1].Seq
	}
	return out, nil
}

func (s *Service) presentSearch(ctx context.Context, me string, ms []Message) {
	ids := make([]string, 0, len(ms))
	for i := range ms {
		s.openContent(ctx, &ms[i])
		if ms[i].Kind == MsgLocation {
			s.openLocation(ctx, &ms[i])
		}
		ids = append(ids, ms[i].ID)
	}
	rs, err := reactionsOf(ctx, s.DB, me, ids)
	if err != nil {
		return
	}
	for i := range ms {
		ms[i].Reactions = rs[ms[i].ID]
	}
}

// Reindex rebuilds the search index from the messages (atrium search
// reindex, and restores: the index is left out of backups) and returns how
// many messages it indexed. Sealed messages are opened with keys (the
// keyring); those whose key was destroyed are not indexed.
func Reindex(ctx context.Context, d *db.DB, keys Sealer, progress func(done int64)) (int64, error) {
	s := &Service{DB: d, Sealer: keys, Log: slog.Default()}
	return s.reindex(ctx, progress)
}

func (s *Service) reindex(ctx context.Context, progress func(done int64)) (int64, error) {
	d := s.DB
	upTo, err := emptyIndex(ctx, d)
	if err != nil {
		return 0, err
	}
	var done, after int64
	for {
		xs, err := indexSources(ctx, d, after, upTo, 5000)
		if err != nil || len(xs) == 0 {
			return done, err
		}
		var rids []int64
		var bodies []string
		for _, x := range xs {
			after = x.rid
			if x.deleted {
				continue
			}
			body := indexText(x.body, x.att)
			if len(x.box) > 0 {
				m := Message{ID: x.id, box: x.box, boxKey: x.boxKey}
				s.openContent(ctx, &m)
				body = indexText(m.Body, m.Attachment)
			}
			if body != "" {
				rids = append(rids, x.rid)
				bodies = append(bodies, body)
			}
		}
		err = d.Tx(ctx, func(ctx context.Context) error { return insertIndex(ctx, d, rids, bodies) })
		if err != nil {
			return done, err
		}
		done += int64(len(rids))
		if progress != nil {
			progress(done)
		}
	}
}
