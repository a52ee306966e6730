package privacy_test

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"testing"
)

// validate checks v (decoded JSON) against the subset of JSON Schema that
// docs/export-schema.json uses: type, const, enum, required, properties,
// additionalProperties (false) and items. It returns every violation.
func validate(schema map[string]any, v any, path string) []string {
	var errs []string
	fail := func(format string, args ...any) { errs = append(errs, path+": "+fmt.Sprintf(format, args...)) }
	if t, ok := schema["type"].(string); ok {
		if !hasType(v, t) {
			fail("want %s, got %T", t, v)
			return errs
		}
	}
	if c, ok := schema["const"]; ok && fmt.Sprint(c) != fmt.Sprint(v) {
		fail("want %v, got %v", c, v)
	}
	if en, ok := schema["enum"].([]any); ok {
		found := false
		for _, e := range en {
			if fmt.Sprint(e) == fmt.Sprint(v) {
				found = true
			}
		}
		if !found {
			fail("%v is not one of %v", v, en)
		}
	}
	if obj, ok := v.(map[string]any); ok {
		props, _ := schema["properties"].(map[string]any)
		if req, ok := schema["required"].([]any); ok {
			for _, r := range req {
				if _, ok := obj[r.(string)]; !ok {
					fail("missing required %q", r)
				}
			}
		}
		keys := make([]string, 0, len(obj))
		for k := range obj {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			sub, ok := props[k].(map[string]any)
			if !ok {
				if ap, ok := schema["additionalProperties"].(bool); ok && !ap {
					fail("unexpected property %q", k)
				}
				continue
			}
			errs = append(errs, validate(sub, obj[k], path+"."+k)...)
		}
	}
	if arr, ok := v.([]any); ok {
		if it, ok := schema["items"].(map[string]any); ok {
			for i, x := range arr {
				errs = append(errs, validate(it, x, fmt.Sprintf("%s[%d]", path, i))...)
			}
		}
	}
	return errs
}

func hasType(v any, t string) bool {
	switch t {
	case "object":
		_, ok := v.(map[string]any)
		return ok
	case "array":
		_, ok := v.([]any)
		return ok
	case "string":
		_, ok := v.(string)
		return ok
	case "boolean":
		_, ok := v.(bool)
		return ok
	case "integer":
		f, ok := v.(float64)
		return ok && f == float64(int64(f))
	case "number":
		_, ok := v.(float64)
		return ok
	case "null":
		return v == nil
	}
	return false
}

func loadSchema(t *testing.T) map[string]any {
	t.Helper()
	b, err := os.ReadFile("../../docs/export-schema.json")
	if err != nil {
		t.Fatal(err)
	}
	var s map[string]any
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatalf("docs/export-schema.json: %v", err)
	}
	return s
}

// The validator itself must catch what the schema forbids.
func TestSchemaValidatorCatchesViolations(t *testing.T) {
	s := loadSchema(t)
	bad := map[string]any{"format": "other", "generated_at": 1.5, "account_id": "acc", "organizations": []any{},
		"sections": []any{map[string]any{"table": "t", "controller": "nobody", "purpose": "p", "categories": []any{}, "rows": []any{}, "extra": 1}},
		"files":    []any{}}
	errs := validate(s, bad, "$")
	if len(errs) < 4 {
		t.Fatalf("validator missed violations: %v", errs)
	}
}
