package chat

import (
	"context"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/db"
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
	a, err := who(ctx)
	if err != nil {
		return SearchPage{}, err
	}
	text := strings.TrimSpace(q.Q)
	n := utf8.RuneCountInString(text)
	if n == 0 {
		return SearchPage{}, apperr.InvalidField("q", "q is required")
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
		rid, err := ridOf(ctx, s.DB, q.Cursor)
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
	if n >= 3 {
		items, err = searchIndexed(ctx, s.DB, text, f, limit+1)
	} else {
		items, err = s.searchShort(ctx, text, f, limit+1)
	}
	if err != nil {
		return SearchPage{}, err
	}
	page := SearchPage{Items: items}
	if len(items) > limit {
		page.Items = items[:limit]
		page.NextCursor = page.Items[limit-1].ID
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
		ms, err := searchRecent(ctx, s.DB, sc, text, f, shortWindow, limit)
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

func (s *Service) presentSearch(ctx context.Context, me string, ms []Message) {
	ids := make([]string, 0, len(ms))
	for i := range ms {
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
// reindex) and returns how many messages it indexed.
func Reindex(ctx context.Context, d *db.DB, progress func(done int64)) (int64, error) {
	return reindex(ctx, d, progress)
}
