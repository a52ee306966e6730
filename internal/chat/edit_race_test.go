package chat

import (
	"context"
	"errors"
	"testing"

	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/db/dbtest"
	"github.com/atrium-hq/atrium/internal/platform/ids"
)

// An edit whose transaction read the message before a deletion for
// everyone committed must not write the text back into the deleted row
// (PostgreSQL, where the two run side by side; SQLite's one writer
// serializes them).
func TestEditDoesNotRestoreAConcurrentlyDeletedMessage(t *testing.T) {
	d := dbtest.Open(t, db.Postgres)
	f := newFixture(t, d)
	ctx := context.Background()
	org := ids.New("org")
	alice, bob := acc(), acc()
	f.dir.join(org, alice, bob)
	A := as(alice, org)
	c := f.create(A, KindInternal, "race", bob)
	m := f.send(A, c.ID, "the original text")
	err := d.Tx(ctx, func(ctx context.Context) error {
		// The deletion commits on another connection after the edit read
		// the message.
		if _, err := d.Writer().ExecContext(context.Background(), `UPDATE messages SET body = '', html = '', content = NULL, deleted_at = 1 WHERE id = $1`, m.ID); err != nil {
			return err
		}
		edited := m
		edited.Body, edited.HTML = "text brought back", "<p>text brought back</p>"
		return updateText(ctx, d, &edited)
	})
	if !errors.Is(err, errMessageDeleted) {
		t.Fatalf("updateText after a concurrent deletion = %v, want message_deleted", err)
	}
	var body string
	if err := d.Reader().QueryRow(`SELECT body FROM messages WHERE id = $1`, m.ID).Scan(&body); err != nil || body != "" {
		t.Fatalf("the deleted message's body is %q (%v)", body, err)
	}
}
