package chat

import (
	"context"

	"github.com/atrium-hq/atrium/internal/platform/db"
)

// plaintextMessage is a message or an earlier version written before
// sealing: its text is still in the plaintext columns.
type plaintextMessage struct {
	id, owner, orgID      string
	body, html, attachRaw string
}

// plaintextMessages returns up to limit messages after id whose content
// was never sealed (content_key empty) and that still have some, oldest
// first, with their conversation's organization.
func plaintextMessages(ctx context.Context, d *db.DB, after string, limit int) ([]plaintextMessage, error) {
	return readPlaintext(ctx, d, `SELECT m.id, m.sender_id, c.org_id, m.body, m.html, m.attachment
		FROM messages m JOIN conversations c ON c.id = m.conversation_id
		WHERE m.id > $1 AND m.content_key = '' AND m.deleted_at = 0 AND (m.body <> '' OR m.html <> '' OR m.attachment <> '')
		ORDER BY m.id LIMIT $2`, after, limit)
}

// readPlaintext runs q, which selects id, owner, organization, body, html
// and attachment, after id.
func readPlaintext(ctx context.Context, d *db.DB, q, after string, limit int) ([]plaintextMessage, error) {
	return db.QueryAll(ctx, d.R(ctx), func(s db.Scanner) (plaintextMessage, error) {
		var p plaintextMessage
		err := s.Scan(&p.id, &p.owner, &p.orgID, &p.body, &p.html, &p.attachRaw)
		return p, err
	}, q, after, limit)
}

// sealPlaintextMessage replaces a message's plaintext columns by its sealed
// content, unless it was sealed, edited or deleted meanwhile.
func sealPlaintextMessage(ctx context.Context, d *db.DB, p plaintextMessage, box []byte, key string) (bool, error) {
	res, err := d.W(ctx).ExecContext(ctx, `UPDATE messages SET content = $2, content_key = $3, body = '', html = '', attachment = ''
		WHERE id = $1 AND content_key = '' AND deleted_at = 0 AND body = $4 AND html = $5 AND attachment = $6`,
		p.id, box, key, p.body, p.html, p.attachRaw)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// plaintextEdits returns up to limit earlier versions of messages, after
// id, whose text was never sealed, with their conversation's organization.
func plaintextEdits(ctx context.Context, d *db.DB, after string, limit int) ([]plaintextMessage, error) {
	return readPlaintext(ctx, d, `SELECT e.id, e.editor_id, c.org_id, e.body, e.html, ''
		FROM message_edits e JOIN messages m ON m.id = e.message_id JOIN conversations c ON c.id = m.conversation_id
		WHERE e.id > $1 AND e.content_key = '' AND (e.body <> '' OR e.html <> '')
		ORDER BY e.id LIMIT $2`, after, limit)
}

// sealPlaintextEdit replaces an earlier version's plaintext by its sealed
// text, unless it was sealed or changed meanwhile.
func sealPlaintextEdit(ctx context.Context, d *db.DB, p plaintextMessage, box []byte, key string) (bool, error) {
	res, err := d.W(ctx).ExecContext(ctx, `UPDATE message_edits SET content = $2, content_key = $3, body = '', html = ''
		WHERE id = $1 AND content_key = '' AND body = $4 AND html = $5`,
		p.id, box, key, p.body, p.html)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// plaintextFiles returns up to limit files after id whose name and type
// were never sealed (meta_key empty).
func plaintextFiles(ctx context.Context, d *db.DB, after string, limit int) ([]File, error) {
	return db.QueryAll(ctx, d.R(ctx), scanFile, `SELECT `+fileCols+` FROM chat_files WHERE id > $1 AND meta_key = '' ORDER BY id LIMIT $2`, after, limit)
}

// sealPlaintextFile replaces a file's plaintext name and type by its
// sealed description and its bodies by their encrypted copies, unless it
// was sealed meanwhile.
func sealPlaintextFile(ctx context.Context, d *db.DB, id string, meta []byte, key, blobKey, thumbKey string) (bool, error) {
	res, err := d.W(ctx).ExecContext(ctx, `UPDATE chat_files SET meta = $2, meta_key = $3, blob_key = $4, thumb_key = $5, name = '', content_type = ''
		WHERE id = $1 AND meta_key = ''`, id, meta, key, blobKey, thumbKey)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}
