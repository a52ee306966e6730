package push_test

import (
	"context"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/atrium-hq/atrium/internal/chat"
	"github.com/atrium-hq/atrium/internal/identity"
	"github.com/atrium-hq/atrium/internal/push"
	"github.com/atrium-hq/atrium/internal/server/servertest"
)

// TestHTTPNotifySettings: a status and Do Not Disturb that end by
// themselves (a fake clock moves past their end), quiet hours in the
// person's time zone, and keywords that notify like a mention. While Do Not
// Disturb or quiet hours hold, the sender pushes nothing; the bell still
// collects.
func TestHTTPNotifySettings(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		p := setup(t, env)
		ps := newPushService(t)
		svc := env.App.Push()
		ps.guard(svc)
		// The test drives the sender itself, so that the clock it reads is
		// the one the test set.
		svc.Close()
		clock := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
		svc.Now = func() time.Time { return clock }
		t.Cleanup(func() { svc.Now = time.Now })
		ctx := context.Background()
		dispatch := func() int {
			t.Helper()
			n, err := svc.Dispatch(ctx)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}

		d := newDevice(t)
		p.ann.Do(t, "POST", "/api/v1/me/push-subscriptions", map[string]any{"endpoint": ps.srv.URL + "/send/ann", "keys": d.keys()}, nil).Want(t, http.StatusCreated)
		var direct chat.Conversation
		p.owner.Do(t, "POST", "/api/v1/conversations", map[string]any{"kind": "direct", "member_ids": []string{p.annAcc}}, &direct).Want(t, http.StatusCreated)
		dispatch()

		var st push.NotifySettings
		p.ann.Do(t, "GET", "/api/v1/me/notify-settings", nil, &st).Want(t, http.StatusOK)
		if st.Status != nil || st.DNDUntil != 0 || st.Quiet || len(st.Keywords) != 0 || st.TimeZone != "UTC" {
			t.Fatalf("defaults %+v", st)
		}
		hour := clock.Add(time.Hour).UnixMilli()
		for _, bad := range []map[string]any{
			{"dnd_until": clock.Add(-time.Minute).UnixMilli()},
			{"dnd_until": clock.Add(400 * 24 * time.Hour).UnixMilli()},
			{"time_zone": "Mars/Olympus"},
			{"quiet_start": "22:00"},
			{"quiet_start": "25:00", "quiet_end": "07:00"},
			{"quiet_start": "07:00", "quiet_end": "07:00"},
			{"status": map[string]any{"emoji": "🌴", "text": string(make([]rune, 101))}},
			{"status": map[string]any{"text": "gone", "until": clock.Add(-time.Hour).UnixMilli()}},
			{"keywords": []string{"a very long keyword that nobody would ever type in"}},
		} {
			p.ann.Do(t, "PATCH", "/api/v1/me/notify-settings", bad, nil).WantError(t, http.StatusBadRequest, "invalid_field")
		}
		p.ann.Do(t, "PATCH", "/api/v1/me/notify-settings", map[string]any{"dnd_until": "soon"}, nil).WantError(t, http.StatusBadRequest, "wrong_type")

		// A status and Do Not Disturb for an hour.
		p.ann.Do(t, "PATCH", "/api/v1/me/notify-settings", map[string]any{
			"status": map[string]any{"emoji": "🌴", "text": "On  leave", "until": hour}, "dnd_until": hour}, &st).Want(t, http.StatusOK)
		if st.Status == nil || st.Status.Text != "On leave" || st.Status.Emoji != "🌴" || !st.Status.DND || st.DNDUntil != hour || !st.Quiet {
			t.Fatalf("after PATCH %+v", st)
		}
		annStatus := func() *chat.PersonStatus {
			var ms chat.MemberList
			p.owner.Do(t, "GET", "/api/v1/conversations/"+direct.ID+"/members", nil, &ms).Want(t, http.StatusOK)
			for _, m := range ms.Items {
				if m.AccountID == p.annAcc {
					return m.Status
				}
			}
			t.Fatal("ann not a member")
			return nil
		}
		if s := annStatus(); s == nil || s.Text != "On leave" || !s.DND {
			t.Fatalf("status others see %+v", s)
		}
		// Colleagues see it on the profile; a stranger gets 404.
		var ps2 push.PersonStatusResult
		p.owner.Do(t, "GET", "/api/v1/people/"+p.annAcc+"/status", nil, &ps2).Want(t, http.StatusOK)
		if ps2.Status == nil || ps2.Status.Emoji != "🌴" || !ps2.Status.DND {
			t.Fatalf("profile status %+v", ps2.Status)
		}
		if _, err := env.App.Identity().CreateAccount(ctx, identity.NewAccount{Email: "stranger@else.test", Password: pw, Name: "Sam"}); err != nil {
			t.Fatal(err)
		}
		stranger := env.Client()
		stranger.Do(t, "POST", "/api/v1/auth/login", map[string]any{"email": "stranger@else.test", "password": pw}, nil).Want(t, http.StatusOK)
		stranger.Do(t, "GET", "/api/v1/people/"+p.annAcc+"/status", nil, nil).WantError(t, http.StatusNotFound, "not_found")
		bell := func(msgID string) bool {
			var page chat.NotificationPage
			p.ann.Do(t, "GET", "/api/v1/notifications?unread=true", nil, &page).Want(t, http.StatusOK)
			return slices.ContainsFunc(page.Items, func(n chat.Notification) bool { return n.MessageID == msgID })
		}
		m := send(t, p.owner, direct.ID, "during DND")
		if n := dispatch(); n != 0 {
			t.Fatalf("%d pushes during Do Not Disturb", n)
		}
		if !bell(m.ID) {
			t.Fatal("the bell did not collect during Do Not Disturb")
		}

		// Two hours later both ended by themselves.
		clock = clock.Add(2 * time.Hour)
		p.ann.Do(t, "GET", "/api/v1/me/notify-settings", nil, &st).Want(t, http.StatusOK)
		if st.Status != nil || st.DNDUntil != 0 || st.Quiet {
			t.Fatalf("after the end %+v", st)
		}
		if s := annStatus(); s != nil {
			t.Fatalf("an ended status still shown: %+v", s)
		}
		send(t, p.owner, direct.ID, "after DND")
		if n := dispatch(); n != 1 {
			t.Fatalf("%d pushes after Do Not Disturb ended", n)
		}
		ps.next(t)

		// Quiet hours 22:00-07:00 in Shanghai (UTC+8): 23:00 there is quiet.
		p.ann.Do(t, "PATCH", "/api/v1/me/notify-settings", map[string]any{"time_zone": "Asia/Shanghai", "quiet_start": "22:00", "quiet_end": "07:00"}, &st).
			Want(t, http.StatusOK)
		clock = time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC) // 23:00 in Shanghai
		send(t, p.owner, direct.ID, "late")
		if n := dispatch(); n != 0 {
			t.Fatalf("%d pushes in quiet hours", n)
		}
		clock = time.Date(2026, 3, 3, 0, 0, 0, 0, time.UTC) // 08:00 in Shanghai
		send(t, p.owner, direct.ID, "morning")
		if n := dispatch(); n != 1 {
			t.Fatalf("%d pushes after quiet hours", n)
		}
		ps.next(t)
		p.ann.Do(t, "PATCH", "/api/v1/me/notify-settings", map[string]any{"quiet_start": "", "quiet_end": ""}, &st).Want(t, http.StatusOK)
		if st.QuietStart != "" || st.TimeZone != "Asia/Shanghai" {
			t.Fatalf("quiet hours removed %+v", st)
		}

		// Keywords notify like a mention, without naming Ann in the message.
		var group chat.Conversation
		p.owner.Do(t, "POST", "/api/v1/conversations", map[string]any{"kind": "internal", "name": "Ops", "member_ids": []string{p.annAcc}}, &group).Want(t, http.StatusCreated)
		p.ann.Do(t, "PATCH", "/api/v1/me/notify-settings", map[string]any{"keywords": []string{"Launch", "launch", " 发布 "}}, &st).Want(t, http.StatusOK)
		if !slices.Equal(st.Keywords, []string{"Launch", "发布"}) {
			t.Fatalf("keywords %q", st.Keywords)
		}
		plain := send(t, p.owner, group.ID, "nothing for anyone")
		hit := send(t, p.owner, group.ID, "the LAUNCH moves to Friday")
		zh := send(t, p.owner, group.ID, "周五发布")
		if bell(plain.ID) || !bell(hit.ID) || !bell(zh.ID) {
			t.Fatalf("keyword notifications: plain %v hit %v zh %v", bell(plain.ID), bell(hit.ID), bell(zh.ID))
		}
		if len(hit.Mentions) != 0 {
			t.Fatalf("the message names who has the keyword: %+v", hit.Mentions)
		}
		if n := dispatch(); n != 2 {
			t.Fatalf("%d pushes for two keyword messages", n)
		}
	})
}
