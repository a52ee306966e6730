package chat

import (
	"context"
	"strings"
	"testing"

	"github.com/atrium-hq/atrium/internal/platform/datamap"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/db/dbtest"
	"github.com/atrium-hq/atrium/internal/platform/ids"
)

type sectionSink struct{ sections []datamap.Section }

func (s *sectionSink) AddSection(x datamap.Section) { s.sections = append(s.sections, x) }
func (s *sectionSink) AddFile(datamap.File)         {}

// TestGeneralGroupProfileSealed: a general group's name, topic and
// announcement are sealed under the group's own key ("cnv_…") — the row
// and the event log hold none of them — while its members read them and
// the export opens them; when the last member leaves, the key is
// destroyed and the profile no longer opens.
func TestGeneralGroupProfileSealed(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		alice, bob := acc(), acc()
		f.dir.befriend(alice, bob)
		A, B := as(alice, ""), as(bob, "")
		const (
			name  = "CANARYgroupG5 friends"
			topic = "CANARYtopicG5 hiking"
			ann   = "CANARYannG5 meet at nine"
		)
		g := f.create(A, KindGeneral, name, bob)
		tp, an := topic, ann
		must(f.s.Update(A, g.ID, UpdateInput{Topic: &tp, Announcement: &an}))

		for _, c := range []string{"CANARYgroupG5", "CANARYtopicG5", "CANARYannG5"} {
			for _, table := range []string{"conversations", "event_log"} {
				if hits := rawContains(t, d, table, c); len(hits) > 0 {
					t.Errorf("%s at rest in %v", c, hits)
				}
			}
		}
		got := must(f.s.Get(B, g.ID))
		if got.Name != name || got.Topic != topic || got.Announcement != ann {
			t.Fatalf("read back %q %q %q", got.Name, got.Topic, got.Announcement)
		}
		raw := must(getConversation(ctx, d, g.ID))
		if raw.profileKey != g.ID || !ids.HasPrefix(raw.profileKey, "cnv") {
			t.Fatalf("profile_key = %q, want the group's id", raw.profileKey)
		}

		var sink sectionSink
		if err := f.s.Privacy().Export(ctx, datamap.ExportRequest{Subject: datamap.Subject{AccountID: alice}}, &sink); err != nil {
			t.Fatal(err)
		}
		exported := ""
		for _, s := range sink.sections {
			if s.Table == "conversations" {
				for _, r := range s.Rows {
					if r["id"] == g.ID {
						exported, _ = r["profile"].(string)
					}
				}
			}
		}
		if !strings.Contains(exported, name) || !strings.Contains(exported, topic) {
			t.Errorf("export of the profile = %q", exported)
		}

		// Everyone leaves: the group's key is destroyed with the last one.
		noErr(t, f.s.Leave(B, g.ID))
		if gone, _ := f.keys.Destroyed(ctx, g.ID); gone {
			t.Fatal("the key was destroyed while a member was left")
		}
		noErr(t, f.s.Leave(A, g.ID))
		if gone, err := f.keys.Destroyed(ctx, g.ID); err != nil || !gone {
			t.Fatalf("the emptied group's key is not destroyed: %v %v", gone, err)
		}
		raw = must(getConversation(ctx, d, g.ID))
		f.s.openProfile(ctx, &raw)
		if raw.Name != "" || raw.Topic != "" || raw.Announcement != "" {
			t.Fatalf("the profile still opens: %+v", raw)
		}
	})
}

// TestPlaintextGeneralGroupSealedAtStart: a general group written before
// sealing (plaintext columns) is read as it is, and the start-up sealing
// seals it under the group's key; a second run finds nothing.
func TestPlaintextGeneralGroupSealedAtStart(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		alice := acc()
		A := as(alice, "")
		g := f.create(A, KindGeneral, "x")
		const legacy = "LEGACYgeneralG5"
		if _, err := d.Writer().Exec(`UPDATE conversations SET name = $1, topic = $1, profile = NULL, profile_key = '' WHERE id = $2`, legacy, g.ID); err != nil {
			t.Fatal(err)
		}
		if got := must(f.s.Get(A, g.ID)); got.Name != legacy {
			t.Fatalf("before sealing: %q", got.Name)
		}
		if n, err := f.s.SealPlaintextProfiles(ctx); err != nil || n != 1 {
			t.Fatalf("sealed %d: %v", n, err)
		}
		if hits := rawContains(t, d, "conversations", legacy); len(hits) > 0 {
			t.Errorf("plaintext left: %v", hits)
		}
		if got := must(f.s.Get(A, g.ID)); got.Name != legacy || got.Topic != legacy {
			t.Fatalf("after sealing: %q %q", got.Name, got.Topic)
		}
		if n, err := f.s.SealPlaintextProfiles(ctx); err != nil || n != 0 {
			t.Fatalf("second run sealed %d: %v", n, err)
		}
	})
}

// TestErasureForgetsEmptiedGroups: erasing an account destroys the keys of
// the general groups the person was the last member of, and only those.
func TestErasureForgetsEmptiedGroups(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		f := newFixture(t, d)
		ctx := context.Background()
		alice, bob := acc(), acc()
		f.dir.befriend(alice, bob)
		A := as(alice, "")
		alone := f.create(A, KindGeneral, "CANARYaloneG5")
		shared := f.create(A, KindGeneral, "shared", bob)
		err := d.Tx(ctx, func(ctx context.Context) error {
			_, err := f.s.Privacy().Erase(ctx, datamap.EraseRequest{Scope: datamap.ScopeAccount,
				Subject: datamap.Subject{AccountID: alice}, Mode: datamap.ModeScrub, Tombstone: ids.New("tmb")})
			return err
		})
		noErr(t, err)
		if gone, err := f.keys.Destroyed(ctx, alone.ID); err != nil || !gone {
			t.Errorf("the emptied group's key survives the erasure: %v %v", gone, err)
		}
		if gone, _ := f.keys.Destroyed(ctx, shared.ID); gone {
			t.Error("the key of a group someone is still in was destroyed")
		}
		// The group's name is the group's: its creator's erasure keeps it
		// for the members who stay.
		if got := must(f.s.Get(as(bob, ""), shared.ID)); got.Name != "shared" {
			t.Errorf("the remaining member sees the group named %q after its creator's erasure", got.Name)
		}
	})
}
