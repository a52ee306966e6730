package drive_test

import (
	"context"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/atrium-hq/atrium/internal/drive"
	"github.com/atrium-hq/atrium/internal/server/servertest"
)

// Ten wrong passwords within 15 minutes lock a link's password for the
// rest of the window (429 too_many_attempts with Retry-After), the right
// password included; other links are not affected; the window passes.
func TestLinkPasswordRateLimit(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		w := newWorld(t, env)
		ann := w.member(t, "Ann")
		w.owner.Do(t, "PATCH", "/api/v1/drive/settings", map[string]any{"link_sharing": "public"}, nil).Want(t, http.StatusOK)
		sp := mySpace(t, ann)
		f := file(t, ann, sp.RootID, "secret.txt", []byte("secret"))
		g := file(t, ann, sp.RootID, "other.txt", []byte("other"))
		var l, m drive.Link
		ann.Do(t, "POST", "/api/v1/drive/items/"+f.ID+"/links", map[string]any{"permission": "view", "password": "open sesame"}, &l).Want(t, http.StatusCreated)
		ann.Do(t, "POST", "/api/v1/drive/items/"+g.ID+"/links", map[string]any{"permission": "view", "password": "open sesame"}, &m).Want(t, http.StatusCreated)
		anon := &person{Client: env.Client()}
		base := "/api/v1/drive/public/" + l.Token
		for i := 0; i < drive.LinkPasswordTries; i++ {
			linkGet(t, anon, base, "wrong password").WantError(t, http.StatusForbidden, "link_password_invalid")
			w.clock.add(time.Minute)
		}
		r := linkGet(t, anon, base, "open sesame").WantError(t, http.StatusTooManyRequests, "too_many_attempts")
		// The first wrong try leaves the window 15 minutes after it: in 5.
		if ra, _ := strconv.Atoi(r.Header.Get("Retry-After")); ra < 299 || ra > 300 {
			t.Fatalf("Retry-After %q, want 300", r.Header.Get("Retry-After"))
		}
		linkGet(t, anon, base, "wrong password").WantError(t, http.StatusTooManyRequests, "too_many_attempts")
		linkGet(t, anon, "/api/v1/drive/public/"+m.Token, "open sesame").Want(t, http.StatusOK)
		var log drive.AccessList
		ann.Do(t, "GET", "/api/v1/drive/links/"+l.ID+"/access", nil, &log).Want(t, http.StatusOK)
		throttled := 0
		for _, a := range log.Items {
			if a.Outcome == drive.OutcomeThrottled {
				throttled++
			}
		}
		if throttled != 2 {
			t.Fatalf("throttled entries in the access log: %d, want 2", throttled)
		}
		w.clock.add(5 * time.Minute)
		linkGet(t, anon, base, "open sesame").Want(t, http.StatusOK)
	})
}

// The access log of a link is capped at its newest entries.
func TestLinkAccessCap(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		w := newWorld(t, env)
		ann := w.member(t, "Ann")
		w.owner.Do(t, "PATCH", "/api/v1/drive/settings", map[string]any{"link_sharing": "public"}, nil).Want(t, http.StatusOK)
		f := file(t, ann, mySpace(t, ann).RootID, "a.txt", []byte("a"))
		var l drive.Link
		ann.Do(t, "POST", "/api/v1/drive/items/"+f.ID+"/links", map[string]any{"permission": "view"}, &l).Want(t, http.StatusCreated)
		anon := &person{Client: env.Client()}
		for i := 0; i < 5; i++ {
			linkGet(t, anon, "/api/v1/drive/public/"+l.Token, "").Want(t, http.StatusOK)
			w.clock.add(time.Second)
		}
		svc := env.App.Drive()
		svc.LinkAccessKeep = 3
		n, err := svc.TrimLinkAccess(context.Background())
		if err != nil || n != 2 {
			t.Fatalf("trim: %d %v", n, err)
		}
		var log drive.AccessList
		ann.Do(t, "GET", "/api/v1/drive/links/"+l.ID+"/access", nil, &log).Want(t, http.StatusOK)
		if len(log.Items) != 3 {
			t.Fatalf("%d entries left, want 3", len(log.Items))
		}
	})
}
