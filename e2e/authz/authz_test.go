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

	"github.com/atrium-hq/atrium/internal/platform/db/dbtest"
	"github.com/atrium-hq/atrium/internal/platform/perm"
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
		if n := len(params(rt.Pattern)); n > len(e.obj) || (len(e.obj) > n && e.bodyIDs == nil) {
			t.Errorf("matrix entry %q names %d object kinds for %d path parameters (extra kinds go in the body through bodyIDs)", rt.Pattern, len(e.obj), n)
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

// stripIDs removes the request id, and the ids the request itself named
// (an error may echo them), from a response body.
func stripIDs(b []byte, ids []string) []byte {
	b = ridRe.ReplaceAll(b, []byte(`"request_id":""`))
	for _, id := range ids {
		if id != "" {
			b = bytes.ReplaceAll(b, []byte(id), []byte("<id>"))
		}
	}
	return b
}

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

// participants are the actors who take part in their organization's
// conversations (OtherOrg in B's).
var participants = map[string]bool{Owner: true, Admin: true, CustomWith: true, CustomWithout: true, Member: true, OtherOrg: true}

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
	if rt.Auth == server.Member && (actor == External || actor == Deactivated || actor == Removed) {
		return false
	}
	switch e.party {
	case "participant":
		return participants[actor]
	case "owner":
		return actor == Owner || actor == OtherOrg
	}
	if rt.Auth == server.Account {
		return true
	}
	if e.owner {
		return actor == Owner || actor == OtherOrg
	}
	if e.perm != "" {
		return actor == Owner || actor == Admin || actor == CustomWith || actor == OtherOrg
	}
	return true
}

// denyStatus is what a signed-in caller without the route's right gets:
// 403, or 404 where such a caller cannot read objects of the kind either
// (deny: 404) — for every id alike.
func denyStatus(e entry) int {
	if e.deny != 0 {
		return e.deny
	}
	return http.StatusForbidden
}

// readsObject reports whether actor, though not permitted, can read the
// route's object: a participant of a conversation who lacks the group
// role the route needs, or an actor the entry says reads it. Only they may
// learn (403) that the object exists.
func readsObject(w *world, rt server.Route, e entry, actor string) bool {
	if e.reads[actor] {
		return true
	}
	return e.party == "owner" && participants[actor] && !w.ended[actor]
}

// notFoundOrDeny: the caller sees the conversation but lacks the group
// role, and the route names a child of it that is not theirs: the route
// may check the role first (403) or the child first (404) — the same for
// every such child (checked by class below).
const notFoundOrDeny = -3

// expect returns the status actor must get on the variant v's objects.
func expect(w *world, rt server.Route, e entry, actor string, v []string) int {
	own := isOwn(v)
	switch {
	case rt.Auth == server.Public:
		return e.ok
	case actor == Anonymous || w.ended[actor]:
		return http.StatusUnauthorized
	case rt.Auth == server.Member && (actor == External || actor == Deactivated || actor == Removed):
		return http.StatusForbidden // signed in, but in no organization
	case !own:
		if _, custom := e.custom[actor]; !custom && !permitted(w, rt, e, actor) && e.party == "" {
			return denyStatus(e) // the refusal does not depend on the id
		}
		if readsObject(w, rt, e, actor) && len(v) > 1 && v[0] == "own" {
			return notFoundOrDeny
		}
		if e.otherStatus != 0 {
			return e.otherStatus
		}
		return http.StatusNotFound
	}
	if st, ok := e.custom[actor]; ok {
		return st
	}
	if !permitted(w, rt, e, actor) {
		if e.party != "" && !participants[actor] {
			return http.StatusNotFound // not in the conversation: it does not exist for them
		}
		return denyStatus(e)
	}
	return e.ok
}

func statusOK(want, got int) bool {
	switch want {
	case notFoundOrDeny:
		return got == 404 || got == 403
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
	case notFoundOrDeny:
		return "404 or 403"
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
	var with, without []perm.Permission
	for _, p := range perm.All {
		if e.owner || p != e.perm {
			without = append(without, p)
		}
		if e.owner || p == e.perm {
			with = append(with, p)
		}
	}
	if e.perm == "" && !e.owner {
		with = nil
		without = perm.All
	}
	for name, perms := range map[string][]perm.Permission{CustomWith: with, CustomWithout: without} {
		if perms == nil {
			perms = []perm.Permission{}
		}
		w.must(w.who[Owner].Client, "PUT", "/api/v1/roles/"+w.roles[name], map[string]any{"name": "role " + name, "permissions": perms}, nil)
	}
}

// literals are path parameters that name no object.
var literals = map[string]string{"emoji": "👍", "feed_file": "000000000000000000000000000000000000000000000000.ics", "purpose": "contact_matching", "year": "2026", "guardian_token": "000000000000000000000000000000000000000000000000", "drive_version": "1", "drive_token": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}

// variants lists, for an entry, which object each parameter takes: the
// caller's own ("own"), another organization's or person's ("other"), a
// missing one ("none"), or — for a child of a container — the child of
// another container the caller also sees ("alt"). Entries with several
// objects are tried with each one swapped alone.
func variants(e entry) [][]string {
	n := 0
	for _, k := range e.obj {
		if _, lit := literals[k]; !lit {
			n++
		}
	}
	if n == 0 {
		return [][]string{{}}
	}
	all := func(v string) []string {
		out := make([]string, len(e.obj))
		for i := range out {
			out[i] = v
		}
		return out
	}
	vs := [][]string{all("own"), all("other"), all("none")}
	if n > 1 {
		for i, k := range e.obj {
			if _, lit := literals[k]; lit {
				continue
			}
			for _, which := range []string{"other", "none", "alt"} {
				if which == "alt" && i == 0 {
					continue
				}
				v := all("own")
				v[i] = which
				vs = append(vs, v)
			}
		}
	}
	return vs
}

func isOwn(v []string) bool {
	for _, x := range v {
		if x != "own" {
			return false
		}
	}
	return true
}

func variantName(v []string) string {
	if len(v) == 0 {
		return "no object"
	}
	return strings.Join(v, "+") + " object"
}

// objectID returns the id of the kind of object that actor sees as which.
func (w *world) objectID(kind, actor, which string, fresh bool) string {
	if lit, ok := literals[kind]; ok {
		return lit
	}
	if which == "none" {
		own := w.objectID(kind, actor, "own", false)
		if own == "" {
			own = w.objectID(kind, actor, "other", false)
		}
		return nonexistent(own)
	}
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
			return w.personal(kind, p, fresh)
		case kind == "person":
			return w.personal("stranger", other, false)
		default:
			return w.personal(kind, other, false)
		}
	}
	org := home(actor)
	if which == "other" {
		org = map[string]string{"A": "B", "B": "A"}[org]
	}
	if which == "alt" {
		return w.objects[org][kind+"2"]
	}
	if fresh {
		return w.newObject(kind, org)
	}
	return w.objects[org][kind]
}

// ids returns the values of the entry's objects for a variant.
func (w *world) ids(e entry, actor string, variant []string, allowed bool) []string {
	out := make([]string, len(e.obj))
	own := isOwn(variant)
	for i, kind := range e.obj {
		which := "own"
		if i < len(variant) {
			which = variant[i]
		}
		out[i] = w.objectID(kind, actor, which, e.fresh && allowed && own && i == len(e.obj)-1)
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
				allowed := permitted(w, rt, e, actor)
				// A caller who may not act and cannot read the object gets
				// one answer for every id: their real object, another
				// organization's, a missing one — status, code and body.
				oneAnswer := !allowed && !readsObject(w, rt, e, actor)
				// Otherwise, objects the caller may not see answer alike —
				// within each class: container hidden, or container seen
				// but child not.
				base := map[bool][]byte{}
				baseStatus := map[bool]int{}
				baseName := map[bool]string{}
				for _, v := range variants(e) {
					own := isOwn(v)
					ids := w.ids(e, actor, v, allowed)
					if slices.Contains(ids, "") {
						continue // no such object for this actor (e.g. a notice to someone in no organization)
					}
					method, path := fill(rt.Pattern, ids)
					if e.query != "" {
						path += "?" + e.query
					}
					c := w.who[actor].Client
					if e.session && allowed && own && actor != Anonymous {
						c = w.login(w.who[actor])
					}
					if e.standIn && allowed {
						c = w.standIn(actor).Client
					}
					resp := send(t, w, c, e, actor, method, path, ids)
					cells++
					if rt.Pattern == streamSendRoute {
						// The same send over the stream answers alike.
						st, code := streamSend(t, c, ids[0], e.body(w, actor))
						if st != resp.Status || code != resp.ErrorCode() {
							fails++
							t.Errorf("%s over the stream as %s on %s: got %d %q, REST %d %q", rt.Pattern, actor, variantName(v), st, code, resp.Status, resp.ErrorCode())
						}
					}
					want := expect(w, rt, e, actor, v)
					bad := !statusOK(want, resp.Status)
					if !bad && e.okCode != "" && allowed && own && rt.Auth != server.Public {
						bad = resp.ErrorCode() != e.okCode
					}
					if bad {
						fails++
						t.Errorf("%s as %s on %s: got %d %s, want %s%s", rt.Pattern, actor, variantName(v), resp.Status, bytes.TrimSpace(resp.Body), statusName(want), codeHint(e, allowed))
					}
					if own && !oneAnswer {
						continue
					}
					// Every object the caller may not see answers exactly like
					// a missing one.
					b := stripIDs(resp.Body, ids)
					class := len(v) > 1 && v[0] == "own" && !oneAnswer
					if base[class] == nil {
						base[class], baseStatus[class], baseName[class] = b, resp.Status, variantName(v)
					} else if resp.Status != baseStatus[class] || !bytes.Equal(b, base[class]) {
						fails++
						t.Errorf("%s as %s on %s: answers %d %s, but %d %s on %s — a refusal must not depend on the id (real, another organization's, missing)", rt.Pattern, actor, variantName(v), resp.Status, b, baseStatus[class], base[class], baseName[class])
					}
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

func send(t *testing.T, w *world, c *servertest.Client, e entry, actor, method, path string, ids []string) *servertest.Response {
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
	switch {
	case e.bodyIDs != nil:
		b = e.bodyIDs(w, actor, ids)
	case e.body != nil:
		b = e.body(w, actor)
	}
	return c.Do(t, method, path, b, nil)
}
