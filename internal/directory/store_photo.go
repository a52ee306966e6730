package directory

import (
	"context"

	"github.com/atrium-hq/atrium/internal/platform/db"
)

// SQL of profile photos (photo.go).

const photoCols = `id, account_id, size, version, name, content_type, blob_key, created_at`

func scanPhoto(s db.Scanner) (photoRow, error) {
	var r photoRow
	err := s.Scan(&r.ID, &r.AccountID, &r.Size, &r.Version, &r.Name, &r.ContentType, &r.BlobKey, &r.CreatedAt)
	return r, err
}

func (st store) photo(ctx context.Context, accountID string, size int) (photoRow, error) {
	return db.QueryOne(ctx, st.r(ctx), scanPhoto, `SELECT `+photoCols+` FROM profile_photos WHERE account_id = $1 AND size = $2`, accountID, size)
}

// replacePhotos makes rows the account's photo, in ctx's transaction, and
// returns the file-store keys of the photo they replace.
func (st store) replacePhotos(ctx context.Context, accountID string, rows []photoRow) ([]string, error) {
	old, err := st.deletePhotos(ctx, accountID)
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		if err := st.exec(ctx, false, `INSERT INTO profile_photos (`+photoCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
			r.ID, r.AccountID, r.Size, r.Version, r.Name, r.ContentType, r.BlobKey, r.CreatedAt); err != nil {
			return nil, err
		}
	}
	return old, nil
}

// deletePhotos deletes the account's photo rows and returns their keys.
func (st store) deletePhotos(ctx context.Context, accountID string) ([]string, error) {
	keys, err := st.strings(ctx, `SELECT blob_key FROM profile_photos WHERE account_id = $1 ORDER BY id`, accountID)
	if err != nil || len(keys) == 0 {
		return keys, err
	}
	return keys, st.exec(ctx, false, `DELETE FROM profile_photos WHERE account_id = $1`, accountID)
}

// photoVersions maps those of accountIDs who have a photo to its version.
func (st store) photoVersions(ctx context.Context, accountIDs []string) (map[string]string, error) {
	var args []any
	q := `SELECT account_id, version FROM profile_photos WHERE size = ` + db.Arg(&args, PhotoSmall) + ` AND account_id IN (` + db.In(&args, accountIDs) + `)`
	out := map[string]string{}
	err := db.Each(ctx, st.r(ctx), func(s db.Scanner) error {
		var id, v string
		if err := s.Scan(&id, &v); err != nil {
			return err
		}
		out[id] = v
		return nil
	}, q, args...)
	return out, err
}
