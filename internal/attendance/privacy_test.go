package attendance_test

import (
	"bytes"
	"context"
	"database/sql"
	"os"
	"strings"
	"testing"

	"github.com/atrium-hq/atrium/internal/attendance"
	"github.com/atrium-hq/atrium/internal/platform/datamap"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/db/dbtest"
	"github.com/atrium-hq/atrium/internal/platform/keyring"
)

type sections struct{ s []datamap.Section }

func (w *sections) AddSection(s datamap.Section) { w.s = append(w.s, s) }
func (w *sections) AddFile(datamap.File)         {}

func (w *sections) table(name string) *datamap.Section {
	for i := range w.s {
		if w.s[i].Table == name {
			return &w.s[i]
		}
	}
	return nil
}

// rowsContaining lists the columns of table whose bytes hold canary.
func rowsContaining(t *testing.T, d *db.DB, table, canary string) []string {
	t.Helper()
	ctx := context.Background()
	rows, err := d.R(ctx).QueryContext(ctx, `SELECT * FROM `+table)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var hits []string
	for rows.Next() {
		vals := make([]sql.RawBytes, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		for i, v := range vals {
			if bytes.Contains(v, []byte(canary)) {
				hits = append(hits, table+"."+cols[i])
			}
		}
	}
	return hits
}

var tables = []string{"attendance_punches", "attendance_locations", "attendance_days", "attendance_adjustments", "event_log", "audit_log"}

// fileContains reports whether the SQLite database file or its WAL holds
// canary (false on PostgreSQL, whose files the test does not read).
func fileContains(t *testing.T, d *db.DB, canary string) bool {
	t.Helper()
	if d.Kind != db.SQLite {
		return false
	}
	ctx := context.Background()
	if err := d.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	var seq int
	var name, file string
	if err := d.Writer().QueryRowContext(ctx, `PRAGMA database_list`).Scan(&seq, &name, &file); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{file, file + "-wal"} {
		b, err := os.ReadFile(p)
		if err == nil && bytes.Contains(b, []byte(canary)) {
			return true
		}
	}
	return false
}

// TestRawLocationSealedExportedAndErased: the raw position is sealed with
// the person's key, in their export opened, and erased — its bytes gone
// from the rows and the database file — after the group's location
// retention, while the check-ins and the day's result stay.
func TestRawLocationSealedExportedAndErased(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		for _, sealed := range []bool{true, false} {
			w := newWorld(d, 1)
			if sealed {
				kr, err := keyring.New(d, bytes.Repeat([]byte{7}, 32))
				if err != nil {
					t.Fatal(err)
				}
				w.svc.Sealer = kr
			}
			r := fixed()
			r.OutOfArea = attendance.OutOfAreaNote
			w.group(t, r)
			p := w.people[0]
			w.ack(t, p)
			canary := "31.23101234"
			note := "canary-note-" + strings.Repeat("x", 8)
			if _, err := w.punch(t, p, sh(7, 8, 55), attendance.PunchInput{Lat: canary, Lng: "121.4740"}); err != nil {
				t.Fatal(err)
			}
			if _, err := w.punch(t, p, sh(7, 18, 5), attendance.PunchInput{Lat: "31.3", Lng: "121.4740", Note: note}); err != nil {
				t.Fatal(err)
			}
			var hits []string
			for _, tb := range tables {
				hits = append(hits, rowsContaining(t, d, tb, canary)...)
			}
			if sealed && len(hits) > 0 {
				t.Fatalf("the raw position is stored in the clear: %v", hits)
			}
			if !sealed && (len(hits) != 1 || hits[0] != "attendance_locations.raw") {
				t.Fatalf("unsealed raw position in %v", hits)
			}

			// The export holds the raw values, opened, and the check-ins.
			subject := datamap.Subject{AccountID: p.AccountID, Members: map[string]string{w.orgID: p.MemberID}}
			var ex sections
			if err := w.svc.Privacy().Export(ctx, datamap.ExportRequest{Subject: subject, Orgs: []datamap.OrgExport{{OrgID: w.orgID, MemberID: p.MemberID}}}, &ex); err != nil {
				t.Fatal(err)
			}
			loc := ex.table("attendance_locations")
			if loc == nil || len(loc.Rows) != 2 || loc.Retention != "location" {
				t.Fatalf("export: %+v", ex.s)
			}
			all := ""
			for _, row := range loc.Rows {
				if s, ok := row["raw"].(string); ok {
					all += s
				}
			}
			if !strings.Contains(all, canary) || !strings.Contains(all, note) {
				t.Fatalf("exported raw values: %#v", loc.Rows)
			}
			if ex.table("attendance_punches") == nil || ex.table("attendance_days") == nil || ex.table("attendance_notices") == nil {
				t.Fatalf("export sections: %+v", ex.s)
			}

			// Not yet: 89 days later nothing is erased.
			w.clock.set(sh(7, 9, 0).AddDate(0, 0, 89))
			if n, err := w.svc.EraseExpiredLocations(ctx); err != nil || n != 0 {
				t.Fatalf("early erasure: %d %v", n, err)
			}
			if !sealed && !fileContains(t, d, canary) && d.Kind == db.SQLite {
				t.Fatal("the canary is not in the database file before erasure: the check below proves nothing")
			}
			w.clock.set(sh(7, 9, 0).AddDate(0, 0, 91))
			// A legal hold on the person keeps them past their retention.
			w.svc.Held = func(_ context.Context, orgID, accountID string) (bool, error) {
				return orgID == w.orgID && accountID == p.AccountID, nil
			}
			if n, err := w.svc.EraseExpiredLocations(ctx); err != nil || n != 0 {
				t.Fatalf("erasure under a legal hold: %d %v", n, err)
			}
			w.svc.Held = nil
			if n, err := w.svc.EraseExpiredLocations(ctx); err != nil || n != 2 {
				t.Fatalf("erasure after 90 days: %d %v", n, err)
			}
			if hits := rowsContaining(t, d, "attendance_locations", canary); len(hits) > 0 || fileContains(t, d, canary) || fileContains(t, d, note) {
				t.Fatalf("raw values remain after their retention: %v", hits)
			}
			m, err := w.svc.MyMonth(w.as(p), "2026-12")
			if err != nil || m.Days[6].Status != attendance.StatusNormal || len(m.Punches) != 2 || !m.Days[6].OutOfArea {
				t.Fatalf("the day after erasure: %+v %v", m.Days[6], err)
			}

			// Erasure of the person deletes their check-ins and days.
			res, err := w.svc.Privacy().Erase(ctx, datamap.EraseRequest{Scope: datamap.ScopeMembership, Subject: subject, OrgID: w.orgID,
				MemberID: p.MemberID, Mode: datamap.ModeDelete, Tombstone: "acc_gone"})
			if err != nil || res.Deleted["attendance_punches"] != 2 || res.Deleted["attendance_days"] < 1 {
				t.Fatalf("erase: %+v %v", res, err)
			}
		}
	})
}
