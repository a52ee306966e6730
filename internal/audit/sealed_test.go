package audit

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/db/dbtest"
	"github.com/atrium-hq/atrium/internal/platform/keyring"
)

// The details of an organization's entries are stored sealed with its key
// and shown opened; the chain covers the sealed bytes (editing them breaks
// it) and verifies without keys; after the key is destroyed the details
// read "[erased]" and later entries of the organization record none.
func TestSealedDetails(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		kr, err := keyring.New(d, bytes.Repeat([]byte{7}, 32))
		if err != nil {
			t.Fatal(err)
		}
		SetSealer(d, kr, keyring.ErrKeyDestroyed)
		t.Cleanup(func() { SetSealer(d, nil, nil) })
		const canary = "CANARYauditName42"
		for _, e := range []Entry{
			{OrgID: "org_1", Action: "department.create", Details: map[string]any{"name": canary}},
			{Action: "identity.login", Details: map[string]any{"method": "password"}},
			{OrgID: "org_1", Action: "privacy.erase.org", Details: map[string]any{"deleted": 3}, Unsealed: true},
		} {
			if err := Record(ctx, d, e); err != nil {
				t.Fatal(err)
			}
		}
		var details string
		var box []byte
		if err := d.Reader().QueryRow(`SELECT details, details_sealed FROM audit_log WHERE seq = 1`).Scan(&details, &box); err != nil {
			t.Fatal(err)
		}
		if details != "{}" || len(box) == 0 || bytes.Contains(box, []byte(canary)) {
			t.Fatalf("entry 1 stored %q, sealed %d bytes", details, len(box))
		}
		var n int
		d.Reader().QueryRow(`SELECT COUNT(*) FROM audit_log WHERE details_sealed IS NULL`).Scan(&n)
		if n != 2 {
			t.Fatalf("%d entries unsealed, want 2 (no organization; Unsealed)", n)
		}
		if r := verify(t, d); !r.OK {
			t.Fatalf("verify: %s", r)
		}
		p, err := ListAll(ctx, d, Filter{OrgID: "org_1"})
		if err != nil {
			t.Fatal(err)
		}
		if len(p.Items) != 2 || !p.Items[1].DetailsSealed || !strings.Contains(string(p.Items[1].Details), canary) {
			t.Fatalf("listed %+v", p.Items)
		}

		// The chain covers the sealed bytes.
		bad := append([]byte(nil), box...)
		bad[len(bad)-1] ^= 1
		exec(t, d, `UPDATE audit_log SET details_sealed = $1 WHERE seq = 1`, bad)
		wantBad(t, verify(t, d), 1, "does not match its hash")
		exec(t, d, `UPDATE audit_log SET details_sealed = $1 WHERE seq = 1`, box)

		// The organization's key is destroyed: the chain still verifies,
		// the sealed details read "[erased]", the unsealed record stays.
		if err := kr.Destroy(ctx, "org_1"); err != nil {
			t.Fatal(err)
		}
		if err := Record(ctx, d, Entry{OrgID: "org_1", Action: "org.late", Details: map[string]any{"name": canary}}); err != nil {
			t.Fatal(err)
		}
		if r := verify(t, d); !r.OK {
			t.Fatalf("verify after the key was destroyed: %s", r)
		}
		p, err = ListAll(ctx, d, Filter{OrgID: "org_1"})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, it := range p.Items {
			got[it.Action] = string(it.Details)
		}
		if got["department.create"] != `"[erased]"` || !strings.Contains(got["privacy.erase.org"], "deleted") || got["org.late"] != "{}" {
			t.Fatalf("after the key was destroyed: %v", got)
		}
	})
}
