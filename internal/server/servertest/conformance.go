package servertest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"path"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/atrium-hq/atrium/internal/server"
)

// Every response a Client receives is held against the OpenAPI document:
// a test fails when a route answered a status the document does not
// declare for it, or was sent a query parameter it does not declare. So
// every black-box test of the API (the authorization matrix first of all)
// keeps the document true; a route's statuses and query parameters are
// declared on its line of internal/server/routes.go.

// contract is what the OpenAPI document declares, by route pattern.
type contract struct {
	mux      *http.ServeMux
	statuses map[string]map[int]bool    // pattern → declared statuses
	query    map[string]map[string]bool // pattern → declared query parameters
}

var (
	contractOnce sync.Once
	theContract  *contract
)

// documentContract reads the statuses and query parameters of every route
// from the OpenAPI document the server serves.
func documentContract() *contract {
	contractOnce.Do(func() {
		s := &server.Server{}
		var doc struct {
			Paths map[string]map[string]struct {
				Parameters []struct{ Name, In string }
				Responses  map[string]json.RawMessage
			}
		}
		b, _ := json.Marshal(s.OpenAPI())
		if err := json.Unmarshal(b, &doc); err != nil {
			panic(err)
		}
		theContract = newContract(s.Routes(), func(method, p string) (statuses []int, query []string) {
			op := doc.Paths[p][strings.ToLower(method)]
			for k := range op.Responses {
				if n, err := strconv.Atoi(k); err == nil {
					statuses = append(statuses, n)
				}
			}
			for _, prm := range op.Parameters {
				if prm.In == "query" {
					query = append(query, prm.Name)
				}
			}
			return statuses, query
		})
	})
	return theContract
}

// newContract builds a contract for routes, asking declared what each
// route's method and path are documented to answer and read.
func newContract(routes []server.Route, declared func(method, path string) ([]int, []string)) *contract {
	c := &contract{mux: http.NewServeMux(), statuses: map[string]map[int]bool{}, query: map[string]map[string]bool{}}
	for _, rt := range routes {
		method, p, _ := strings.Cut(rt.Pattern, " ")
		c.mux.Handle(rt.Pattern, http.NotFoundHandler())
		st, q := declared(method, p)
		c.statuses[rt.Pattern] = map[int]bool{}
		for _, n := range st {
			c.statuses[rt.Pattern][n] = true
		}
		c.query[rt.Pattern] = map[string]bool{}
		for _, n := range q {
			c.query[rt.Pattern][n] = true
		}
	}
	return c
}

// observations collects what an Env's clients saw that the document does
// not declare.
type observations struct {
	mu   sync.Mutex
	bad  map[string]int // finding → times seen
	kont *contract
}

// observe checks one finished exchange against the contract.
func (o *observations) observe(req *http.Request, status int, body []byte) {
	if o == nil || o.kont == nil {
		return
	}
	p := req.URL.Path
	if p == "" || path.Clean(p) != p {
		return // the mux redirects or refuses such paths before any route
	}
	_, pattern := o.kont.mux.Handler(req)
	declared, ok := o.kont.statuses[pattern]
	if !ok {
		return // not a route of the API (the web app, 404 no_route, 405)
	}
	var findings []string
	if !declared[status] {
		code := ""
		if status >= 400 {
			var e struct {
				Error struct {
					Code string `json:"code"`
				} `json:"error"`
			}
			_ = json.Unmarshal(body, &e)
			code = " " + e.Error.Code
		}
		findings = append(findings, fmt.Sprintf("%s answered %d%s, which the OpenAPI document does not declare", pattern, status, code))
	}
	for name := range req.URL.Query() {
		if !o.kont.query[pattern][name] {
			findings = append(findings, fmt.Sprintf("%s was sent the query parameter %q, which the OpenAPI document does not declare", pattern, name))
		}
	}
	if len(findings) == 0 {
		return
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.bad == nil {
		o.bad = map[string]int{}
	}
	for _, f := range findings {
		o.bad[f]++
	}
}

// report returns the findings, sorted.
func (o *observations) report() []string {
	o.mu.Lock()
	defer o.mu.Unlock()
	var out []string
	for f, n := range o.bad {
		out = append(out, fmt.Sprintf("%s (%d×)", f, n))
	}
	sort.Strings(out)
	return out
}
