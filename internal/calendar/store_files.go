package calendar

import (
	"context"
	"strconv"

	"github.com/atrium-hq/atrium/internal/platform/db"
)

// fileRow is an uploaded file as stored.
type fileRow struct {
	ID, OrgID, UploaderID, EventID string
	Position                       int
	Name, ContentType              string
	Size                           int64
	SHA256, BlobKey                string
	CreatedAt                      int64
}

const fileCols = `id, org_id, uploader_id, event_id, position, name, content_type, size, sha256, blob_key, created_at`

func scanFile(r db.Scanner) (fileRow, error) {
	var f fileRow
	err := r.Scan(&f.ID, &f.OrgID, &f.UploaderID, &f.EventID, &f.Position, &f.Name, &f.ContentType, &f.Size, &f.SHA256, &f.BlobKey, &f.CreatedAt)
	return f, err
}

func insertFile(ctx context.Context, d *db.DB, f fileRow) error {
	_, err := d.W(ctx).ExecContext(ctx, `INSERT INTO calendar_files (`+fileCols+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		f.ID, f.OrgID, f.UploaderID, f.EventID, f.Position, f.Name, f.ContentType, f.Size, f.SHA256, f.BlobKey, f.CreatedAt)
	return err
}

func getFile(ctx context.Context, d *db.DB, orgID, id string) (fileRow, error) {
	return db.QueryOne(ctx, d.R(ctx), scanFile, `SELECT `+fileCols+` FROM calendar_files WHERE org_id = $1 AND id = $2`, orgID, id)
}

// filesOf lists an event's files in order.
func filesOf(ctx context.Context, d *db.DB, orgID, eventID string) ([]fileRow, error) {
	return db.OrEmpty(db.QueryAll(ctx, d.R(ctx), scanFile, `SELECT `+fileCols+` FROM calendar_files
		WHERE org_id = $1 AND event_id = $2 ORDER BY position, id`, orgID, eventID))
}

// placeFile attaches a file to an event at a position.
func placeFile(ctx context.Context, d *db.DB, orgID, id, eventID string, pos int) error {
	_, err := d.W(ctx).ExecContext(ctx, `UPDATE calendar_files SET event_id = $3, position = $4 WHERE org_id = $1 AND id = $2`,
		orgID, id, eventID, pos)
	return err
}

func deleteFile(ctx context.Context, d *db.DB, orgID, id string) error {
	_, err := d.W(ctx).ExecContext(ctx, `DELETE FROM calendar_files WHERE org_id = $1 AND id = $2`, orgID, id)
	return err
}

// deleteFilesWhere deletes the files matching a condition on the event
// they belong to and returns their blob keys (the caller deletes the
// bytes after commit).
func deleteFilesWhere(ctx context.Context, d *db.DB, where string, args ...any) ([]string, error) {
	keys, err := db.QueryAll(ctx, d.W(ctx), func(r db.Scanner) (string, error) {
		var k string
		return k, r.Scan(&k)
	}, `DELETE FROM calendar_files WHERE `+where+` RETURNING blob_key`, args...)
	return keys, err
}

// deleteEventFiles deletes an event's files.
func deleteEventFiles(ctx context.Context, d *db.DB, orgID, eventID string) ([]string, error) {
	return deleteFilesWhere(ctx, d, `org_id = $1 AND event_id = $2`, orgID, eventID)
}

// deleteCalendarFiles deletes the files of a calendar's events.
func deleteCalendarFiles(ctx context.Context, d *db.DB, orgID, calID string) ([]string, error) {
	return deleteFilesWhere(ctx, d, `org_id = $1 AND event_id <> '' AND event_id IN (SELECT id FROM calendar_events WHERE calendar_id = $2)`,
		orgID, calID)
}

// deletePersonalCalFiles deletes the files of the events in a person's
// personal calendars (deletePersonalCals' scope).
func deletePersonalCalFiles(ctx context.Context, d *db.DB, orgID, accountID, memberID string, except []string) ([]string, error) {
	in, args := personalCalEvents("e.id", orgID, accountID, memberID, except)
	return deleteFilesWhere(ctx, d, `event_id <> '' AND event_id IN (`+in+`)`, args...)
}

// personalCalEvents selects cols of the events of a person's personal
// calendars: in orgID, or every organization's but those in except.
func personalCalEvents(cols, orgID, accountID, memberID string, except []string) (string, []any) {
	in := `SELECT ` + cols + ` FROM calendar_events e JOIN calendars c ON c.id = e.calendar_id WHERE c.kind = $1 AND c.owner_account_id = $2`
	args := []any{KindPersonal, accountID}
	if orgID != "" {
		in = `SELECT ` + cols + ` FROM calendar_events e JOIN calendars c ON c.id = e.calendar_id
			WHERE c.kind = $1 AND c.org_id = $2 AND (c.owner_account_id = $3 OR c.owner_member_id = $4)`
		args = []any{KindPersonal, orgID, accountID, memberID}
	}
	if len(except) > 0 {
		in += ` AND c.org_id NOT IN (` + db.In(&args, except) + `)`
	}
	return in, args
}

// personalCalEventRows returns the events of a person's personal
// calendars (see personalCalEvents).
func personalCalEventRows(ctx context.Context, d *db.DB, orgID, accountID, memberID string, except []string) ([]eventRow, error) {
	q, args := personalCalEvents(prefixed("e.", eventCols), orgID, accountID, memberID, except)
	return db.QueryAll(ctx, d.W(ctx), scanEvent, q, args...)
}

// staleFiles lists uploads no event named, made before t, and files whose
// event is gone.
func staleFiles(ctx context.Context, d *db.DB, t int64, limit int) ([]fileRow, error) {
	return db.QueryAll(ctx, d.R(ctx), scanFile, `SELECT `+fileCols+` FROM calendar_files f
		WHERE (f.event_id = '' AND f.created_at < $1)
		   OR (f.event_id <> '' AND NOT EXISTS (SELECT 1 FROM calendar_events e WHERE e.id = f.event_id))
		ORDER BY f.created_at, f.id LIMIT `+strconv.Itoa(limit), t)
}

// deleteStale deletes a file found stale unless an event named it since.
func deleteStale(ctx context.Context, d *db.DB, f fileRow) (bool, error) {
	res, err := d.W(ctx).ExecContext(ctx, `DELETE FROM calendar_files WHERE org_id = $1 AND id = $2 AND event_id = $3
		AND NOT EXISTS (SELECT 1 FROM calendar_events e WHERE e.id = $3)`, f.OrgID, f.ID, f.EventID)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// filesOfEvents lists the files of several events, by event, in order.
func filesOfEvents(ctx context.Context, d *db.DB, eventIDs []string) (map[string][]fileRow, error) {
	out := map[string][]fileRow{}
	if len(eventIDs) == 0 {
		return out, nil
	}
	var args []any
	err := db.Each(ctx, d.R(ctx), func(r db.Scanner) error {
		f, err := scanFile(r)
		if err == nil {
			out[f.EventID] = append(out[f.EventID], f)
		}
		return err
	}, `SELECT `+fileCols+` FROM calendar_files WHERE event_id IN (`+db.In(&args, eventIDs)+`) ORDER BY position, id`, args...)
	return out, err
}
