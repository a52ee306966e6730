package identity

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/atrium-hq/atrium/internal/platform/db"
)

// store is the SQL of the identity tables, and the only place it lives.
type store struct{ d *db.DB }

// accountRow is a row of accounts as stored: sensitive fields still sealed.
type accountRow struct {
	ID          string
	EmailHash   string
	EmailSealed []byte
	PhoneHash   sql.NullString
	PhoneSealed []byte
	// Name is the plaintext name of a row written before names were
	// sealed; NameSealed the sealed name (the service opens it).
	Name         string
	NameSealed   []byte
	BirthSealed  []byte
	PasswordHash string
	Status       string
	Locale       string
	TOTPSealed   []byte
	TOTPEnabled  bool
	TOTPLastStep int64
	CreatedAt    int64
	UpdatedAt    int64
}

const accountCols = `id, email_hash, email_sealed, phone_hash, phone_sealed, name, name_sealed, birth_date_sealed,
	password_hash, status, locale, totp_secret_sealed, totp_enabled, totp_last_step, created_at, updated_at`

func scanAccount(sc interface{ Scan(...any) error }) (accountRow, error) {
	var a accountRow
	err := sc.Scan(&a.ID, &a.EmailHash, &a.EmailSealed, &a.PhoneHash, &a.PhoneSealed, &a.Name, &a.NameSealed, &a.BirthSealed,
		&a.PasswordHash, &a.Status, &a.Locale, &a.TOTPSealed, &a.TOTPEnabled, &a.TOTPLastStep, &a.CreatedAt, &a.UpdatedAt)
	return a, err
}

func nullable(b []byte) any {
	if b == nil {
		return nil
	}
	return b
}

func (s store) insertAccount(ctx context.Context, a accountRow) error {
	_, err := s.d.W(ctx).ExecContext(ctx, `INSERT INTO accounts (`+accountCols+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
		a.ID, a.EmailHash, a.EmailSealed, a.PhoneHash, nullable(a.PhoneSealed), a.Name, nullable(a.NameSealed), nullable(a.BirthSealed),
		a.PasswordHash, a.Status, a.Locale, nullable(a.TOTPSealed), a.TOTPEnabled, a.TOTPLastStep, a.CreatedAt, a.UpdatedAt)
	return s.d.Classify(err)
}

func (s store) accountBy(ctx context.Context, col, v string) (accountRow, error) {
	a, err := scanAccount(s.d.R(ctx).QueryRowContext(ctx, `SELECT `+accountCols+` FROM accounts WHERE `+col+` = $1`, v))
	return a, s.d.Classify(err)
}

func (s store) accountByID(ctx context.Context, id string) (accountRow, error) {
	return s.accountBy(ctx, "id", id)
}

func (s store) accountByEmailHash(ctx context.Context, h string) (accountRow, error) {
	return s.accountBy(ctx, "email_hash", h)
}

func (s store) accountByPhoneHash(ctx context.Context, h string) (accountRow, error) {
	return s.accountBy(ctx, "phone_hash", h)
}

// listAccounts returns every account, oldest first (for the CLI).
func (s store) listAccounts(ctx context.Context) ([]accountRow, error) {
	return db.QueryAll(ctx, s.d.R(ctx), scanAccount, `SELECT `+accountCols+` FROM accounts ORDER BY created_at, id`)
}

// updatePending replaces the registration data of a still-pending account.
func (s store) updatePending(ctx context.Context, a accountRow) error {
	_, err := s.d.W(ctx).ExecContext(ctx, `UPDATE accounts SET password_hash = $1, name = $2, name_sealed = $3, phone_hash = $4,
		phone_sealed = $5, locale = $6, updated_at = $7 WHERE id = $8 AND status = 'pending'`,
		a.PasswordHash, a.Name, nullable(a.NameSealed), a.PhoneHash, nullable(a.PhoneSealed), a.Locale, a.UpdatedAt, a.ID)
	return s.d.Classify(err)
}

// setStatus moves an account from one status to another; false when it
// was not in the from status.
func (s store) setStatus(ctx context.Context, id, from, to string, now int64) (bool, error) {
	res, err := s.d.W(ctx).ExecContext(ctx, `UPDATE accounts SET status = $1, updated_at = $2 WHERE id = $3 AND status = $4`, to, now, id, from)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

func (s store) updateProfile(ctx context.Context, a accountRow) error {
	_, err := s.d.W(ctx).ExecContext(ctx, `UPDATE accounts SET name = $1, name_sealed = $2, locale = $3, phone_hash = $4, phone_sealed = $5,
		birth_date_sealed = $6, updated_at = $7 WHERE id = $8`, a.Name, nullable(a.NameSealed), a.Locale, a.PhoneHash, nullable(a.PhoneSealed),
		nullable(a.BirthSealed), a.UpdatedAt, a.ID)
	return s.d.Classify(err)
}

func (s store) setPassword(ctx context.Context, id, hash string, now int64) error {
	_, err := s.d.W(ctx).ExecContext(ctx, `UPDATE accounts SET password_hash = $1, updated_at = $2 WHERE id = $3`, hash, now, id)
	return err
}

// setTOTP stores a (pending or enabled) TOTP secret, or clears it with nil.
func (s store) setTOTP(ctx context.Context, id string, sealed []byte, enabled bool, now int64) error {
	_, err := s.d.W(ctx).ExecContext(ctx, `UPDATE accounts SET totp_secret_sealed = $1, totp_enabled = $2, updated_at = $3 WHERE id = $4`,
		nullable(sealed), enabled, now, id)
	return err
}

// useTOTPStep records that the TOTP code of step was used; false when that
// step (or a later one) was used already, i.e. the code is a replay.
func (s store) useTOTPStep(ctx context.Context, id string, step int64) (bool, error) {
	res, err := s.d.W(ctx).ExecContext(ctx, `UPDATE accounts SET totp_last_step = $1 WHERE id = $2 AND totp_last_step < $1`, step, id)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// sessionRow is a row of sessions.
type sessionRow struct {
	ID         string
	TokenHash  string
	AccountID  string
	OrgID      string
	Kind       string
	IP         string
	UserAgent  string
	DeviceID   string
	CreatedAt  int64
	LastSeenAt int64
	ExpiresAt  int64
}

const sessionCols = `id, token_hash, account_id, org_id, kind, ip, user_agent, device_id, created_at, last_seen_at, expires_at`

func scanSession(sc interface{ Scan(...any) error }) (sessionRow, error) {
	var r sessionRow
	err := sc.Scan(&r.ID, &r.TokenHash, &r.AccountID, &r.OrgID, &r.Kind, &r.IP, &r.UserAgent, &r.DeviceID, &r.CreatedAt, &r.LastSeenAt, &r.ExpiresAt)
	return r, err
}

func (s store) insertSession(ctx context.Context, r sessionRow) error {
	_, err := s.d.W(ctx).ExecContext(ctx, `INSERT INTO sessions (`+sessionCols+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		r.ID, r.TokenHash, r.AccountID, r.OrgID, r.Kind, r.IP, r.UserAgent, r.DeviceID, r.CreatedAt, r.LastSeenAt, r.ExpiresAt)
	return s.d.Classify(err)
}

// sessionByToken returns the session of a token hash and its account's status.
func (s store) sessionByToken(ctx context.Context, tokenHash string) (sessionRow, string, error) {
	var status string
	row := s.d.R(ctx).QueryRowContext(ctx, `SELECT s.id, s.token_hash, s.account_id, s.org_id, s.kind, s.ip, s.user_agent,
		s.device_id, s.created_at, s.last_seen_at, s.expires_at, a.status
		FROM sessions s JOIN accounts a ON a.id = s.account_id WHERE s.token_hash = $1`, tokenHash)
	var r sessionRow
	err := row.Scan(&r.ID, &r.TokenHash, &r.AccountID, &r.OrgID, &r.Kind, &r.IP, &r.UserAgent, &r.DeviceID,
		&r.CreatedAt, &r.LastSeenAt, &r.ExpiresAt, &status)
	return r, status, s.d.Classify(err)
}

// touchSession slides the expiry of a session that is still live.
func (s store) touchSession(ctx context.Context, id string, now, expires int64) error {
	_, err := s.d.W(ctx).ExecContext(ctx, `UPDATE sessions SET last_seen_at = $1, expires_at = $2 WHERE id = $3 AND expires_at > $1`, now, expires, id)
	return err
}

// setSessionOrg sets the session's organization and returns its account.
func (s store) setSessionOrg(ctx context.Context, id, orgID string) (string, error) {
	var accountID string
	err := s.d.W(ctx).QueryRowContext(ctx, `UPDATE sessions SET org_id = $1 WHERE id = $2 RETURNING account_id`, orgID, id).Scan(&accountID)
	return accountID, s.d.Classify(err)
}

func (s store) listSessions(ctx context.Context, accountID string, now int64) ([]sessionRow, error) {
	return db.QueryAll(ctx, s.d.R(ctx), scanSession, `SELECT `+sessionCols+` FROM sessions
		WHERE account_id = $1 AND expires_at > $2 ORDER BY last_seen_at DESC, id`, accountID, now)
}

// deleteSession deletes one session of an account; db.ErrNotFound when the
// account has no such session.
func (s store) deleteSession(ctx context.Context, id, accountID string) error {
	res, err := s.d.W(ctx).ExecContext(ctx, `DELETE FROM sessions WHERE id = $1 AND account_id = $2`, id, accountID)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return db.ErrNotFound
	}
	return nil
}

// deleteSessions deletes every session of an account but except, and
// returns the ids it deleted.
func (s store) deleteSessions(ctx context.Context, accountID, except string) ([]string, error) {
	return s.deleteReturningIDs(ctx, `DELETE FROM sessions WHERE account_id = $1 AND id <> $2 RETURNING id`, accountID, except)
}

// deleteReturningIDs runs a DELETE … RETURNING id and collects the ids.
func (s store) deleteReturningIDs(ctx context.Context, query string, args ...any) ([]string, error) {
	return db.QueryAll(ctx, s.d.W(ctx), db.Value[string], query, args...)
}

// detachSessionOrg takes orgID away from one session, if it is its
// current organization.
func (s store) detachSessionOrg(ctx context.Context, id, orgID string) error {
	_, err := s.d.W(ctx).ExecContext(ctx, `UPDATE sessions SET org_id = '' WHERE id = $1 AND org_id = $2`, id, orgID)
	return err
}

// deleteOrgSessions deletes the account's sessions whose current
// organization is orgID, but except, and returns their ids.
func (s store) deleteOrgSessions(ctx context.Context, accountID, orgID, except string) ([]string, error) {
	return s.deleteReturningIDs(ctx, `DELETE FROM sessions WHERE account_id = $1 AND org_id = $2 AND id <> $3 RETURNING id`, accountID, orgID, except)
}

// codeRow is a live one-time code.
type codeRow struct {
	CodeHash  string
	Attempts  int
	ExpiresAt int64
}

// putCode stores the code of an account and purpose, replacing an older one.
func (s store) putCode(ctx context.Context, accountID, purpose, codeHash string, now, expires int64) error {
	_, err := s.d.W(ctx).ExecContext(ctx, `INSERT INTO verification_codes (account_id, purpose, code_hash, attempts, created_at, expires_at)
		VALUES ($1, $2, $3, 0, $4, $5)
		ON CONFLICT (account_id, purpose) DO UPDATE SET code_hash = excluded.code_hash, attempts = 0,
			created_at = excluded.created_at, expires_at = excluded.expires_at`,
		accountID, purpose, codeHash, now, expires)
	return err
}

func (s store) getCode(ctx context.Context, accountID, purpose string) (codeRow, error) {
	var c codeRow
	err := s.d.W(ctx).QueryRowContext(ctx, `SELECT code_hash, attempts, expires_at FROM verification_codes
		WHERE account_id = $1 AND purpose = $2`, accountID, purpose).Scan(&c.CodeHash, &c.Attempts, &c.ExpiresAt)
	return c, s.d.Classify(err)
}

func (s store) countCodeAttempt(ctx context.Context, accountID, purpose string) error {
	_, err := s.d.W(ctx).ExecContext(ctx, `UPDATE verification_codes SET attempts = attempts + 1
		WHERE account_id = $1 AND purpose = $2`, accountID, purpose)
	return err
}

func (s store) deleteCode(ctx context.Context, accountID, purpose string) error {
	_, err := s.d.W(ctx).ExecContext(ctx, `DELETE FROM verification_codes WHERE account_id = $1 AND purpose = $2`, accountID, purpose)
	return err
}

// replaceRecoveryCodes deletes an account's recovery codes and stores new ones.
func (s store) replaceRecoveryCodes(ctx context.Context, accountID string, hashes []string, now int64) error {
	if _, err := s.d.W(ctx).ExecContext(ctx, `DELETE FROM recovery_codes WHERE account_id = $1`, accountID); err != nil {
		return err
	}
	for _, h := range hashes {
		if _, err := s.d.W(ctx).ExecContext(ctx, `INSERT INTO recovery_codes (account_id, code_hash, created_at) VALUES ($1, $2, $3)`,
			accountID, h, now); err != nil {
			return err
		}
	}
	return nil
}

// useRecoveryCode marks an unused recovery code used; false when there is
// no such unused code.
func (s store) useRecoveryCode(ctx context.Context, accountID, hash string, now int64) (bool, error) {
	res, err := s.d.W(ctx).ExecContext(ctx, `UPDATE recovery_codes SET used_at = $1
		WHERE account_id = $2 AND code_hash = $3 AND used_at IS NULL`, now, accountID, hash)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

func (s store) countRecoveryCodes(ctx context.Context, accountID string) (int, error) {
	var n int
	err := s.d.R(ctx).QueryRowContext(ctx, `SELECT count(*) FROM recovery_codes WHERE account_id = $1 AND used_at IS NULL`, accountID).Scan(&n)
	return n, err
}

// loginRow is a row of login_history.
type loginRow struct {
	ID        string
	AccountID string
	CreatedAt int64
	IP        string
	UserAgent string
	DeviceID  string
	Method    string
	Outcome   string
}

func (s store) insertLogin(ctx context.Context, r loginRow) error {
	_, err := s.d.W(ctx).ExecContext(ctx, `INSERT INTO login_history (id, account_id, created_at, ip, user_agent, device_id, method, outcome)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, r.ID, r.AccountID, r.CreatedAt, r.IP, r.UserAgent, r.DeviceID, r.Method, r.Outcome)
	return err
}

// listLogins returns up to limit entries older than the cursor id (all when
// cursor is empty), newest first. Ids are time-ordered.
func (s store) listLogins(ctx context.Context, accountID, cursor string, limit int) ([]loginRow, error) {
	q := `SELECT id, account_id, created_at, ip, user_agent, device_id, method, outcome FROM login_history WHERE account_id = $1`
	args := []any{accountID}
	if cursor != "" {
		q += ` AND id < $2`
		args = append(args, cursor)
	}
	q += fmt.Sprintf(` ORDER BY id DESC LIMIT %d`, limit)
	return db.QueryAll(ctx, s.d.R(ctx), func(row db.Scanner) (loginRow, error) {
		var r loginRow
		err := row.Scan(&r.ID, &r.AccountID, &r.CreatedAt, &r.IP, &r.UserAgent, &r.DeviceID, &r.Method, &r.Outcome)
		return r, err
	}, q, args...)
}

// rememberClient records that the account signed in from a device or
// network and reports whether it had before.
func (s store) rememberClient(ctx context.Context, accountID, kind, hash string, now int64) (seen bool, err error) {
	var first int64
	err = s.d.W(ctx).QueryRowContext(ctx, `INSERT INTO known_clients (account_id, kind, value_hash, first_seen_at, last_seen_at)
		VALUES ($1, $2, $3, $4, $4)
		ON CONFLICT (account_id, kind, value_hash) DO UPDATE SET last_seen_at = excluded.last_seen_at
		RETURNING first_seen_at`, accountID, kind, hash, now).Scan(&first)
	if err != nil {
		return false, err
	}
	return first != now, nil
}

// hasKnownClients reports whether the account has signed in before at all.
func (s store) hasKnownClients(ctx context.Context, accountID string) (bool, error) {
	var n int
	err := s.d.W(ctx).QueryRowContext(ctx, `SELECT count(*) FROM known_clients WHERE account_id = $1`, accountID).Scan(&n)
	return n > 0, err
}

// noticeRow is a row of account_notices.
type noticeRow struct {
	ID        string
	AccountID string
	Kind      string
	Data      string
	CreatedAt int64
}

func (s store) insertNotice(ctx context.Context, n noticeRow) error {
	_, err := s.d.W(ctx).ExecContext(ctx, `INSERT INTO account_notices (id, account_id, kind, data, created_at) VALUES ($1, $2, $3, $4, $5)`,
		n.ID, n.AccountID, n.Kind, n.Data, n.CreatedAt)
	return err
}

func (s store) listNotices(ctx context.Context, accountID, cursor string, limit int) ([]noticeRow, error) {
	q := `SELECT id, account_id, kind, data, created_at FROM account_notices WHERE account_id = $1`
	args := []any{accountID}
	if cursor != "" {
		q += ` AND id < $2`
		args = append(args, cursor)
	}
	q += fmt.Sprintf(` ORDER BY id DESC LIMIT %d`, limit)
	return db.QueryAll(ctx, s.d.R(ctx), func(row db.Scanner) (noticeRow, error) {
		var n noticeRow
		err := row.Scan(&n.ID, &n.AccountID, &n.Kind, &n.Data, &n.CreatedAt)
		return n, err
	}, q, args...)
}

// hitRate counts one hit on key in a window of length win that starts at
// the key's first hit (a new window starts once the old one has passed). It
// returns the count in the current window and when the window started.
func (s store) hitRate(ctx context.Context, key string, now, win int64) (count int, start int64, err error) {
	err = s.d.W(ctx).QueryRowContext(ctx, `INSERT INTO rate_limits (key, window_start, count) VALUES ($1, $2, 1)
		ON CONFLICT (key) DO UPDATE SET
			count = CASE WHEN rate_limits.window_start <= $3 THEN 1 ELSE rate_limits.count + 1 END,
			window_start = CASE WHEN rate_limits.window_start <= $3 THEN excluded.window_start ELSE rate_limits.window_start END
		RETURNING count, window_start`, key, now, now-win).Scan(&count, &start)
	return count, start, err
}

// unhitRate takes back one hit on key, if its window is still the one
// that started at start.
func (s store) unhitRate(ctx context.Context, key string, start int64) error {
	_, err := s.d.W(ctx).ExecContext(ctx, `UPDATE rate_limits SET count = count - 1
		WHERE key = $1 AND window_start = $2 AND count > 0`, key, start)
	return err
}

// peekRate returns the count and window start of key (0, 0 when absent).
func (s store) peekRate(ctx context.Context, key string) (count int, start int64, err error) {
	err = s.d.R(ctx).QueryRowContext(ctx, `SELECT count, window_start FROM rate_limits WHERE key = $1`, key).Scan(&count, &start)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, 0, nil
	}
	return count, start, err
}

func (s store) clearRate(ctx context.Context, key string) error {
	_, err := s.d.W(ctx).ExecContext(ctx, `DELETE FROM rate_limits WHERE key = $1`, key)
	return err
}

// throttleRow is a row of login_throttle: failures counted on a key, when
// the next attempt may come, and when the row last changed.
type throttleRow struct {
	failures  int
	nextAt    int64
	updatedAt int64
}

func (s store) getThrottle(ctx context.Context, key string) (throttleRow, bool, error) {
	var r throttleRow
	err := s.d.W(ctx).QueryRowContext(ctx, `SELECT failures, next_at, updated_at FROM login_throttle WHERE key = $1`, key).
		Scan(&r.failures, &r.nextAt, &r.updatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return throttleRow{}, false, nil
	}
	return r, err == nil, err
}

// claimThrottle writes next over old (or inserts it when the key had no
// row) only if the row is still as read; it reports whether it did.
func (s store) claimThrottle(ctx context.Context, key string, found bool, old, next throttleRow) (bool, error) {
	var res sql.Result
	var err error
	if !found {
		res, err = s.d.W(ctx).ExecContext(ctx, `INSERT INTO login_throttle (key, failures, next_at, updated_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (key) DO NOTHING`, key, next.failures, next.nextAt, next.updatedAt)
	} else {
		res, err = s.d.W(ctx).ExecContext(ctx, `UPDATE login_throttle SET failures = $2, next_at = $3, updated_at = $4
			WHERE key = $1 AND failures = $5 AND updated_at = $6`, key, next.failures, next.nextAt, next.updatedAt, old.failures, old.updatedAt)
	}
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

func (s store) clearThrottle(ctx context.Context, key string) error {
	_, err := s.d.W(ctx).ExecContext(ctx, `DELETE FROM login_throttle WHERE key = $1`, key)
	return err
}

// isKnownClient reports whether the account signed in from the client.
func (s store) isKnownClient(ctx context.Context, accountID, kind, hash string) (bool, error) {
	var n int
	err := s.d.R(ctx).QueryRowContext(ctx, `SELECT count(*) FROM known_clients WHERE account_id = $1 AND kind = $2 AND value_hash = $3`,
		accountID, kind, hash).Scan(&n)
	return n > 0, err
}

// deleteExpired removes expired sessions and codes, and rate-limit windows
// that ended before the horizon.
func (s store) deleteExpired(ctx context.Context, now, rateHorizon int64) error {
	for _, q := range []struct {
		sql string
		arg int64
	}{
		{`DELETE FROM sessions WHERE expires_at <= $1`, now},
		{`DELETE FROM verification_codes WHERE expires_at <= $1`, now},
		{`DELETE FROM rate_limits WHERE window_start <= $1`, rateHorizon},
		{`DELETE FROM login_throttle WHERE updated_at <= $1`, rateHorizon},
	} {
		if _, err := s.d.W(ctx).ExecContext(ctx, q.sql, q.arg); err != nil {
			return err
		}
	}
	return nil
}

// legacyNames lists up to limit accounts whose name is still stored in
// plaintext.
func (s store) legacyNames(ctx context.Context, limit int) ([]accountRow, error) {
	return db.QueryAll(ctx, s.d.R(ctx), scanAccount, `SELECT `+accountCols+` FROM accounts WHERE name <> '' ORDER BY id LIMIT $1`, limit)
}

// setName stores a sealed name in place of the plaintext one.
func (s store) setName(ctx context.Context, id string, sealed []byte) error {
	_, err := s.d.W(ctx).ExecContext(ctx, `UPDATE accounts SET name = '', name_sealed = $2 WHERE id = $1`, id, nullable(sealed))
	return err
}

// lockAccount takes the account row's write lock for the rest of the
// transaction (a no-op update: PostgreSQL locks the row, SQLite has one
// writer); db.ErrNotFound when there is no such account.
func (s store) lockAccount(ctx context.Context, id string) error {
	res, err := s.d.W(ctx).ExecContext(ctx, `UPDATE accounts SET updated_at = updated_at WHERE id = $1`, id)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return db.ErrNotFound
	}
	return nil
}

const appPasswordCols = `id, account_id, name, secret_hash, created_at, last_used_at, last_used_ip`

func scanAppPassword(sc interface{ Scan(...any) error }) (appPasswordRow, error) {
	var r appPasswordRow
	err := sc.Scan(&r.ID, &r.AccountID, &r.Name, &r.SecretHash, &r.CreatedAt, &r.LastUsedAt, &r.LastUsedIP)
	return r, err
}

func (s store) insertAppPassword(ctx context.Context, r appPasswordRow) error {
	_, err := s.d.W(ctx).ExecContext(ctx, `INSERT INTO app_passwords (`+appPasswordCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		r.ID, r.AccountID, r.Name, r.SecretHash, r.CreatedAt, r.LastUsedAt, r.LastUsedIP)
	return s.d.Classify(err)
}

func (s store) countAppPasswords(ctx context.Context, accountID string) (int, error) {
	var n int
	err := s.d.W(ctx).QueryRowContext(ctx, `SELECT COUNT(*) FROM app_passwords WHERE account_id = $1`, accountID).Scan(&n)
	return n, err
}

func (s store) listAppPasswords(ctx context.Context, accountID string) ([]appPasswordRow, error) {
	return db.QueryAll(ctx, s.d.R(ctx), scanAppPassword, `SELECT `+appPasswordCols+` FROM app_passwords
		WHERE account_id = $1 ORDER BY created_at DESC, id DESC`, accountID)
}

// appPasswordByHash returns the app password of a secret hash and its
// account's status.
func (s store) appPasswordByHash(ctx context.Context, hash string) (appPasswordRow, string, error) {
	var r appPasswordRow
	var status string
	err := s.d.R(ctx).QueryRowContext(ctx, `SELECT p.id, p.account_id, p.name, p.secret_hash, p.created_at, p.last_used_at,
		p.last_used_ip, a.status FROM app_passwords p JOIN accounts a ON a.id = p.account_id WHERE p.secret_hash = $1`, hash).
		Scan(&r.ID, &r.AccountID, &r.Name, &r.SecretHash, &r.CreatedAt, &r.LastUsedAt, &r.LastUsedIP, &status)
	return r, status, s.d.Classify(err)
}

func (s store) touchAppPassword(ctx context.Context, id string, now int64, ip string) error {
	_, err := s.d.W(ctx).ExecContext(ctx, `UPDATE app_passwords SET last_used_at = $1, last_used_ip = $2 WHERE id = $3`, now, ip, id)
	return err
}

// deleteAppPassword deletes one app password of an account; db.ErrNotFound
// when the account has no such app password.
func (s store) deleteAppPassword(ctx context.Context, id, accountID string) error {
	res, err := s.d.W(ctx).ExecContext(ctx, `DELETE FROM app_passwords WHERE id = $1 AND account_id = $2`, id, accountID)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return db.ErrNotFound
	}
	return nil
}

// deleteAppPasswords deletes every app password of an account and returns
// their ids.
func (s store) deleteAppPasswords(ctx context.Context, accountID string) ([]string, error) {
	return s.deleteReturningIDs(ctx, `DELETE FROM app_passwords WHERE account_id = $1 RETURNING id`, accountID)
}
