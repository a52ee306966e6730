package server_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"net/http"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/server"
	"github.com/atrium-hq/atrium/internal/server/servertest"
)

var update = flag.Bool("update", false, "rewrite golden files")

// TestOpenAPIGolden keeps docs/openapi.json — what app developers and the
// web app's generated types build against — equal to the route table.
func TestOpenAPIGolden(t *testing.T) {
	s := &server.Server{}
	got := s.OpenAPIJSON()
	const golden = "../../docs/openapi.json"
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run: go test ./internal/server -run TestOpenAPIGolden -update)", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("docs/openapi.json is out of date with the route table; run: go test ./internal/server -run TestOpenAPIGolden -update")
	}
}

// TestOpenAPICoversRoutes checks every route appears with its method, its
// path parameters and an error response.
func TestOpenAPICoversRoutes(t *testing.T) {
	s := &server.Server{}
	var doc struct {
		Paths map[string]map[string]struct {
			Parameters []struct{ Name, In string }
			Responses  map[string]any
		}
	}
	if err := json.Unmarshal(s.OpenAPIJSON(), &doc); err != nil {
		t.Fatal(err)
	}
	param := regexp.MustCompile(`\{([a-zA-Z_0-9]+)`)
	for _, rt := range s.Routes() {
		method, path, _ := strings.Cut(rt.Pattern, " ")
		op, ok := doc.Paths[path][strings.ToLower(method)]
		if !ok {
			t.Errorf("%s missing from the document", rt.Pattern)
			continue
		}
		if _, ok := op.Responses["default"]; !ok {
			t.Errorf("%s has no error response", rt.Pattern)
		}
		want := param.FindAllStringSubmatch(path, -1)
		inPath, inQuery := 0, 0
		for _, p := range op.Parameters {
			switch p.In {
			case "path":
				inPath++
			case "query":
				inQuery++
			}
		}
		if inPath != len(want) || inQuery != len(rt.QueryParams()) {
			t.Errorf("%s: %d path and %d query parameters documented, want %d and %d", rt.Pattern, inPath, inQuery, len(want), len(rt.QueryParams()))
		}
		if _, ok := op.Responses[strconv.Itoa(rt.SuccessStatus())]; !ok {
			t.Errorf("%s: its success status %d is not documented", rt.Pattern, rt.SuccessStatus())
		}
		for _, a := range rt.Answers {
			st, text, _ := strings.Cut(a, " ")
			n, err := strconv.Atoi(st)
			if err != nil || n < 100 || n > 599 || text == "" || strings.Contains(text, ",") || (n >= 400 && strings.Contains(text, " ")) {
				t.Errorf("%s: answer %q is not \"STATUS what\" (an error: \"STATUS one_code\")", rt.Pattern, a)
			}
			if n == rt.SuccessStatus() {
				t.Errorf("%s: answer %q repeats the success status", rt.Pattern, a)
			}
		}
		for _, q := range rt.Query {
			if _, typ, ok := strings.Cut(q, ":"); ok && typ != "integer" && typ != "boolean" {
				t.Errorf("%s: query parameter %q: the type is integer or boolean (string when left out)", rt.Pattern, q)
			}
		}
		if rt.Summary == "" {
			t.Errorf("%s has no summary", rt.Pattern)
		}
	}
}

func TestOpenAPIServed(t *testing.T) {
	env := servertest.Start(t, db.SQLite)
	r := env.Client().Do(t, "GET", "/api/v1/openapi.json", nil, nil).Want(t, http.StatusOK)
	s := &server.Server{}
	if !bytes.Equal(r.Body, s.OpenAPIJSON()) {
		t.Fatal("served document differs from the generated one")
	}
}
