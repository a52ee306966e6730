package announce

import (
	"context"

	"github.com/atrium-hq/atrium/internal/platform/db"
)

// SQL of announcement comments.

// commentRow is a comment as stored.
type commentRow struct {
	ID, AnnouncementID, OrgID, AuthorID string
	Content                             []byte
	ContentKey                          string
	CreatedAt                           int64
}

const commentCols = `id, announcement_id, org_id, author_id, content, content_key, created_at`

func scanComment(sc db.Scanner) (commentRow, error) {
	var c commentRow
	err := sc.Scan(&c.ID, &c.AnnouncementID, &c.OrgID, &c.AuthorID, &c.Content, &c.ContentKey, &c.CreatedAt)
	return c, err
}

func insertComment(ctx context.Context, d *db.DB, c commentRow) error {
	_, err := d.W(ctx).ExecContext(ctx, `INSERT INTO announcement_comments (`+commentCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		c.ID, c.AnnouncementID, c.OrgID, c.AuthorID, c.Content, c.ContentKey, c.CreatedAt)
	return err
}

// listComments returns up to limit comments of an announcement after the
// (afterAt, afterID) position, oldest first.
func listComments(ctx context.Context, d *db.DB, orgID, annID string, afterAt int64, afterID string, limit int) ([]commentRow, error) {
	return db.QueryAll(ctx, d.R(ctx), scanComment, `SELECT `+commentCols+` FROM announcement_comments
		WHERE org_id = $1 AND announcement_id = $2 AND (created_at > $3 OR (created_at = $3 AND id > $4))
		ORDER BY created_at, id LIMIT $5`, orgID, annID, afterAt, afterID, limit)
}

func getComment(ctx context.Context, d *db.DB, orgID, annID, id string) (commentRow, error) {
	return db.QueryOne(ctx, d.R(ctx), scanComment, `SELECT `+commentCols+` FROM announcement_comments
		WHERE org_id = $1 AND announcement_id = $2 AND id = $3`, orgID, annID, id)
}

func deleteComment(ctx context.Context, d *db.DB, orgID, id string) error {
	_, err := d.W(ctx).ExecContext(ctx, `DELETE FROM announcement_comments WHERE org_id = $1 AND id = $2`, orgID, id)
	return err
}
