package privacy

import (
	"context"

	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/db"
)

// SQL that the erasure, inquiry and retention rules run directly, beside
// the data-map driven statements of store_map.go.

// purgeIndex removes the rows' entries from the table's derived index.
func (s *Service) purgeIndex(ctx context.Context, t mapTable, r TableRule, where string, args []any) error {
	if r.Index == nil || !t.has[r.Index.RowIDColumn] {
		return nil
	}
	cols, _, err := s.schema(ctx)
	if err != nil {
		return err
	}
	if _, ok := cols[r.Index.Table]; !ok && !s.isVirtual(ctx, r.Index.Table) {
		return nil
	}
	_, err = s.execRaw(ctx, "DELETE FROM "+ident(r.Index.Table)+" WHERE rowid IN (SELECT "+ident(r.Index.RowIDColumn)+" FROM "+ident(t.Name)+" WHERE "+where+")", args)
	return err
}

func (s *Service) isVirtual(ctx context.Context, table string) bool {
	if s.DB.Kind != db.SQLite {
		return false
	}
	n, err := s.queryInt(ctx, `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = $1`, []any{table})
	return err == nil && n > 0
}

// scrubEvents deletes event-log rows addressed to, or mentioning, the given
// ids: the event log is a replay buffer, and erased data must not linger
// in it.
func (s *Service) scrubEvents(ctx context.Context, idList []string) error {
	cols, _, err := s.schema(ctx)
	if err != nil {
		return err
	}
	if _, ok := cols["event_log"]; !ok {
		return nil
	}
	for _, id := range idList {
		if id == "" {
			continue
		}
		if _, err := s.execRaw(ctx, `DELETE FROM event_log WHERE scope_id = $1 OR org_id = $1 OR data LIKE $2`,
			[]any{id, "%" + id + "%"}); err != nil {
			return err
		}
	}
	return nil
}

// groupCount counts t's rows matching where per org_id.
func (s *Service) groupCount(ctx context.Context, t mapTable, where string, args []any) (map[string]int64, error) {
	rows, err := s.DB.R(ctx).QueryContext(ctx, "SELECT org_id, COUNT(*) FROM "+ident(t.Name)+" WHERE "+where+" GROUP BY org_id", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var org string
		var n int64
		if err := rows.Scan(&org, &n); err != nil {
			return nil, err
		}
		out[org] = n
	}
	return out, rows.Err()
}

// conversationInOrg reports whether the conversation belongs to the org
// (through the conversations table's org_id, when it exists).
func (s *Service) conversationInOrg(ctx context.Context, orgID, convID string) bool {
	cols, _, err := s.schema(ctx)
	if err != nil {
		return false
	}
	if _, ok := cols["conversations"]; !ok {
		return false
	}
	n, err := s.queryInt(ctx, `SELECT COUNT(*) FROM conversations WHERE id = $1 AND org_id = $2`, []any{convID, orgID})
	return err == nil && n > 0
}

// orgMember returns the account id of a member of the org (any status).
func (s *Service) orgMember(ctx context.Context, orgID, memberID string) (string, error) {
	cols, _, err := s.schema(ctx)
	if err != nil {
		return "", err
	}
	if _, ok := cols["members"]; !ok {
		return "", apperr.ErrNotFound
	}
	acc, err := s.queryStrings(ctx, `SELECT account_id FROM members WHERE id = $1 AND org_id = $2`, []any{memberID, orgID})
	if err != nil {
		return "", err
	}
	if len(acc) == 0 {
		return "", apperr.ErrNotFound
	}
	return acc[0], nil
}
