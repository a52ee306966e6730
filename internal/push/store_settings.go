package push

import (
	"context"
	"errors"

	"github.com/atrium-hq/atrium/internal/platform/db"
)

// sealedSettings are a notify_settings row's sealed columns.
type sealedSettings struct {
	status   []byte
	keywords []byte
}

type settingsRecord struct {
	row    settingsRow
	sealed sealedSettings
}

const settingsCols = `account_id, status_emoji, status_text, status_until, dnd_until, quiet_start, quiet_end, time_zone, keywords`

func scanSettings(sc db.Scanner) (settingsRecord, error) {
	var x settingsRecord
	r := &x.row
	err := sc.Scan(&r.AccountID, &r.StatusEmoji, &x.sealed.status, &r.StatusUntil, &r.DNDUntil, &r.QuietStart, &r.QuietEnd, &r.TimeZone, &x.sealed.keywords)
	return x, err
}

// getSettings returns acc's row, or the defaults when they have none.
func getSettings(ctx context.Context, d *db.DB, acc string) (settingsRow, sealedSettings, error) {
	x, err := db.QueryOne(ctx, d.R(ctx), scanSettings, `SELECT `+settingsCols+` FROM notify_settings WHERE account_id = $1`, acc)
	if errors.Is(d.Classify(err), db.ErrNotFound) {
		return defaultSettings(acc), sealedSettings{}, nil
	}
	return x.row, x.sealed, d.Classify(err)
}

// settingsOf returns the rows of the given accounts that have any (with
// keywords only when keywords is set).
func settingsOf(ctx context.Context, d *db.DB, accountIDs []string, keywords bool) ([]settingsRecord, error) {
	var out []settingsRecord
	for len(accountIDs) > 0 {
		chunk := accountIDs[:min(len(accountIDs), 500)]
		accountIDs = accountIDs[len(chunk):]
		var args []any
		q := `SELECT ` + settingsCols + ` FROM notify_settings WHERE account_id IN (` + db.In(&args, chunk) + `)`
		if keywords {
			q += ` AND has_keywords = TRUE`
		}
		rs, err := db.QueryAll(ctx, d.R(ctx), scanSettings, q, args...)
		if err != nil {
			return nil, err
		}
		out = append(out, rs...)
	}
	return out, nil
}

func putSettings(ctx context.Context, d *db.DB, r settingsRow, sealed sealedSettings, now int64) error {
	_, err := d.W(ctx).ExecContext(ctx, `INSERT INTO notify_settings (`+settingsCols+`, has_keywords, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
		ON CONFLICT (account_id) DO UPDATE SET status_emoji = excluded.status_emoji, status_text = excluded.status_text,
			status_until = excluded.status_until, dnd_until = excluded.dnd_until, quiet_start = excluded.quiet_start,
			quiet_end = excluded.quiet_end, time_zone = excluded.time_zone, keywords = excluded.keywords,
			has_keywords = excluded.has_keywords, updated_at = excluded.updated_at`,
		r.AccountID, r.StatusEmoji, sealed.status, r.StatusUntil, r.DNDUntil, r.QuietStart, r.QuietEnd, r.TimeZone,
		sealed.keywords, sealed.keywords != nil, now)
	return err
}

// anyKeywords says whether any person has keywords.
func anyKeywords(ctx context.Context, d *db.DB) (bool, error) {
	var n int
	err := d.R(ctx).QueryRowContext(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM notify_settings WHERE has_keywords = TRUE LIMIT 1) x`).Scan(&n)
	return n > 0, err
}
