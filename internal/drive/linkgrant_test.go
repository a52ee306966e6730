package drive_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/atrium-hq/atrium/internal/drive"
	"github.com/atrium-hq/atrium/internal/server/servertest"
)

// A passworded link's grant: the right password (never a grant) gets an
// HttpOnly, SameSite=Strict cookie scoped to the link; with it, a
// download needs no password and ranges work; it is refused for another
// link, after its time, once the link is revoked or has expired; a wrong
// password gets no grant (403, then 429 as for any use); every use is in
// the link's access log.
func TestLinkGrant(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		w := newWorld(t, env)
		ann := w.member(t, "Ann")
		w.owner.Do(t, "PATCH", "/api/v1/drive/settings", map[string]any{"link_sharing": "public"}, nil).Want(t, http.StatusOK)
		sp := mySpace(t, ann)
		f := file(t, ann, sp.RootID, "secret.txt", []byte("0123456789"))
		g := file(t, ann, sp.RootID, "other.txt", []byte("other"))
		plain := file(t, ann, sp.RootID, "plain.txt", []byte("plain"))
		var la, lb, lp drive.Link
		expires := w.clock.now().Add(2 * time.Hour).UnixMilli()
		ann.Do(t, "POST", "/api/v1/drive/items/"+f.ID+"/links", map[string]any{"permission": "download", "password": "open sesame", "expires_at": expires}, &la).Want(t, http.StatusCreated)
		ann.Do(t, "POST", "/api/v1/drive/items/"+g.ID+"/links", map[string]any{"permission": "download", "password": "open sesame"}, &lb).Want(t, http.StatusCreated)
		ann.Do(t, "POST", "/api/v1/drive/items/"+plain.ID+"/links", map[string]any{"permission": "download"}, &lp).Want(t, http.StatusCreated)
		anon := &person{Client: env.Client()}
		a, b := "/api/v1/drive/public/"+la.Token, "/api/v1/drive/public/"+lb.Token

		// No grant without the right password.
		raw(t, anon, "POST", a+"/grant", nil, nil).WantError(t, http.StatusUnauthorized, "link_password_required")
		raw(t, anon, "POST", a+"/grant", nil, map[string]string{drive.PasswordHeader: "wrong password"}).WantError(t, http.StatusForbidden, "link_password_invalid")
		raw(t, anon, "POST", "/api/v1/drive/public/"+lp.Token+"/grant", nil, nil).WantError(t, http.StatusConflict, "link_without_password")
		linkGet(t, anon, a+"/content", "").WantError(t, http.StatusUnauthorized, "link_password_required")

		r := raw(t, anon, "POST", a+"/grant", nil, map[string]string{drive.PasswordHeader: "open sesame"}).Want(t, http.StatusOK)
		var cookie *http.Cookie
		for _, c := range (&http.Response{Header: r.Header}).Cookies() {
			if c.Name == drive.GrantCookie {
				cookie = c
			}
		}
		if cookie == nil || !cookie.HttpOnly || cookie.SameSite != http.SameSiteStrictMode || cookie.Path != a || cookie.MaxAge <= 0 || cookie.MaxAge > 3600 {
			t.Fatalf("grant cookie: %+v", cookie)
		}
		if gr := decode[drive.LinkGrant](t, r); gr.ExpiresAt <= w.clock.now().UnixMilli() {
			t.Fatalf("grant ends at %d", gr.ExpiresAt)
		}
		// The cookie jar sends it: a plain download, and a range.
		if body := string(linkGet(t, anon, a+"/content", "").Want(t, http.StatusOK).Body); body != "0123456789" {
			t.Fatalf("download with the grant: %q", body)
		}
		if body := string(raw(t, anon, "GET", a+"/content", nil, map[string]string{"Range": "bytes=2-4"}).Want(t, http.StatusPartialContent).Body); body != "234" {
			t.Fatalf("range with the grant: %q", body)
		}
		linkGet(t, anon, a, "").Want(t, http.StatusOK)
		// The grant, sent by hand to another link, is refused there; a
		// made-up one too.
		other := &person{Client: env.Client()}
		grant := map[string]string{"Cookie": drive.GrantCookie + "=" + cookie.Value}
		raw(t, other, "GET", b+"/content", nil, grant).WantError(t, http.StatusUnauthorized, "link_password_required")
		raw(t, other, "GET", a+"/content", nil, map[string]string{"Cookie": drive.GrantCookie + "=made-up"}).WantError(t, http.StatusUnauthorized, "link_password_required")
		raw(t, other, "GET", a+"/content", nil, grant).Want(t, http.StatusOK)
		// A grant asks for the password again: a grant does not renew itself.
		raw(t, other, "POST", a+"/grant", nil, grant).WantError(t, http.StatusUnauthorized, "link_password_required")

		// It ends with its time.
		w.clock.add(drive.LinkGrantTTL + time.Second)
		raw(t, other, "GET", a+"/content", nil, grant).WantError(t, http.StatusUnauthorized, "link_password_required")
		// A fresh one, then the link expires: 410 first.
		r = raw(t, other, "POST", a+"/grant", nil, map[string]string{drive.PasswordHeader: "open sesame"}).Want(t, http.StatusOK)
		fresh := map[string]string{"Cookie": strings.SplitN(r.Header.Get("Set-Cookie"), ";", 2)[0]}
		raw(t, other, "GET", a+"/content", nil, fresh).Want(t, http.StatusOK)
		// A new password (here: the same words under a new salt, as no
		// route changes a password yet) ends the grants made before.
		if _, err := env.App.DB.W(context.Background()).ExecContext(context.Background(),
			`UPDATE drive_links SET password_hash = (SELECT password_hash FROM drive_links WHERE id = $2) WHERE id = $1`, la.ID, lb.ID); err != nil {
			t.Fatal(err)
		}
		raw(t, other, "GET", a+"/content", nil, fresh).WantError(t, http.StatusUnauthorized, "link_password_required")
		r = raw(t, other, "POST", a+"/grant", nil, map[string]string{drive.PasswordHeader: "open sesame"}).Want(t, http.StatusOK)
		fresh = map[string]string{"Cookie": strings.SplitN(r.Header.Get("Set-Cookie"), ";", 2)[0]}
		raw(t, other, "GET", a+"/content", nil, fresh).Want(t, http.StatusOK)
		w.clock.add(2 * time.Hour)
		raw(t, other, "GET", a+"/content", nil, fresh).WantError(t, http.StatusGone, "link_expired")

		// Revoked: 404, grant or not.
		r = raw(t, other, "POST", b+"/grant", nil, map[string]string{drive.PasswordHeader: "open sesame"}).Want(t, http.StatusOK)
		fresh = map[string]string{"Cookie": strings.SplitN(r.Header.Get("Set-Cookie"), ";", 2)[0]}
		raw(t, other, "GET", b+"/content", nil, fresh).Want(t, http.StatusOK)
		ann.Do(t, "DELETE", "/api/v1/drive/links/"+lb.ID, nil, nil).Want(t, http.StatusNoContent)
		raw(t, other, "GET", b+"/content", nil, fresh).WantError(t, http.StatusNotFound, "not_found")
		raw(t, other, "POST", b+"/grant", nil, map[string]string{drive.PasswordHeader: "open sesame"}).WantError(t, http.StatusNotFound, "not_found")

		// Every use is in the owner's log: the grants and the downloads
		// with them.
		var log drive.AccessList
		ann.Do(t, "GET", "/api/v1/drive/links/"+la.ID+"/access", nil, &log).Want(t, http.StatusOK)
		count := map[string]int{}
		for _, e := range log.Items {
			count[e.Action+" "+e.Outcome]++
		}
		if count["grant ok"] != 3 || count["download ok"] != 5 || count["grant wrong_password"] != 1 || count["download password"] < 3 || count["download expired"] != 1 {
			t.Fatalf("access log: %v", count)
		}
	})
}

// Wrong passwords for grants count toward the link's limit: the right
// one is then refused too (429).
func TestLinkGrantRateLimit(t *testing.T) {
	servertest.Each(t, func(t *testing.T, env *servertest.Env) {
		w := newWorld(t, env)
		ann := w.member(t, "Ann")
		w.owner.Do(t, "PATCH", "/api/v1/drive/settings", map[string]any{"link_sharing": "public"}, nil).Want(t, http.StatusOK)
		f := file(t, ann, mySpace(t, ann).RootID, "secret.txt", []byte("secret"))
		var l drive.Link
		ann.Do(t, "POST", "/api/v1/drive/items/"+f.ID+"/links", map[string]any{"permission": "download", "password": "open sesame"}, &l).Want(t, http.StatusCreated)
		anon := &person{Client: env.Client()}
		p := "/api/v1/drive/public/" + l.Token + "/grant"
		for i := 0; i < drive.LinkPasswordTries; i++ {
			raw(t, anon, "POST", p, nil, map[string]string{drive.PasswordHeader: "wrong password"}).WantError(t, http.StatusForbidden, "link_password_invalid")
		}
		raw(t, anon, "POST", p, nil, map[string]string{drive.PasswordHeader: "open sesame"}).WantError(t, http.StatusTooManyRequests, "too_many_attempts")
	})
}
