package servertest

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/atrium-hq/atrium/internal/server"
)

// TestConformanceCatchesUndeclaredAnswers proves the check can fail: a
// status or query parameter the document does not declare is reported, one
// it declares is not, and requests outside the route table are ignored.
func TestConformanceCatchesUndeclaredAnswers(t *testing.T) {
	o := &observations{kont: documentContract()}
	o.observe(httptest.NewRequest("POST", "/api/v1/me/exports", nil), 202, nil)
	o.observe(httptest.NewRequest("POST", "/api/v1/conversations/c1/messages", nil), 200, nil) // a repeated send
	o.observe(httptest.NewRequest("GET", "/api/v1/members?q=ann&limit=5", nil), 200, nil)
	o.observe(httptest.NewRequest("GET", "/api/v1/conversations/c1/messages", nil), 404, []byte(`{"error":{"code":"not_found"}}`))
	o.observe(httptest.NewRequest("GET", "/chat/anything", nil), 200, nil)       // the web app
	o.observe(httptest.NewRequest("GET", "/api/v1//members", nil), 307, nil)     // not a clean path
	o.observe(httptest.NewRequest("PATCH", "/api/v1/health", nil), 405, nil)     // no route for the method
	o.observe(httptest.NewRequest("GET", "/api/v1/nothing-here", nil), 404, nil) // no route at all
	if got := o.report(); len(got) != 0 {
		t.Fatalf("declared answers reported: %q", got)
	}

	o.observe(httptest.NewRequest("POST", "/api/v1/me/exports", nil), 200, nil) // the old, guessed status
	o.observe(httptest.NewRequest("GET", "/api/v1/me", nil), 409, []byte(`{"error":{"code":"made_up"}}`))
	o.observe(httptest.NewRequest("GET", "/api/v1/me/sessions?sort=newest", nil), 200, nil)
	got := strings.Join(o.report(), "\n")
	for _, want := range []string{
		"POST /api/v1/me/exports answered 200,",
		"GET /api/v1/me answered 409 made_up,",
		`GET /api/v1/me/sessions was sent the query parameter "sort"`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("report lacks %q:\n%s", want, got)
		}
	}
}

// TestConformanceFollowsTheDocument builds the contract from a document
// that still guesses 200 for POST /api/v1/me/exports: the real answer, 202,
// is then reported. (This is how the check caught the guessed statuses.)
func TestConformanceFollowsTheDocument(t *testing.T) {
	routes := []server.Route{{Pattern: "POST /api/v1/me/exports"}}
	k := newContract(routes, func(method, path string) ([]int, []string) { return []int{200}, nil })
	o := &observations{kont: k}
	o.observe(httptest.NewRequest("POST", "/api/v1/me/exports", nil), 202, nil)
	if got := o.report(); len(got) != 1 || !strings.Contains(got[0], "answered 202") {
		t.Fatalf("report %q, want the undeclared 202", got)
	}
}
