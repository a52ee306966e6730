package stream

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/db"
)

// A send's error answer is classified as REST answers are, and is never an
// empty frame, even when its details cannot be encoded.
func TestSendErrorFrames(t *testing.T) {
	for name, c := range map[string]struct {
		err    error
		status int
		code   string
	}{
		"service error": {apperr.InvalidField("body", "too long"), 400, "invalid_field"},
		"not found":     {db.ErrNotFound, 404, "not_found"},
		"unencodable":   {apperr.Invalid("bad_value", "a value").With("ratio", math.NaN()), 500, "internal"},
	} {
		var got refError
		if err := json.Unmarshal(sendError("r1", c.err), &got); err != nil {
			t.Fatalf("%s: frame does not parse: %v", name, err)
		}
		if got.Type != "error" || got.Ref != "r1" || got.Status != c.status || got.Code != c.code {
			t.Errorf("%s: %+v, want status %d code %s", name, got, c.status, c.code)
		}
	}
}
