package server

import (
	"encoding/json"
	"net/http"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/atrium-hq/atrium/internal/platform/httpx"
)

// The OpenAPI document is generated from the route table and the Go types
// of each route's request and response, so it cannot drift from the code:
// a route that exists is documented, with the exact JSON its handler
// decodes and encodes. docs/openapi.json is a golden copy kept current by
// TestOpenAPIGolden (run with -update to rewrite it after changing routes).

var pathParam = regexp.MustCompile(`\{([a-zA-Z_][a-zA-Z0-9_]*)\.{0,3}\}`)

// OpenAPI returns the OpenAPI 3.1 document of the API.
func (s *Server) OpenAPI() map[string]any {
	g := &schemaGen{defs: map[string]any{}}
	paths := map[string]map[string]any{}
	for _, rt := range s.Routes() {
		method, path, ok := strings.Cut(rt.Pattern, " ")
		if !ok {
			continue
		}
		op := map[string]any{
			"summary":     rt.Summary,
			"operationId": operationID(method, path),
			"tags":        []string{tagOf(path)},
		}
		var params []any
		for _, m := range pathParam.FindAllStringSubmatch(path, -1) {
			params = append(params, map[string]any{"name": m[1], "in": "path", "required": true, "schema": map[string]any{"type": "string"}})
		}
		for _, q := range rt.QueryParams() {
			name, typ, ok := strings.Cut(q, ":")
			if !ok {
				typ = "string"
			}
			params = append(params, map[string]any{"name": name, "in": "query", "required": false, "schema": map[string]any{"type": typ}})
		}
		if len(params) > 0 {
			op["parameters"] = params
		}
		if rt.Request != nil {
			op["requestBody"] = map[string]any{
				"required": true,
				"content":  map[string]any{"application/json": map[string]any{"schema": g.schema(reflect.TypeOf(rt.Request))}},
			}
		}
		op["responses"] = g.responses(rt)
		switch rt.Auth {
		case Public:
			op["security"] = []any{}
		default:
			sec := []any{map[string]any{"cookie": []string{}}, map[string]any{"bearer": []string{}}}
			if rt.Scope != "" {
				sec = append(sec, map[string]any{"app": []string{rt.Scope}})
			}
			op["security"] = sec
		}
		if paths[path] == nil {
			paths[path] = map[string]any{}
		}
		paths[path][strings.ToLower(method)] = op
	}
	g.defs["Error"] = g.schema(reflect.TypeOf(httpx.ErrorBody{}))
	return map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{
			"title":       "Atrium API",
			"version":     "1",
			"description": "The HTTP API of Atrium. Errors are {\"error\":{\"code\",\"message\",\"details\",\"request_id\"}}. Cookie sessions must send the atrium_csrf cookie's value in the X-CSRF-Token header on unsafe methods.",
		},
		"servers": []any{map[string]any{"url": "/"}},
		"paths":   paths,
		"components": map[string]any{
			"schemas": g.defs,
			"responses": map[string]any{"Error": map[string]any{
				"description": "error",
				"content":     map[string]any{"application/json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/Error"}}},
			}},
			"securitySchemes": map[string]any{
				"cookie": map[string]any{"type": "apiKey", "in": "cookie", "name": SessionCookie},
				"bearer": map[string]any{"type": "http", "scheme": "bearer"},
				"app":    map[string]any{"type": "oauth2", "flows": map[string]any{}},
			},
		},
	}
}

// OpenAPIJSON returns the document as indented JSON with sorted keys.
func (s *Server) OpenAPIJSON() []byte {
	b, _ := json.MarshalIndent(s.OpenAPI(), "", "  ")
	return append(b, '\n')
}

func (s *Server) openapi(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-cache")
	_, err := w.Write(s.OpenAPIJSON())
	return err
}

// Binary is a Route.Response that is not JSON: the media type of the body
// ("text/csv", "application/zip").
type Binary string

// Answer is one status a route gives: a success, or an error with the
// stable codes it may carry.
type Answer struct {
	Status int
	// Text says what a success means, or lists the error codes.
	Text string
}

// AllAnswers returns every status rt declares, in order: its success, the
// further answers of its Answers field, and the errors every route of its
// kind may give (commonAnswers). Entries of the same status are merged.
func (rt Route) AllAnswers() []Answer {
	var out []Answer
	add := func(status int, text string) {
		for i := range out {
			if out[i].Status == status {
				if text != "" && !strings.Contains(", "+out[i].Text+", ", ", "+text+", ") {
					out[i].Text += ", " + text
				}
				return
			}
		}
		out = append(out, Answer{status, text})
	}
	add(rt.SuccessStatus(), "success")
	for _, a := range rt.Answers {
		st, text, _ := strings.Cut(a, " ")
		n, _ := strconv.Atoi(st)
		add(n, text)
	}
	for _, a := range commonAnswers(rt) {
		add(a.Status, a.Text)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Status < out[j].Status })
	return out
}

// SuccessStatus is the status rt answers when it succeeds.
func (rt Route) SuccessStatus() int {
	switch {
	case rt.Status != 0:
		return rt.Status
	case rt.Response != nil:
		return http.StatusOK
	}
	return http.StatusNoContent
}

// commonAnswers are the errors a route gives by its kind, without a line
// of its own: bad JSON or query values, missing or wrong credentials, no
// current organization, an object that does not exist (or that the caller
// may not see), and a server that cannot answer.
func commonAnswers(rt Route) []Answer {
	method, path, _ := strings.Cut(rt.Pattern, " ")
	var out []Answer
	if rt.Request != nil {
		out = append(out, Answer{http.StatusBadRequest, "invalid_json, unknown_field, wrong_type, empty_body, body_too_large, unsupported_media_type, invalid_field"})
	}
	if len(rt.Query) > 0 {
		out = append(out, Answer{http.StatusBadRequest, "invalid_query"})
	}
	if method == http.MethodGet {
		// The server's one paging rule (server.go): every GET refuses a
		// bad ?limit= alike.
		out = append(out, Answer{http.StatusBadRequest, "invalid_limit"})
	}
	if rt.Auth != Public {
		out = append(out, Answer{http.StatusUnauthorized, "unauthenticated"})
		codes := "insufficient_scope, policy_acceptance_required"
		if !safeMethod(method) {
			codes += ", csrf_failed"
		}
		if rt.Auth == Member {
			codes += ", no_organization, forbidden"
		}
		out = append(out, Answer{http.StatusForbidden, codes})
	}
	if pathParam.MatchString(path) {
		out = append(out, Answer{http.StatusNotFound, "not_found"})
	}
	out = append(out, Answer{http.StatusInternalServerError, "internal"}, Answer{http.StatusServiceUnavailable, "database_unavailable, shutting_down"})
	return out
}

// responses is the OpenAPI responses object of rt.
func (g *schemaGen) responses(rt Route) map[string]any {
	out := map[string]any{"default": map[string]any{"$ref": "#/components/responses/Error"}}
	for _, a := range rt.AllAnswers() {
		r := map[string]any{}
		switch {
		case a.Status >= 400:
			r["$ref"] = "#/components/responses/Error"
			r["description"] = "error codes: " + a.Text
		case a.Status == http.StatusNoContent || a.Status == http.StatusNotModified || a.Status == http.StatusSwitchingProtocols:
			r["description"] = a.Text
		default:
			r["description"] = a.Text
			if b, ok := rt.Response.(Binary); ok {
				r["content"] = map[string]any{string(b): map[string]any{"schema": map[string]any{"type": "string", "format": "binary"}}}
			} else if rt.Response != nil {
				r["content"] = map[string]any{"application/json": map[string]any{"schema": g.schema(reflect.TypeOf(rt.Response))}}
			}
		}
		out[strconv.Itoa(a.Status)] = r
	}
	return out
}

func operationID(method, path string) string {
	parts := []string{strings.ToLower(method)}
	for _, seg := range strings.Split(strings.TrimPrefix(path, "/api/v1/"), "/") {
		if seg == "" {
			continue
		}
		if m := pathParam.FindStringSubmatch(seg); m != nil {
			seg = "by_" + m[1]
		}
		parts = append(parts, strings.NewReplacer("-", "_", ".", "_").Replace(seg))
	}
	return strings.Join(parts, "_")
}

func tagOf(path string) string {
	rest := strings.TrimPrefix(path, "/api/v1/")
	seg, _, _ := strings.Cut(rest, "/")
	if seg == "" {
		return "api"
	}
	return seg
}

type schemaGen struct {
	defs map[string]any
}

var (
	timeType = reflect.TypeOf(time.Time{})
	rawType  = reflect.TypeOf(json.RawMessage{})
)

func (g *schemaGen) schema(t reflect.Type) map[string]any {
	nullable := false
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
		nullable = true
	}
	var s map[string]any
	switch {
	case t == timeType:
		s = map[string]any{"type": "string", "format": "date-time"}
	case t == rawType:
		s = map[string]any{}
	case t.Kind() == reflect.Struct && t.Name() != "":
		name := defName(t)
		if _, ok := g.defs[name]; !ok {
			g.defs[name] = map[string]any{} // placeholder breaks recursion
			g.defs[name] = g.object(t)
		}
		s = map[string]any{"$ref": "#/components/schemas/" + name}
	case t.Kind() == reflect.Struct:
		s = g.object(t)
	case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8:
		s = map[string]any{"type": "string", "contentEncoding": "base64"}
	case t.Kind() == reflect.Slice || t.Kind() == reflect.Array:
		s = map[string]any{"type": "array", "items": g.schema(t.Elem())}
	case t.Kind() == reflect.Map:
		s = map[string]any{"type": "object", "additionalProperties": g.schema(t.Elem())}
	case t.Kind() == reflect.String:
		s = map[string]any{"type": "string"}
	case t.Kind() == reflect.Bool:
		s = map[string]any{"type": "boolean"}
	case t.Kind() >= reflect.Int && t.Kind() <= reflect.Uint64:
		s = map[string]any{"type": "integer"}
	case t.Kind() == reflect.Float32 || t.Kind() == reflect.Float64:
		s = map[string]any{"type": "number"}
	default: // interface{} and anything else: any JSON value
		s = map[string]any{}
	}
	if nullable {
		if _, isRef := s["$ref"]; isRef {
			return map[string]any{"oneOf": []any{s, map[string]any{"type": "null"}}}
		}
		if typ, ok := s["type"].(string); ok {
			s["type"] = []any{typ, "null"}
		}
	}
	return s
}

func defName(t reflect.Type) string {
	pkg := t.PkgPath()
	if i := strings.LastIndexByte(pkg, '/'); i >= 0 {
		pkg = pkg[i+1:]
	}
	name := t.Name()
	if i := strings.IndexByte(name, '['); i >= 0 { // generic instantiation
		name = name[:i] + "_" + regexp.MustCompile(`[^A-Za-z0-9]+`).ReplaceAllString(name[i:], "_")
		name = strings.TrimRight(name, "_")
	}
	if pkg == "" || pkg == "server" || pkg == "httpx" {
		return name
	}
	return strings.ToUpper(pkg[:1]) + pkg[1:] + name
}

func (g *schemaGen) object(t reflect.Type) map[string]any {
	props := map[string]any{}
	var required []string
	g.fields(t, props, &required)
	sort.Strings(required)
	s := map[string]any{"type": "object", "properties": props, "additionalProperties": false}
	if len(required) > 0 {
		s["required"] = required
	}
	return s
}

func (g *schemaGen) fields(t reflect.Type, props map[string]any, required *[]string) {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				g.fields(ft, props, required)
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		props[name] = g.schema(f.Type)
		if !strings.Contains(opts, "omitempty") && !strings.Contains(opts, "omitzero") && f.Type.Kind() != reflect.Pointer {
			*required = append(*required, name)
		}
	}
}

// QueryParams is rt's query parameters: its own, and on every GET the
// ?limit= the server's one paging rule reads (server.go).
func (rt Route) QueryParams() []string {
	method, _, _ := strings.Cut(rt.Pattern, " ")
	if method != http.MethodGet {
		return rt.Query
	}
	for _, q := range rt.Query {
		if name, _, _ := strings.Cut(q, ":"); name == "limit" {
			return rt.Query
		}
	}
	return append(append([]string{}, rt.Query...), "limit:integer")
}
