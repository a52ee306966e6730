package announce

import (
	"context"
	"strconv"

	"github.com/atrium-hq/atrium/internal/platform/db"
)

// fileRow is an uploaded file as stored.
type fileRow struct {
	ID, OrgID, UploaderID, AnnouncementID, Role string
	Position                                    int
	Meta                                        []byte
	MetaKey, ContentType                        string
	Size                                        int64
	SHA256, BlobKey                             string
	CreatedAt                                   int64
}

const fileCols = `id, org_id, uploader_id, announcement_id, role, position, meta, meta_key, content_type, size, sha256, blob_key, created_at`

func scanFile(r db.Scanner) (fileRow, error) {
	var f fileRow
	err := r.Scan(&f.ID, &f.OrgID, &f.UploaderID, &f.AnnouncementID, &f.Role, &f.Position, &f.Meta, &f.MetaKey, &f.ContentType, &f.Size,
		&f.SHA256, &f.BlobKey, &f.CreatedAt)
	return f, err
}

func insertFile(ctx context.Context, d *db.DB, f fileRow) error {
	_, err := d.W(ctx).ExecContext(ctx, `INSERT INTO announcement_files (`+fileCols+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
		f.ID, f.OrgID, f.UploaderID, f.AnnouncementID, f.Role, f.Position, f.Meta, f.MetaKey, f.ContentType, f.Size, f.SHA256, f.BlobKey, f.CreatedAt)
	return err
}

func getFile(ctx context.Context, d *db.DB, orgID, id string) (fileRow, error) {
	return db.QueryOne(ctx, d.R(ctx), scanFile, `SELECT `+fileCols+` FROM announcement_files WHERE org_id = $1 AND id = $2`, orgID, id)
}

// filesOf lists an announcement's files: the attachments in order.
func filesOf(ctx context.Context, d *db.DB, orgID, annID string) ([]fileRow, error) {
	return db.OrEmpty(db.QueryAll(ctx, d.R(ctx), scanFile, `SELECT `+fileCols+` FROM announcement_files
		WHERE org_id = $1 AND announcement_id = $2 ORDER BY role, position, id`, orgID, annID))
}

// placeFile attaches a file to an announcement in a role.
func placeFile(ctx context.Context, d *db.DB, orgID, id, annID, role string, pos int) error {
	_, err := d.W(ctx).ExecContext(ctx, `UPDATE announcement_files SET announcement_id = $3, role = $4, position = $5
		WHERE org_id = $1 AND id = $2`, orgID, id, annID, role, pos)
	return err
}

func deleteFile(ctx context.Context, d *db.DB, orgID, id string) error {
	_, err := d.W(ctx).ExecContext(ctx, `DELETE FROM announcement_files WHERE org_id = $1 AND id = $2`, orgID, id)
	return err
}

// unattachedBefore lists uploads no announcement names, made before t.
func unattachedBefore(ctx context.Context, d *db.DB, t int64, limit int) ([]fileRow, error) {
	return db.QueryAll(ctx, d.R(ctx), scanFile, `SELECT `+fileCols+` FROM announcement_files
		WHERE announcement_id = '' AND created_at < $1 ORDER BY created_at, id LIMIT `+strconv.Itoa(limit), t)
}

// deleteUnattached deletes an upload unless an announcement named it since.
func deleteUnattached(ctx context.Context, d *db.DB, orgID, id string) (bool, error) {
	res, err := d.W(ctx).ExecContext(ctx, `DELETE FROM announcement_files WHERE org_id = $1 AND id = $2 AND announcement_id = ''`, orgID, id)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}
