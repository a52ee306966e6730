package report

import (
	"context"
	"strconv"

	"github.com/atrium-hq/atrium/internal/platform/db"
)

// fileRow is an uploaded file as stored.
type fileRow struct {
	ID, OrgID, UploaderID, ReportID, FieldID string
	Position                                 int
	Meta                                     []byte
	MetaKey, ContentType                     string
	Size                                     int64
	SHA256, BlobKey                          string
	CreatedAt                                int64
}

const fileCols = `id, org_id, uploader_id, report_id, field_id, position, meta, meta_key, content_type, size, sha256, blob_key, created_at`

func scanFile(r db.Scanner) (fileRow, error) {
	var f fileRow
	err := r.Scan(&f.ID, &f.OrgID, &f.UploaderID, &f.ReportID, &f.FieldID, &f.Position, &f.Meta, &f.MetaKey, &f.ContentType, &f.Size,
		&f.SHA256, &f.BlobKey, &f.CreatedAt)
	return f, err
}

func insertFile(ctx context.Context, d *db.DB, f fileRow) error {
	_, err := d.W(ctx).ExecContext(ctx, `INSERT INTO report_files (`+fileCols+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
		f.ID, f.OrgID, f.UploaderID, f.ReportID, f.FieldID, f.Position, f.Meta, f.MetaKey, f.ContentType, f.Size, f.SHA256, f.BlobKey, f.CreatedAt)
	return err
}

func getFile(ctx context.Context, d *db.DB, orgID, id string) (fileRow, error) {
	return db.QueryOne(ctx, d.R(ctx), scanFile, `SELECT `+fileCols+` FROM report_files WHERE org_id = $1 AND id = $2`, orgID, id)
}

// filesOf lists a report's files by field, in order.
func filesOf(ctx context.Context, d *db.DB, orgID, reportID string) ([]fileRow, error) {
	return db.OrEmpty(db.QueryAll(ctx, d.R(ctx), scanFile, `SELECT `+fileCols+` FROM report_files
		WHERE org_id = $1 AND report_id = $2 ORDER BY field_id, position, id`, orgID, reportID))
}

// placeFile attaches a file to a report's field.
func placeFile(ctx context.Context, d *db.DB, orgID, id, reportID, fieldID string, pos int) error {
	_, err := d.W(ctx).ExecContext(ctx, `UPDATE report_files SET report_id = $3, field_id = $4, position = $5
		WHERE org_id = $1 AND id = $2`, orgID, id, reportID, fieldID, pos)
	return err
}

func deleteFile(ctx context.Context, d *db.DB, orgID, id string) error {
	_, err := d.W(ctx).ExecContext(ctx, `DELETE FROM report_files WHERE org_id = $1 AND id = $2`, orgID, id)
	return err
}

// unattachedBefore lists uploads no report names, made before t.
func unattachedBefore(ctx context.Context, d *db.DB, t int64, limit int) ([]fileRow, error) {
	return db.QueryAll(ctx, d.R(ctx), scanFile, `SELECT `+fileCols+` FROM report_files
		WHERE report_id = '' AND created_at < $1 ORDER BY created_at, id LIMIT `+strconv.Itoa(limit), t)
}

// deleteUnattached deletes an upload unless a report named it since.
func deleteUnattached(ctx context.Context, d *db.DB, orgID, id string) (bool, error) {
	res, err := d.W(ctx).ExecContext(ctx, `DELETE FROM report_files WHERE org_id = $1 AND id = $2 AND report_id = ''`, orgID, id)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}
