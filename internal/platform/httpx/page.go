package httpx

import (
	"fmt"
	"net/http"

	"github.com/atrium-hq/atrium/internal/platform/apperr"
)

// MaxLimit is the largest page a list route serves.
const MaxLimit = 200

// Page is the paging of a list request: ?limit= and ?cursor=.
type Page struct {
	// Limit is the page size asked for; 0 when the request names none (the
	// service then applies its default).
	Limit int
	// Cursor is where the page starts: what the previous page's Cursor
	// (cursor.go) wrote, which the service reads with ParseCursor and
	// refuses when it did not hand it out (400 invalid_cursor, or the
	// code the list has always answered).
	Cursor string
}

// PageOf reads ?limit= and ?cursor= the same way on every list route. A
// limit, when given, is written in decimal digits only and lies from 1 to
// MaxLimit; anything else — "0", "-1", "1e3", "+5", "201", a repeated
// limit — is 400 invalid_limit with details {"param":"limit","max":200}.
func PageOf(r *http.Request) (Page, error) {
	q := r.URL.Query()
	p := Page{Cursor: q.Get("cursor")}
	vs, ok := q["limit"]
	if !ok {
		return p, nil
	}
	n, valid := 0, len(vs) == 1 && vs[0] != "" && len(vs[0]) <= 3
	if valid {
		for _, c := range vs[0] {
			if c < '0' || c > '9' {
				valid = false
				break
			}
			n = n*10 + int(c-'0')
		}
	}
	if !valid || n < 1 || n > MaxLimit {
		return Page{}, apperr.Invalid("invalid_limit", fmt.Sprintf("limit must be a whole number from 1 to %d", MaxLimit)).
			With("param", "limit").With("max", MaxLimit)
	}
	p.Limit = n
	return p, nil
}
