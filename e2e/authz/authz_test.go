// Package authz_test is Atrium's authorization matrix: every route of the
// route table (internal/server/routes.go) is tried as every kind of caller —
// owner, admin, custom role with and without the route's permission,
// participating and non-participating member, external contact, deactivated
// and removed member, member of another organization, anonymous — on an
// object of the caller's organization, of another organization, and one that
// does not exist. Another organization's object and a missing one must answer
// the same 404, byte for byte apart from the request id.
//
// The matrix is generated from the route table: a route without an entry in
// matrix (matrix_test.go) fails TestMatrixCoversEveryRoute, naming it. Adding
// a route means adding one entry.
package authz_test

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/atrium-hq/atrium/internal/directory"
	"github.com/atrium-hq/atrium/internal/platform/db/dbtest"
	"github.com/atrium-hq/atrium/internal/server"
	"github.com/atrium-hq/atrium/internal/server/servertest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// TestMatrixCoversEveryRoute fails for every route of the table that has no
// matrix entry, and for entries of routes that no longer exist.
func TestMatrixCoversEveryRoute(t *testing.T) {
	routes := (&server.Server{}).Routes()
	seen := map[string]bool{}
	var missing []string
	for _, rt := range routes {
		seen[rt.Pattern] = true
		e, ok := matrix[rt.Pattern]
		if !ok {
			missing = append(missing, rt.Pattern)
			continue
		}
		if n := len(params(rt.Pattern)); n != len(e.obj) {
			t.Errorf("matrix entry %q names %d object kinds for %d path parameters", rt.Pattern, len(e.obj), n)
		}
		if rt.Auth == server.Public && e.ok != anyStatus {
			t.Errorf("matrix entry %q: a public route answers everyone alike (ok: anyStatus)", rt.Pattern)
		}
	}
	sort.Strings(missing)
	for _, p := range missing {
		t.Errorf("route %q has no entry in the authorization matrix (e2e/authz/matrix_test.go): add one", p)
	}
	for p := range matrix {
		if !seen[p] {
			t.Errorf("matrix entry %q names no route of the table: remove it", p)
		}
	}
}

var ridRe = regexp.MustCompile(`"request_id":"[^"]*"`)

func stripRID(b []byte) []byte { return ridRe.ReplaceAll(b, []byte(`"request_id":""`)) }

// nonexistent returns an id shaped like id (same prefix and length) that
// names nothing.
func nonexistent(id string) string {
	prefix := ""
	if i := strings.IndexByte(id, '_'); i >= 0 {
		prefix = id[:i+1]
	}
	n := len(id) - len(prefix)
	if n < 8 {
		n = 16
	}
	b := make([]byte, n)
	rand.Read(b)
	return prefix + hex.EncodeToString(b)[:n]
}

// permitted reports whether actor passes rt's checks on its own object.
func permitted(w *world, rt server.Route, e entry, actor string) bool {
	if rt.Auth == server.Public {
		return true
	}
	if actor == Anonymous || w.ended[actor] {
		return false
	}
	if _, ok := e.custom[actor]; ok {
		return false
	}
	if rt.Auth == server.Account {
		return true
	}
	switch actor {
	case External, Deactivated, Removed:
		return false
	}
	if e.owner {
		return actor == Owner || actor == OtherOrg
	}
	if e.perm != "" {
		return actor == Owner || actor == Admin || actor == CustomWith || actor == OtherOrg
	}
	return true
}

// expect returns the status actor must get on which object ("own",
// "other", "none").
func expect(w *world, rt server.Route, e entry, actor, which string) int {
	switch {
	case rt.Auth == server.Public:
		return e.ok
	case actor == Anonymous || w.ended[actor]:
		return http.StatusUnauthorized
	case rt.Auth == server.Member && (actor == External || actor == Deactivated || actor == Removed):
		return http.StatusForbidden // signed in, but in no organization
	case which != "own":
		return http.StatusNotFound
	}
	if st, ok := e.custom[actor]; ok {
		return st
	}
	if !permitted(w, rt, e, actor) {
		if e.deny != 0 {
			return e.deny
		}
		return http.StatusForbidden
	}
	return e.ok
}

func statusOK(want, got int) bool {
	switch want {
	case any2xx:
		return got/100 == 2
	case passed:
		return got < 500 && got != 401 && got != 403 && got != 404
	case anyStatus:
		return got < 500
	}
	return got == want
}

func statusName(want int) string {
	switch want {
	case any2xx:
		return "2xx"
	case passed:
		return "authorized (not 401/403/404/5xx)"
	case anyStatus:
		return "not 5xx"
	}
	return fmt.Sprint(want)
}

// setPermissions gives the custom roles exactly perm / everything but perm.
func setPermissions(w *world, e entry) {
	var with, without []directory.Permission
	for _, p := range directory.Permissions {
		if e.owner || p != e.perm {
			without = append(without, p)
		}
		if e.owner || p == e.perm {
			with = append(with, p)
		}
	}
	if e.perm == "" && !e.owner {
		with = nil
		without = directory.Permissions
	}
	for name, perms := range map[string][]directory.Permission{CustomWith: with, CustomWithout: without} {
		if perms == nil {
			perms = []directory.Permission{}
		}
		w.must(w.who[Owner].Client, "PUT", "/api/v1/roles/"+w.roles[name], map[string]any{"name": "role " + name, "permissions": perms}, nil)
	}
}

// ids returns the path parameter values for actor's which object.
func (w *world) ids(rt server.Route, e entry, actor, which string, allowed bool) []string {
	var out []string
	for _, kind := range e.obj {
		var own string
		if personalKinds[kind] {
			p := w.who[actor]
			if p.AccountID == "" {
				p = w.who[Owner] // anonymous: somebody's real object
			}
			other := w.ownerB
			if actor == OtherOrg {
				other = w.who[Owner]
			}
			switch {
			case which == "own":
				own = w.personal(kind, p, e.fresh && allowed)
			case kind == "person":
				own = w.personal("stranger", other, false)
			default:
				own = w.personal(kind, other, false)
			}
		} else {
			org := home(actor)
			if which == "other" {
				org = map[string]string{"A": "B", "B": "A"}[org]
			}
			own = w.objects[org][kind]
			if e.fresh && allowed && which == "own" {
				admin := w.who[Owner]
				if org == "B" {
					admin = w.ownerB
				}
				own = w.newObject(kind, admin)
			}
		}
		if which == "none" {
			own = nonexistent(own)
		}
		out = append(out, own)
	}
	return out
}

func fill(pattern string, ids []string) (string, string) {
	method, path, _ := strings.Cut(pattern, " ")
	i := 0
	path = paramRe.ReplaceAllStringFunc(path, func(string) string {
		v := ids[i]
		i++
		return v
	})
	return method, strings.TrimSuffix(path, "{$}")
}

// TestAuthorizationMatrix runs the matrix on both databases.
func TestAuthorizationMatrix(t *testing.T) {
	for _, kind := range dbtest.Kinds {
		t.Run(string(kind), func(t *testing.T) {
			t.Parallel() // the two databases wait on different disks and locks
			runMatrix(t, servertest.Start(t, kind))
		})
	}
}

func runMatrix(t *testing.T, env *servertest.Env) {
	{
		w := newWorld(t, env)
		routes := env.App.Server.Routes()
		var order []server.Route
		for _, rt := range routes {
			if !matrix[rt.Pattern].last {
				order = append(order, rt)
			}
		}
		for _, rt := range routes {
			if matrix[rt.Pattern].last {
				order = append(order, rt)
			}
		}
		cells, fails := 0, 0
		for _, rt := range order {
			start := time.Now()
			e, ok := matrix[rt.Pattern]
			if !ok {
				continue // TestMatrixCoversEveryRoute names it
			}
			if e.perm != "" || e.owner {
				setPermissions(w, e)
			}
			for _, actor := range actors {
				whiches := []string{"own"}
				if len(e.obj) > 0 {
					whiches = append(whiches, "other", "none")
				}
				bodies := map[string][]byte{}
				statuses := map[string]int{}
				for _, which := range whiches {
					allowed := permitted(w, rt, e, actor)
					method, path := fill(rt.Pattern, w.ids(rt, e, actor, which, allowed))
					c := w.who[actor].Client
					if e.session && allowed && actor != Anonymous {
						c = w.login(w.who[actor])
					}
					resp := send(t, w, c, e, actor, method, path)
					cells++
					want := expect(w, rt, e, actor, which)
					bad := !statusOK(want, resp.Status)
					if !bad && e.okCode != "" && allowed && which == "own" && rt.Auth != server.Public {
						bad = resp.ErrorCode() != e.okCode
					}
					if bad {
						fails++
						t.Errorf("%s as %s on %s object: got %d %s, want %s%s", rt.Pattern, actor, which, resp.Status, bytes.TrimSpace(resp.Body), statusName(want), codeHint(e, allowed))
					}
					bodies[which] = stripRID(resp.Body)
					statuses[which] = resp.Status
				}
				if len(e.obj) > 0 && (statuses["other"] != statuses["none"] || !bytes.Equal(bodies["other"], bodies["none"])) {
					fails++
					t.Errorf("%s as %s: another organization's object answers %d %s but a missing one %d %s — they must be identical", rt.Pattern, actor, statuses["other"], bodies["other"], statuses["none"], bodies["none"])
				}
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Logf("%s took %v", rt.Pattern, d.Round(time.Millisecond))
			}
		}
		t.Logf("%d routes, %d cells, %d failures", len(order), cells, fails)
	}
}

func codeHint(e entry, allowed bool) string {
	if e.okCode != "" && allowed {
		return " with code " + e.okCode
	}
	return ""
}

func send(t *testing.T, w *world, c *servertest.Client, e entry, actor, method, path string) *servertest.Response {
	t.Helper()
	if e.raw != nil {
		ct, b := e.raw(w)
		req, err := http.NewRequest(method, c.Env.URL+path, bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", ct)
		return c.Request(t, req)
	}
	var b any
	if e.body != nil {
		b = e.body(w, actor)
	} else if slices.Contains([]string{"POST", "PUT", "PATCH"}, method) {
		b = nil
	}
	return c.Do(t, method, path, b, nil)
}
