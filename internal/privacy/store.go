package privacy

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"

	"github.com/atrium-hq/atrium/internal/platform/db"
)

// ---- policies ----------------------------------------------------------------

const docColumns = `id, org_id, kind, seq, version, significant, required_seq, summary, body, published_at`

func scanDoc(sc interface{ Scan(...any) error }) (Document, error) {
	var d Document
	err := sc.Scan(&d.ID, &d.OrgID, &d.Kind, &d.Seq, &d.Version, &d.Significant, &d.RequiredSeq, &d.Summary, &d.Body, &d.PublishedAt)
	return d, err
}

func queryDocs(ctx context.Context, d *db.DB, q string, args ...any) ([]Document, error) {
	return db.QueryAll(ctx, d.R(ctx), scanDoc, q, args...)
}

func latestDocument(ctx context.Context, d *db.DB, orgID, kind string) (Document, error) {
	doc, err := scanDoc(d.R(ctx).QueryRowContext(ctx,
		`SELECT `+docColumns+` FROM policy_documents WHERE org_id = $1 AND kind = $2 ORDER BY seq DESC LIMIT 1`, orgID, kind))
	return doc, d.Classify(err)
}

func getDocument(ctx context.Context, d *db.DB, id string) (Document, error) {
	doc, err := scanDoc(d.R(ctx).QueryRowContext(ctx, `SELECT `+docColumns+` FROM policy_documents WHERE id = $1`, id))
	return doc, d.Classify(err)
}

func insertDocument(ctx context.Context, d *db.DB, doc Document, by string) error {
	_, err := d.W(ctx).ExecContext(ctx,
		`INSERT INTO policy_documents (id, org_id, kind, seq, version, significant, required_seq, summary, body, published_by, published_at)
		 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		doc.ID, doc.OrgID, doc.Kind, doc.Seq, doc.Version, doc.Significant, doc.RequiredSeq, doc.Summary, doc.Body, by, doc.PublishedAt)
	return d.Classify(err)
}

// currentDocuments returns the latest version of each operator kind and of
// the org's notice.
func currentDocuments(ctx context.Context, d *db.DB, orgID string) ([]Document, error) {
	return queryDocs(ctx, d,
		`SELECT `+docColumns+` FROM policy_documents p
		 WHERE (p.org_id = '' OR p.org_id = $1)
		   AND p.seq = (SELECT MAX(seq) FROM policy_documents q WHERE q.org_id = p.org_id AND q.kind = p.kind)
		 ORDER BY p.org_id, p.kind`, orgID)
}

// pendingDocuments returns the current operator documents the account has
// not accepted at or after their latest significant version.
func pendingDocuments(ctx context.Context, d *db.DB, accountID string) ([]Document, error) {
	return queryDocs(ctx, d,
		`SELECT `+docColumns+` FROM policy_documents p
		 WHERE p.org_id = ''
		   AND p.seq = (SELECT MAX(seq) FROM policy_documents q WHERE q.org_id = '' AND q.kind = p.kind)
		   AND NOT EXISTS (SELECT 1 FROM policy_acceptances a
		                   WHERE a.account_id = $1 AND a.org_id = '' AND a.kind = p.kind AND a.seq >= p.required_seq)
		 ORDER BY p.kind`, accountID)
}

// requiredSeqs returns, per operator kind, the required seq of its current
// version.
func requiredSeqs(ctx context.Context, d *db.DB) (map[string]int, error) {
	out := map[string]int{}
	err := db.Each(ctx, d.R(ctx), func(row db.Scanner) error {
		var k string
		var n int
		if err := row.Scan(&k, &n); err != nil {
			return err
		}
		out[k] = n
		return nil
	}, `SELECT p.kind, p.required_seq FROM policy_documents p
		 WHERE p.org_id = '' AND p.seq = (SELECT MAX(seq) FROM policy_documents q WHERE q.org_id = '' AND q.kind = p.kind)`)
	if err != nil {
		return nil, err
	}
	return out, nil
}

func insertAcceptance(ctx context.Context, d *db.DB, id, accountID string, doc Document, at int64) error {
	_, err := d.W(ctx).ExecContext(ctx,
		`INSERT INTO policy_acceptances (id, account_id, document_id, org_id, kind, seq, version, accepted_at)
		 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, id, accountID, doc.ID, doc.OrgID, doc.Kind, doc.Seq, doc.Version, at)
	return err
}

func listAcceptances(ctx context.Context, d *db.DB, accountID string) ([]Acceptance, error) {
	return db.QueryAll(ctx, d.R(ctx), func(row db.Scanner) (Acceptance, error) {
		var a Acceptance
		err := row.Scan(&a.DocumentID, &a.OrgID, &a.Kind, &a.Version, &a.AcceptedAt)
		return a, err
	}, `SELECT document_id, org_id, kind, version, accepted_at FROM policy_acceptances WHERE account_id = $1 ORDER BY accepted_at, id`, accountID)
}

// ---- minors ----------------------------------------------------------------

type ageGate struct {
	MinorUntil  int64
	CheckedAt   int64
	HasGuardian bool
}

func getAgeGate(ctx context.Context, d *db.DB, accountID string) (ageGate, error) {
	var g ageGate
	var n int
	err := d.R(ctx).QueryRowContext(ctx,
		`SELECT g.minor_until, g.checked_at, (SELECT COUNT(*) FROM guardian_consents c WHERE c.account_id = g.account_id)
		 FROM age_gates g WHERE g.account_id = $1`, accountID).Scan(&g.MinorUntil, &g.CheckedAt, &n)
	g.HasGuardian = n > 0
	if err == sql.ErrNoRows {
		// Still tell whether a guardian consent exists.
		var m int
		_ = d.R(ctx).QueryRowContext(ctx, `SELECT COUNT(*) FROM guardian_consents WHERE account_id = $1`, accountID).Scan(&m)
		g.HasGuardian = m > 0
	}
	return g, d.Classify(err)
}

func putAgeGate(ctx context.Context, d *db.DB, accountID string, minorUntil, checkedAt int64) error {
	_, err := d.W(ctx).ExecContext(ctx,
		`INSERT INTO age_gates (account_id, minor_until, checked_at) VALUES ($1, $2, $3)
		 ON CONFLICT (account_id) DO UPDATE SET minor_until = excluded.minor_until, checked_at = excluded.checked_at`,
		accountID, minorUntil, checkedAt)
	return err
}

func getGuardianConsent(ctx context.Context, d *db.DB, accountID string) (GuardianConsent, error) {
	var g GuardianConsent
	err := d.R(ctx).QueryRowContext(ctx,
		`SELECT account_id, guardian_name, guardian_contact, relationship, method, recorded_by, recorded_at
		 FROM guardian_consents WHERE account_id = $1`, accountID).
		Scan(&g.AccountID, &g.GuardianName, &g.GuardianContact, &g.Relationship, &g.Method, &g.RecordedBy, &g.RecordedAt)
	return g, d.Classify(err)
}

func putGuardianConsent(ctx context.Context, d *db.DB, g GuardianConsent) error {
	_, err := d.W(ctx).ExecContext(ctx,
		`INSERT INTO guardian_consents (account_id, guardian_name, guardian_contact, relationship, method, recorded_by, recorded_at)
		 VALUES ($1, $2, $3, $4, $5, $6, $7)
		 ON CONFLICT (account_id) DO UPDATE SET guardian_name = excluded.guardian_name, guardian_contact = excluded.guardian_contact,
		   relationship = excluded.relationship, method = excluded.method, recorded_by = excluded.recorded_by, recorded_at = excluded.recorded_at`,
		g.AccountID, g.GuardianName, g.GuardianContact, g.Relationship, g.Method, g.RecordedBy, g.RecordedAt)
	return err
}

// ---- consents ----------------------------------------------------------------

func listConsents(ctx context.Context, d *db.DB, accountID string) (map[string]Consent, error) {
	out := map[string]Consent{}
	err := db.Each(ctx, d.R(ctx), func(row db.Scanner) error {
		var c Consent
		if err := row.Scan(&c.Purpose, &c.Granted, &c.Version, &c.UpdatedAt); err != nil {
			return err
		}
		out[c.Purpose] = c
		return nil
	}, `SELECT purpose, granted, version, updated_at FROM consents WHERE account_id = $1`, accountID)
	if err != nil {
		return nil, err
	}
	return out, nil
}

func putConsent(ctx context.Context, d *db.DB, eventID, accountID string, c Consent) error {
	if _, err := d.W(ctx).ExecContext(ctx,
		`INSERT INTO consents (account_id, purpose, granted, version, updated_at) VALUES ($1, $2, $3, $4, $5)
		 ON CONFLICT (account_id, purpose) DO UPDATE SET granted = excluded.granted, version = excluded.version, updated_at = excluded.updated_at`,
		accountID, c.Purpose, c.Granted, c.Version, c.UpdatedAt); err != nil {
		return err
	}
	_, err := d.W(ctx).ExecContext(ctx,
		`INSERT INTO consent_events (id, account_id, purpose, granted, version, created_at) VALUES ($1, $2, $3, $4, $5, $6)`,
		eventID, accountID, c.Purpose, c.Granted, c.Version, c.UpdatedAt)
	return err
}

func listConsentEvents(ctx context.Context, d *db.DB, accountID string) ([]ConsentEvent, error) {
	return db.QueryAll(ctx, d.R(ctx), func(row db.Scanner) (ConsentEvent, error) {
		var e ConsentEvent
		err := row.Scan(&e.Purpose, &e.Granted, &e.Version, &e.CreatedAt)
		return e, err
	}, `SELECT purpose, granted, version, created_at FROM consent_events WHERE account_id = $1 ORDER BY created_at, id`, accountID)
}

// ---- exports ----------------------------------------------------------------

const exportColumns = `id, account_id, job_id, status, progress, blob_key, size_bytes, created_at, ready_at, expires_at`

func scanExport(sc interface{ Scan(...any) error }) (Export, error) {
	var e Export
	err := sc.Scan(&e.ID, &e.accountID, &e.jobID, &e.Status, &e.Progress, &e.blobKey, &e.SizeBytes, &e.CreatedAt, &e.ReadyAt, &e.ExpiresAt)
	return e, err
}

func queryExports(ctx context.Context, d *db.DB, q string, args ...any) ([]Export, error) {
	return db.QueryAll(ctx, d.R(ctx), scanExport, q, args...)
}

func insertExport(ctx context.Context, d *db.DB, e Export) error {
	_, err := d.W(ctx).ExecContext(ctx,
		`INSERT INTO privacy_exports (id, account_id, job_id, status, progress, created_at) VALUES ($1, $2, $3, $4, 0, $5)`,
		e.ID, e.accountID, e.jobID, e.Status, e.CreatedAt)
	return err
}

func activeExport(ctx context.Context, d *db.DB, accountID string) (Export, error) {
	e, err := scanExport(d.W(ctx).QueryRowContext(ctx,
		`SELECT `+exportColumns+` FROM privacy_exports WHERE account_id = $1 AND status IN ('queued', 'running') ORDER BY created_at DESC LIMIT 1`, accountID))
	return e, d.Classify(err)
}

// restartExport hands an export whose job gave up to a new job.
func restartExport(ctx context.Context, d *db.DB, id, jobID string) error {
	_, err := d.W(ctx).ExecContext(ctx, `UPDATE privacy_exports SET job_id = $2, status = 'queued', progress = 0 WHERE id = $1`, id, jobID)
	return err
}

func getExport(ctx context.Context, d *db.DB, id string) (Export, error) {
	e, err := scanExport(d.R(ctx).QueryRowContext(ctx, `SELECT `+exportColumns+` FROM privacy_exports WHERE id = $1`, id))
	return e, d.Classify(err)
}

func listExports(ctx context.Context, d *db.DB, accountID string) ([]Export, error) {
	return queryExports(ctx, d, `SELECT `+exportColumns+` FROM privacy_exports WHERE account_id = $1 ORDER BY created_at DESC LIMIT 50`, accountID)
}

func setExportProgress(ctx context.Context, d *db.DB, id, status string, pct int) error {
	_, err := d.W(ctx).ExecContext(ctx, `UPDATE privacy_exports SET status = $2, progress = $3 WHERE id = $1`, id, status, pct)
	return err
}

func finishExport(ctx context.Context, d *db.DB, id, key string, size, readyAt, expiresAt int64) error {
	_, err := d.W(ctx).ExecContext(ctx,
		`UPDATE privacy_exports SET status = 'ready', progress = 100, blob_key = $2, size_bytes = $3, ready_at = $4, expires_at = $5 WHERE id = $1`,
		id, key, size, readyAt, expiresAt)
	return err
}

func expiredExports(ctx context.Context, d *db.DB, now int64) ([]Export, error) {
	return queryExports(ctx, d, `SELECT `+exportColumns+` FROM privacy_exports WHERE status = 'ready' AND expires_at <= $1`, now)
}

func markExportExpired(ctx context.Context, d *db.DB, id string) error {
	_, err := d.W(ctx).ExecContext(ctx, `UPDATE privacy_exports SET status = 'expired', blob_key = '' WHERE id = $1`, id)
	return err
}

// exportsOf lists every export of an account (for erasure).
func exportsOf(ctx context.Context, d *db.DB, accountID string) ([]Export, error) {
	return queryExports(ctx, d, `SELECT `+exportColumns+` FROM privacy_exports WHERE account_id = $1`, accountID)
}

// ---- requests ----------------------------------------------------------------

const requestColumns = `id, account_id, org_id, kind, status, note, result_ref, due_at, created_at, updated_at, completed_at, note_sealed`

// insertRequest stores r; a sealed note (notes.go) leaves note empty.
func insertRequest(ctx context.Context, d *db.DB, r Request) error {
	note, sealed := plainNote(r.Note, r.noteSealed)
	_, err := d.W(ctx).ExecContext(ctx,
		`INSERT INTO privacy_requests (`+requestColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		r.ID, r.AccountID, r.OrgID, r.Kind, r.Status, note, r.ResultRef, r.DueAt, r.CreatedAt, r.UpdatedAt, r.CompletedAt, sealed)
	return err
}

func insertRequestEvent(ctx context.Context, d *db.DB, id, requestID, accountID, status, actorID, note string, noteSealed []byte, at int64) error {
	note, sealed := plainNote(note, noteSealed)
	_, err := d.W(ctx).ExecContext(ctx,
		`INSERT INTO privacy_request_events (id, request_id, account_id, status, actor_id, note, created_at, note_sealed) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		id, requestID, accountID, status, actorID, note, at, sealed)
	return err
}

func updateRequestStatus(ctx context.Context, d *db.DB, id, status string, now, completed int64) error {
	_, err := d.W(ctx).ExecContext(ctx,
		`UPDATE privacy_requests SET status = $2, updated_at = $3, completed_at = $4 WHERE id = $1`, id, status, now, completed)
	return err
}

type requestFilter struct {
	AccountID, OrgID, Kind, Status, Ref string
}

func listRequests(ctx context.Context, d *db.DB, f requestFilter) ([]Request, error) {
	var where []string
	var args []any
	add := func(col, v string) {
		if v != "" {
			where = append(where, col+" = "+db.Arg(&args, v))
		}
	}
	add("account_id", f.AccountID)
	add("org_id", f.OrgID)
	add("kind", f.Kind)
	add("status", f.Status)
	add("result_ref", f.Ref)
	q := `SELECT ` + requestColumns + ` FROM privacy_requests`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, " AND ")
	}
	if f.OrgID != "" {
		q += ` ORDER BY CASE WHEN status IN ('completed', 'rejected') THEN 1 ELSE 0 END, due_at, id LIMIT 500`
	} else {
		q += ` ORDER BY created_at DESC, id DESC LIMIT 500`
	}
	return db.QueryAll(ctx, d.W(ctx), func(row db.Scanner) (Request, error) {
		var r Request
		err := row.Scan(&r.ID, &r.AccountID, &r.OrgID, &r.Kind, &r.Status, &r.Note, &r.ResultRef, &r.DueAt, &r.CreatedAt, &r.UpdatedAt, &r.CompletedAt, &r.noteSealed)
		return r, err
	}, q, args...)
}

func getRequest(ctx context.Context, d *db.DB, id string) (Request, error) {
	var r Request
	err := d.W(ctx).QueryRowContext(ctx, `SELECT `+requestColumns+` FROM privacy_requests WHERE id = $1`, id).
		Scan(&r.ID, &r.AccountID, &r.OrgID, &r.Kind, &r.Status, &r.Note, &r.ResultRef, &r.DueAt, &r.CreatedAt, &r.UpdatedAt, &r.CompletedAt, &r.noteSealed)
	return r, d.Classify(err)
}

func listRequestEvents(ctx context.Context, d *db.DB, requestID string) ([]RequestEvent, error) {
	return db.QueryAll(ctx, d.W(ctx), func(row db.Scanner) (RequestEvent, error) {
		var e RequestEvent
		err := row.Scan(&e.id, &e.accountID, &e.Status, &e.ActorID, &e.Note, &e.CreatedAt, &e.noteSealed)
		return e, err
	}, `SELECT id, account_id, status, actor_id, note, created_at, note_sealed FROM privacy_request_events WHERE request_id = $1 ORDER BY created_at, id`, requestID)
}

// ---- org settings ----------------------------------------------------------------

func getOrgSettings(ctx context.Context, d *db.DB, orgID string) (OrgSettings, error) {
	var s OrgSettings
	err := d.R(ctx).QueryRowContext(ctx,
		`SELECT leave_action, leave_period_days, export_others_messages, tell_about_holds, disband_grace_days
		 FROM privacy_org_settings WHERE org_id = $1`, orgID).
		Scan(&s.LeaveAction, &s.LeavePeriodDays, &s.ExportOthersMessages, &s.TellAboutHolds, &s.DisbandGraceDays)
	return s, d.Classify(err)
}

func putOrgSettings(ctx context.Context, d *db.DB, orgID string, s OrgSettings, now int64) error {
	_, err := d.W(ctx).ExecContext(ctx,
		`INSERT INTO privacy_org_settings (org_id, leave_action, leave_period_days, export_others_messages, tell_about_holds, disband_grace_days, updated_at)
		 VALUES ($1, $2, $3, $4, $5, $6, $7)
		 ON CONFLICT (org_id) DO UPDATE SET leave_action = excluded.leave_action, leave_period_days = excluded.leave_period_days,
		   export_others_messages = excluded.export_others_messages, tell_about_holds = excluded.tell_about_holds,
		   disband_grace_days = excluded.disband_grace_days, updated_at = excluded.updated_at`,
		orgID, s.LeaveAction, s.LeavePeriodDays, s.ExportOthersMessages, s.TellAboutHolds, s.DisbandGraceDays, now)
	return err
}

func updateRequestRef(ctx context.Context, d *db.DB, id, ref string) error {
	_, err := d.W(ctx).ExecContext(ctx, `UPDATE privacy_requests SET result_ref = $2 WHERE id = $1`, id, ref)
	return err
}

func deleteExportsOf(ctx context.Context, d *db.DB, accountID string) error {
	_, err := d.W(ctx).ExecContext(ctx, `DELETE FROM privacy_exports WHERE account_id = $1`, accountID)
	return err
}

// ---- erasure ledger ----------------------------------------------------------------

const ledgerColumns = `id, kind, account_id, org_id, target_id, mode, tombstone_id, status, request_id, job_id, requested_at, due_at, completed_at`

// errLedgerExists says the ledger already holds this erasure: a unique
// index (migration 00080) allows one account erasure per account, one purge
// per organization and one pending membership erasure per person and
// organization. The index decides, not a read before the insert, so two
// concurrent requests cannot both schedule one.
var errLedgerExists = errors.New("privacy: the erasure is already in the ledger")

func insertLedger(ctx context.Context, d *db.DB, e LedgerEntry) error {
	res, err := d.W(ctx).ExecContext(ctx,
		`INSERT INTO erasure_ledger (`+ledgerColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
		 ON CONFLICT DO NOTHING`,
		e.ID, e.Kind, e.AccountID, e.OrgID, e.TargetID, e.Mode, e.TombstoneID, e.Status, e.RequestID, e.JobID, e.RequestedAt, e.DueAt, e.CompletedAt)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return errLedgerExists
	}
	return nil
}

func scanLedger(sc interface{ Scan(...any) error }) (LedgerEntry, error) {
	var e LedgerEntry
	err := sc.Scan(&e.ID, &e.Kind, &e.AccountID, &e.OrgID, &e.TargetID, &e.Mode, &e.TombstoneID, &e.Status, &e.RequestID, &e.JobID, &e.RequestedAt, &e.DueAt, &e.CompletedAt)
	return e, err
}

func getLedger(ctx context.Context, d *db.DB, id string) (LedgerEntry, error) {
	e, err := scanLedger(d.W(ctx).QueryRowContext(ctx, `SELECT `+ledgerColumns+` FROM erasure_ledger WHERE id = $1`, id))
	return e, d.Classify(err)
}

type ledgerFilter struct {
	AccountID, OrgID, Kind, Status, RequestID string
}

func listLedger(ctx context.Context, d *db.DB, f ledgerFilter) ([]LedgerEntry, error) {
	var where []string
	var args []any
	add := func(col, v string) {
		if v != "" {
			where = append(where, col+" = "+db.Arg(&args, v))
		}
	}
	add("account_id", f.AccountID)
	add("org_id", f.OrgID)
	add("kind", f.Kind)
	add("status", f.Status)
	add("request_id", f.RequestID)
	q := `SELECT ` + ledgerColumns + ` FROM erasure_ledger`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, " AND ")
	}
	q += ` ORDER BY requested_at DESC, id DESC LIMIT 1000`
	return queryLedger(ctx, d, q, args...)
}

func queryLedger(ctx context.Context, d *db.DB, q string, args ...any) ([]LedgerEntry, error) {
	return db.QueryAll(ctx, d.W(ctx), scanLedger, q, args...)
}

// ledgerSince lists entries requested or completed at or after since, in
// the order they were requested.
func ledgerSince(ctx context.Context, d *db.DB, since int64) ([]LedgerEntry, error) {
	return queryLedger(ctx, d, `SELECT `+ledgerColumns+` FROM erasure_ledger
		WHERE requested_at >= $1 OR completed_at >= $1 OR status IN ('scheduled', 'waiting_hold')
		ORDER BY requested_at, id`, since)
}

func setLedgerRequest(ctx context.Context, d *db.DB, id, requestID string) error {
	_, err := d.W(ctx).ExecContext(ctx, `UPDATE erasure_ledger SET request_id = $2 WHERE id = $1`, id, requestID)
	return err
}

func setLedgerStatus(ctx context.Context, d *db.DB, id, status string, completedAt int64) error {
	_, err := d.W(ctx).ExecContext(ctx, `UPDATE erasure_ledger SET status = $2, completed_at = $3 WHERE id = $1`, id, status, completedAt)
	return err
}

// ---- retention ----------------------------------------------------------------

func listPolicies(ctx context.Context, d *db.DB, orgID string) ([]Policy, error) {
	return db.QueryAll(ctx, d.R(ctx), func(row db.Scanner) (Policy, error) {
		var p Policy
		err := row.Scan(&p.Class, &p.Days)
		return p, err
	}, `SELECT class, days FROM retention_policies WHERE org_id = $1 ORDER BY class`, orgID)
}

func replacePolicies(ctx context.Context, d *db.DB, orgID string, pols []Policy, now int64) error {
	if _, err := d.W(ctx).ExecContext(ctx, `DELETE FROM retention_policies WHERE org_id = $1`, orgID); err != nil {
		return err
	}
	for _, p := range pols {
		if _, err := d.W(ctx).ExecContext(ctx,
			`INSERT INTO retention_policies (org_id, class, days, updated_at) VALUES ($1, $2, $3, $4)`, orgID, p.Class, p.Days, now); err != nil {
			return err
		}
	}
	return nil
}

func listOverrides(ctx context.Context, d *db.DB, orgID string) ([]Override, error) {
	return db.QueryAll(ctx, d.R(ctx), func(row db.Scanner) (Override, error) {
		var o Override
		err := row.Scan(&o.ConversationID, &o.Days)
		return o, err
	}, `SELECT conversation_id, days FROM retention_overrides WHERE org_id = $1 ORDER BY conversation_id`, orgID)
}

func putOverride(ctx context.Context, d *db.DB, orgID string, o Override, now int64) error {
	_, err := d.W(ctx).ExecContext(ctx,
		`INSERT INTO retention_overrides (org_id, conversation_id, days, updated_at) VALUES ($1, $2, $3, $4)
		 ON CONFLICT (org_id, conversation_id) DO UPDATE SET days = excluded.days, updated_at = excluded.updated_at`,
		orgID, o.ConversationID, o.Days, now)
	return err
}

func deleteOverride(ctx context.Context, d *db.DB, orgID, convID string) (int64, error) {
	res, err := d.W(ctx).ExecContext(ctx, `DELETE FROM retention_overrides WHERE org_id = $1 AND conversation_id = $2`, orgID, convID)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

func orgsWithRetention(ctx context.Context, d *db.DB) ([]string, error) {
	return db.QueryAll(ctx, d.R(ctx), db.Value[string], `SELECT org_id FROM retention_policies WHERE days > 0 UNION SELECT org_id FROM retention_overrides WHERE days > 0 ORDER BY 1`)
}

func jsonCounts(m map[string]int64) string {
	if m == nil {
		m = map[string]int64{}
	}
	b, _ := json.Marshal(m)
	return string(b)
}

func insertRun(ctx context.Context, d *db.DB, r RetentionRun) error {
	_, err := d.W(ctx).ExecContext(ctx,
		`INSERT INTO retention_runs (id, org_id, job_id, started_at, planned, deleted) VALUES ($1, $2, $3, $4, '{}', '{}')`,
		r.ID, r.OrgID, r.JobID, r.StartedAt)
	return err
}

func setRunPlanned(ctx context.Context, d *db.DB, id string, planned map[string]int64) error {
	_, err := d.W(ctx).ExecContext(ctx, `UPDATE retention_runs SET planned = $2 WHERE id = $1`, id, jsonCounts(planned))
	return err
}

func finishRun(ctx context.Context, d *db.DB, id string, deleted map[string]int64, now int64) error {
	_, err := d.W(ctx).ExecContext(ctx, `UPDATE retention_runs SET deleted = $2, finished_at = $3 WHERE id = $1`, id, jsonCounts(deleted), now)
	return err
}

const runColumns = `id, org_id, job_id, started_at, finished_at, planned, deleted`

func scanRun(sc interface{ Scan(...any) error }) (RetentionRun, error) {
	var r RetentionRun
	var planned, deleted string
	err := sc.Scan(&r.ID, &r.OrgID, &r.JobID, &r.StartedAt, &r.FinishedAt, &planned, &deleted)
	if err == nil {
		_ = json.Unmarshal([]byte(planned), &r.Planned)
		_ = json.Unmarshal([]byte(deleted), &r.Deleted)
	}
	return r, err
}

func listRuns(ctx context.Context, d *db.DB, orgID string) ([]RetentionRun, error) {
	return db.QueryAll(ctx, d.R(ctx), scanRun, `SELECT `+runColumns+` FROM retention_runs WHERE org_id = $1 ORDER BY started_at DESC, id DESC LIMIT 50`, orgID)
}

func runOfJob(ctx context.Context, d *db.DB, jobID string) (RetentionRun, error) {
	r, err := scanRun(d.W(ctx).QueryRowContext(ctx, `SELECT `+runColumns+` FROM retention_runs WHERE job_id = $1`, jobID))
	return r, d.Classify(err)
}

func getRun(ctx context.Context, d *db.DB, id string) (RetentionRun, error) {
	r, err := scanRun(d.R(ctx).QueryRowContext(ctx, `SELECT `+runColumns+` FROM retention_runs WHERE id = $1`, id))
	return r, d.Classify(err)
}

// ---- legal holds ----------------------------------------------------------------

const holdColumns = `id, org_id, target_kind, target_id, account_id, reason, created_by, created_at, released_at, released_by`

func insertHold(ctx context.Context, d *db.DB, h Hold) error {
	_, err := d.W(ctx).ExecContext(ctx,
		`INSERT INTO legal_holds (`+holdColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0, '')`,
		h.ID, h.OrgID, h.TargetKind, h.TargetID, h.AccountID, h.Reason, h.CreatedBy, h.CreatedAt)
	return err
}

func scanHold(sc interface{ Scan(...any) error }) (Hold, error) {
	var h Hold
	err := sc.Scan(&h.ID, &h.OrgID, &h.TargetKind, &h.TargetID, &h.AccountID, &h.Reason, &h.CreatedBy, &h.CreatedAt, &h.ReleasedAt, &h.ReleasedBy)
	return h, err
}

func getHold(ctx context.Context, d *db.DB, id string) (Hold, error) {
	h, err := scanHold(d.W(ctx).QueryRowContext(ctx, `SELECT `+holdColumns+` FROM legal_holds WHERE id = $1`, id))
	return h, d.Classify(err)
}

func releaseHold(ctx context.Context, d *db.DB, id string, at int64, by string) error {
	_, err := d.W(ctx).ExecContext(ctx, `UPDATE legal_holds SET released_at = $2, released_by = $3 WHERE id = $1`, id, at, by)
	return err
}

func queryHolds(ctx context.Context, d *db.DB, q string, args ...any) ([]Hold, error) {
	return db.QueryAll(ctx, d.W(ctx), scanHold, q, args...)
}

func listHolds(ctx context.Context, d *db.DB, orgID string) ([]Hold, error) {
	return queryHolds(ctx, d, `SELECT `+holdColumns+` FROM legal_holds WHERE org_id = $1 ORDER BY created_at DESC, id DESC LIMIT 500`, orgID)
}

type holdFilter struct {
	OrgID, AccountID, TargetKind, TargetID string
}

func activeHolds(ctx context.Context, d *db.DB, f holdFilter) ([]Hold, error) {
	where := []string{"released_at = 0"}
	var args []any
	add := func(col, v string) {
		if v != "" {
			where = append(where, col+" = "+db.Arg(&args, v))
		}
	}
	add("org_id", f.OrgID)
	add("account_id", f.AccountID)
	add("target_kind", f.TargetKind)
	add("target_id", f.TargetID)
	return queryHolds(ctx, d, `SELECT `+holdColumns+` FROM legal_holds WHERE `+strings.Join(where, " AND "), args...)
}

// ---- security notices ----------------------------------------------------------------

func insertNotice(ctx context.Context, d *db.DB, n Notice, by string) error {
	_, err := d.W(ctx).ExecContext(ctx,
		`INSERT INTO security_notices (id, org_id, title, what_happened, impact, remedies, sent_by, recipients, created_at)
		 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		n.ID, n.OrgID, n.Title, n.WhatHappened, n.Impact, n.Remedies, by, n.Recipients, n.CreatedAt)
	return err
}

func insertNoticeRecipient(ctx context.Context, d *db.DB, noticeID, accountID, orgID string) error {
	_, err := d.W(ctx).ExecContext(ctx,
		`INSERT INTO security_notice_recipients (notice_id, account_id, org_id) VALUES ($1, $2, $3)`, noticeID, accountID, orgID)
	return err
}

func queryNotices(ctx context.Context, d *db.DB, q string, args ...any) ([]Notice, error) {
	return db.QueryAll(ctx, d.R(ctx), func(row db.Scanner) (Notice, error) {
		var n Notice
		err := row.Scan(&n.ID, &n.OrgID, &n.Title, &n.WhatHappened, &n.Impact, &n.Remedies, &n.Recipients, &n.CreatedAt, &n.ReadAt)
		return n, err
	}, q, args...)
}

func listOrgNotices(ctx context.Context, d *db.DB, orgID string) ([]Notice, error) {
	return queryNotices(ctx, d, `SELECT id, org_id, title, what_happened, impact, remedies, recipients, created_at, 0
		FROM security_notices WHERE org_id = $1 ORDER BY created_at DESC, id DESC LIMIT 200`, orgID)
}

func listMyNotices(ctx context.Context, d *db.DB, accountID string) ([]Notice, error) {
	return queryNotices(ctx, d, `SELECT n.id, n.org_id, n.title, n.what_happened, n.impact, n.remedies, n.recipients, n.created_at, r.read_at
		FROM security_notice_recipients r JOIN security_notices n ON n.id = r.notice_id
		WHERE r.account_id = $1 ORDER BY n.created_at DESC, n.id DESC LIMIT 200`, accountID)
}

func markNoticeRead(ctx context.Context, d *db.DB, noticeID, accountID string, now int64) (int64, error) {
	res, err := d.W(ctx).ExecContext(ctx,
		`UPDATE security_notice_recipients SET read_at = $3 WHERE notice_id = $1 AND account_id = $2 AND read_at = 0`, noticeID, accountID, now)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	if err == nil && n == 0 {
		var c int64
		err = d.R(ctx).QueryRowContext(ctx, `SELECT COUNT(*) FROM security_notice_recipients WHERE notice_id = $1 AND account_id = $2`, noticeID, accountID).Scan(&c)
		n = c
	}
	return n, err
}

// ---- guardian requests ----------------------------------------------------------------

func insertGuardianRequest(ctx context.Context, d *db.DB, r GuardianRequest, accountID, tokenHash string) error {
	_, err := d.W(ctx).ExecContext(ctx,
		`INSERT INTO guardian_requests (id, account_id, token_hash, guardian_name, guardian_email, relationship, created_at, expires_at)
		 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		r.ID, accountID, tokenHash, r.GuardianName, r.GuardianEmail, r.Relationship, r.CreatedAt, r.ExpiresAt)
	return err
}

func pendingGuardianRequests(ctx context.Context, d *db.DB, accountID string, now int64) (int, error) {
	var n int
	err := d.W(ctx).QueryRowContext(ctx,
		`SELECT COUNT(*) FROM guardian_requests WHERE account_id = $1 AND confirmed_at = 0 AND expires_at > $2`, accountID, now).Scan(&n)
	return n, err
}

func guardianRequestByHash(ctx context.Context, d *db.DB, hash string) (GuardianRequest, string, int64, error) {
	var r GuardianRequest
	var acc string
	var confirmed int64
	err := d.W(ctx).QueryRowContext(ctx,
		`SELECT id, account_id, guardian_name, guardian_email, relationship, created_at, expires_at, confirmed_at
		 FROM guardian_requests WHERE token_hash = $1`, hash).
		Scan(&r.ID, &acc, &r.GuardianName, &r.GuardianEmail, &r.Relationship, &r.CreatedAt, &r.ExpiresAt, &confirmed)
	return r, acc, confirmed, d.Classify(err)
}

func confirmGuardianRequest(ctx context.Context, d *db.DB, id string, now int64) error {
	_, err := d.W(ctx).ExecContext(ctx, `UPDATE guardian_requests SET confirmed_at = $2 WHERE id = $1`, id, now)
	return err
}
