package httpx

import (
	"encoding/base64"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/atrium-hq/atrium/internal/platform/apperr"
)

// Cursor is a position in a list ordered by a sort key then an id (keyset
// paging): the next page continues strictly after it. Every list hands
// out its next_cursor in the one form String writes, opaque to clients.
type Cursor struct {
	// Key is the last row's sort key ("" when the list is ordered by id
	// alone); IntCursor writes a number in decimal.
	Key string `json:"k"`
	// ID is the last row's id, which breaks ties of Key.
	ID string `json:"id"`
}

// IntCursor is the cursor of a list sorted by a number (a time, a
// sequence), then id.
func IntCursor(key int64, id string) Cursor {
	return Cursor{Key: strconv.FormatInt(key, 10), ID: id}
}

// String encodes c as the next_cursor of a page: URL-safe base64 of
// {"k":…,"id":…}.
func (c Cursor) String() string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Int returns the Key of a cursor made by IntCursor, or false when it is
// not a decimal number.
func (c Cursor) Int() (int64, bool) {
	n, err := strconv.ParseInt(c.Key, 10, 64)
	return n, err == nil && c.Key[0] != '+'
}

// ErrInvalidCursor is the 400 of a cursor the list did not hand out.
var ErrInvalidCursor = apperr.Invalid("invalid_cursor", "the cursor is not one this list handed out").With("param", "cursor")

// ParseCursor reads a cursor that String wrote; "" is the zero Cursor,
// the first page. legacy, when not nil, reads the forms the list handed
// out before this one, which clients may still hold, reporting false for
// text that is none of them. Anything else is ErrInvalidCursor.
func ParseCursor(s string, legacy func(string) (Cursor, bool)) (Cursor, error) {
	var c Cursor
	if s == "" {
		return c, nil
	}
	if b, err := base64.RawURLEncoding.DecodeString(s); err == nil && json.Unmarshal(b, &c) == nil && c.ID != "" {
		return c, nil
	}
	if legacy != nil {
		if c, ok := legacy(s); ok {
			return c, nil
		}
	}
	return Cursor{}, ErrInvalidCursor
}

// ParseIntCursor reads a cursor made by IntCursor, or the "<number>:<id>"
// that lists paged by a time handed out before it, which clients may still
// hold. "" is the first page: (0, "").
func ParseIntCursor(s string) (int64, string, error) {
	c, err := ParseCursor(s, func(v string) (Cursor, bool) {
		key, id, ok := strings.Cut(v, ":")
		return Cursor{Key: key, ID: id}, ok && id != ""
	})
	if err != nil || s == "" {
		return 0, "", err
	}
	n, ok := c.Int()
	if !ok {
		return 0, "", ErrInvalidCursor
	}
	return n, c.ID, nil
}
