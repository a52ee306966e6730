package push_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/atrium-hq/atrium/internal/platform/actor"
	"github.com/atrium-hq/atrium/internal/platform/datamap"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/db/dbtest"
	"github.com/atrium-hq/atrium/internal/platform/keyring"
	"github.com/atrium-hq/atrium/internal/push"
)

type sections []datamap.Section

func (s *sections) AddSection(x datamap.Section) { *s = append(*s, x) }
func (s *sections) AddFile(datamap.File)         {}

// TestPrivacyExportAndErase: a person's devices are in their export —
// name, push service, dates — never the endpoint or the keys; erasing the
// account deletes them and nobody else's.
func TestPrivacyExportAndErase(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		master := make([]byte, 32)
		_, _ = rand.Read(master)
		kr, err := keyring.New(d, master)
		if err != nil {
			t.Fatal(err)
		}
		svc := push.New(d, kr, slog.New(slog.NewTextHandler(io.Discard, nil)))
		if err := svc.LoadKey(ctx); err != nil {
			t.Fatal(err)
		}
		subscribe := func(acc, endpoint string) push.SubscriptionKeys {
			t.Helper()
			dev := newDevice(t)
			k := push.SubscriptionKeys{P256dh: dev.keys()["p256dh"].(string), Auth: dev.keys()["auth"].(string)}
			if _, _, err := svc.Subscribe(actor.With(ctx, &actor.Actor{AccountID: acc}), push.SubscribeInput{Endpoint: endpoint, Keys: k, DeviceName: "Firefox on Linux"}); err != nil {
				t.Fatal(err)
			}
			return k
		}
		k := subscribe("acc_ann", "https://updates.push.services.mozilla.com/wpush/v2/secret-token")
		subscribe("acc_bob", "https://fcm.googleapis.com/fcm/send/bob")
		p := svc.Privacy()
		var out sections
		if err := p.Export(ctx, datamap.ExportRequest{Subject: datamap.Subject{AccountID: "acc_ann"}}, &out); err != nil {
			t.Fatal(err)
		}
		var rows []datamap.Row
		for _, s := range out {
			if s.Table == "push_subscriptions" {
				rows = append(rows, s.Rows...)
			}
		}
		if len(rows) != 1 || rows[0]["device_name"] != "Firefox on Linux" || rows[0]["endpoint_host"] != "updates.push.services.mozilla.com" {
			t.Fatalf("exported %+v", rows)
		}
		for col, v := range rows[0] {
			s, _ := v.(string)
			if strings.Contains(s, "secret-token") || strings.Contains(s, k.Auth) || strings.Contains(s, k.P256dh) {
				t.Fatalf("the export carries the endpoint or keys in %s: %v", col, v)
			}
			if _, raw := v.([]byte); raw {
				t.Fatalf("the export carries bytes in %s", col)
			}
		}
		if _, err := p.Erase(ctx, datamap.EraseRequest{Scope: datamap.ScopeAccount, Subject: datamap.Subject{AccountID: "acc_ann"}, Mode: datamap.ModeScrub}); err != nil {
			t.Fatal(err)
		}
		for acc, want := range map[string]int{"acc_ann": 0, "acc_bob": 1} {
			l, err := svc.Subscriptions(actor.With(ctx, &actor.Actor{AccountID: acc}))
			if err != nil || len(l.Items) != want {
				t.Fatalf("%s after erasure: %+v %v", acc, l, err)
			}
		}
	})
}

// TestPrivacyNotifySettings: a person's status (its text opened) and
// keywords are in their export; erasing the account deletes their row, and
// nobody else's.
func TestPrivacyNotifySettings(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		master := make([]byte, 32)
		_, _ = rand.Read(master)
		kr, err := keyring.New(d, master)
		if err != nil {
			t.Fatal(err)
		}
		svc := push.New(d, kr, slog.New(slog.NewTextHandler(io.Discard, nil)))
		kw := []string{"orchid"}
		for _, acc := range []string{"acc_ann", "acc_bob"} {
			if _, err := svc.UpdateMyNotifySettings(actor.With(ctx, &actor.Actor{AccountID: acc}), push.NotifySettingsPatch{
				Status: &push.StatusInput{Emoji: "🌴", Text: "Away at the coast"}, Keywords: &kw}); err != nil {
				t.Fatal(err)
			}
		}
		p := svc.Privacy()
		var out sections
		if err := p.Export(ctx, datamap.ExportRequest{Subject: datamap.Subject{AccountID: "acc_ann"}}, &out); err != nil {
			t.Fatal(err)
		}
		var rows []datamap.Row
		for _, s := range out {
			if s.Table == "notify_settings" {
				rows = append(rows, s.Rows...)
			}
		}
		if len(rows) != 1 || rows[0]["status_emoji"] != "🌴" || !strings.Contains(fmt.Sprint(rows[0]["status_text"]), "Away at the coast") ||
			!strings.Contains(fmt.Sprint(rows[0]["keywords"]), "orchid") {
			t.Fatalf("exported %+v", rows)
		}
		if _, err := p.Erase(ctx, datamap.EraseRequest{Scope: datamap.ScopeAccount, Subject: datamap.Subject{AccountID: "acc_ann"}, Mode: datamap.ModeScrub}); err != nil {
			t.Fatal(err)
		}
		if got := svc.KeywordMatches(ctx, []string{"acc_ann", "acc_bob"}, "an orchid"); len(got) != 1 || got[0] != "acc_bob" {
			t.Fatalf("keywords after erasure: %v", got)
		}
		if st := svc.Statuses(ctx, []string{"acc_ann", "acc_bob"}); len(st) != 1 || st["acc_bob"].Text != "Away at the coast" {
			t.Fatalf("statuses after erasure: %+v", st)
		}
	})
}
