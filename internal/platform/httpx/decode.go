package httpx

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/atrium-hq/atrium/internal/platform/apperr"
)

// MaxJSONBody is the default limit for JSON request bodies.
const MaxJSONBody = 1 << 20

// DecodeJSON strictly decodes the request body into dst: the body must be
// JSON, at most MaxJSONBody bytes, one value, valid UTF-8, with no duplicate
// member names, no unknown fields and no wrong types. Errors name the
// offending field.
func DecodeJSON(w http.ResponseWriter, r *http.Request, dst any) error {
	return DecodeJSONLimit(w, r, dst, MaxJSONBody)
}

// DecodeJSONLimit is DecodeJSON with an explicit size limit.
func DecodeJSONLimit(w http.ResponseWriter, r *http.Request, dst any, limit int64) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, err := mime.ParseMediaType(ct)
		if err != nil || (mt != "application/json" && !strings.HasSuffix(mt, "+json")) {
			return apperr.New(apperr.KindInvalid, "unsupported_media_type", "the request body must be application/json")
		}
	}
	body := http.MaxBytesReader(w, r.Body, limit)
	return Decode(body, dst, limit)
}

// Decode strictly decodes one JSON value from rd into dst, reading at most
// limit bytes. It is separate from the request so that fuzz tests and the
// stream can use it.
//
// Beyond what encoding/json checks, the body must be valid UTF-8 with no
// unpaired surrogate escapes (400 invalid_utf8), and no object may name a
// member twice (400 duplicate_key) — names that differ only in letter case
// count as the same, because encoding/json matches them to the same field.
// These are the rules of I-JSON (RFC 7493): without them, a proxy or an
// audit reader that keeps the first of two "role" members and this server,
// which would keep the last, would disagree about what a request said.
func Decode(rd io.Reader, dst any, limit int64) error {
	buf := getBuffer()
	defer putBuffer(buf)
	if _, err := buf.ReadFrom(io.LimitReader(rd, limit+1)); err != nil {
		return decodeError(err, limit)
	}
	// encoding/json copies what it keeps (strings, RawMessage), so the
	// buffer goes back to the pool when Decode returns.
	data := buf.Bytes()
	if int64(len(data)) > limit {
		return decodeError(&http.MaxBytesError{Limit: limit}, limit)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return decodeError(io.EOF, limit)
	}
	if err := checkJSON(data); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return decodeError(err, limit)
	}
	if err := dec.Decode(&struct{}{}); !errors.Is(err, io.EOF) {
		return apperr.Invalid("invalid_json", "the request body must hold a single JSON value")
	}
	return nil
}

func decodeError(err error, limit int64) error {
	var (
		syn *json.SyntaxError
		typ *json.UnmarshalTypeError
		mbe *http.MaxBytesError
	)
	switch {
	case errors.As(err, &mbe):
		return apperr.New(apperr.KindInvalid, "body_too_large", fmt.Sprintf("the request body exceeds %d bytes", limit)).With("limit", limit)
	case errors.Is(err, io.EOF):
		return apperr.Invalid("empty_body", "the request body is empty; a JSON object is required")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return apperr.Invalid("invalid_json", "the request body is not valid JSON (unexpected end)")
	case errors.As(err, &syn):
		return apperr.Invalid("invalid_json", fmt.Sprintf("the request body is not valid JSON (at byte %d)", syn.Offset)).With("offset", syn.Offset)
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			field = "(root)"
		}
		return apperr.New(apperr.KindInvalid, "wrong_type", fmt.Sprintf("field %q must be %s", field, jsonKind(typ.Type.Kind().String()))).With("field", field)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return apperr.New(apperr.KindInvalid, "unknown_field", fmt.Sprintf("unknown field %q", name)).With("field", name)
	}
	return apperr.Invalid("invalid_json", "the request body is not valid JSON")
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "a string"
	case "bool":
		return "a boolean"
	case "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64", "float32", "float64":
		return "a number"
	case "slice", "array":
		return "an array"
	case "map", "struct":
		return "an object"
	}
	return "of another type"
}

// invalidUTF8 is the answer to bytes that are not UTF-8, and to escapes
// that name half of a surrogate pair.
func invalidUTF8(offset int) error {
	return apperr.Invalid("invalid_utf8", fmt.Sprintf("the request body is not valid UTF-8 (at byte %d)", offset)).With("offset", offset)
}

// checkJSON enforces what encoding/json lets through: invalid UTF-8 (which
// it silently replaces with U+FFFD), unpaired surrogate escapes (the same)
// and duplicate member names (it keeps the last). Malformed JSON it leaves
// to the decoder, which explains syntax errors better.
func checkJSON(data []byte) error {
	if !utf8.Valid(data) {
		off := 0
		for off < len(data) {
			r, size := utf8.DecodeRune(data[off:])
			if r == utf8.RuneError && size <= 1 {
				break
			}
			off += size
		}
		return invalidUTF8(off)
	}
	s := scanner{b: data}
	err := s.value("")
	if errors.Is(err, errMalformed) {
		return nil
	}
	return err
}

// maxDepth matches encoding/json's nesting limit; deeper input is left to
// the decoder to refuse.
const maxDepth = 10000

var errMalformed = errors.New("malformed JSON")

// scanner walks a JSON text just enough to see member names and string
// escapes. It does not build values.
type scanner struct {
	b     []byte
	i     int
	depth int
}

func (s *scanner) ws() {
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ' ', '\t', '\r', '\n':
			s.i++
		default:
			return
		}
	}
}

// value scans one value; path names where it sits, for error details.
func (s *scanner) value(path string) error {
	s.ws()
	if s.i >= len(s.b) {
		return errMalformed
	}
	switch s.b[s.i] {
	case '{':
		return s.object(path)
	case '[':
		return s.array(path)
	case '"':
		_, err := s.str(false)
		return err
	}
	// A number or a literal: the decoder checks its spelling.
	for s.i < len(s.b) {
		switch s.b[s.i] {
		case ',', ']', '}', ' ', '\t', '\r', '\n':
			return nil
		}
		s.i++
	}
	return nil
}

func (s *scanner) enter() error {
	s.i++
	s.depth++
	if s.depth > maxDepth {
		return errMalformed
	}
	return nil
}

// members scans the members of an object or the elements of an array up
// to its closing byte, reading each with member.
func (s *scanner) members(closing byte, member func() error) error {
	if err := s.enter(); err != nil {
		return err
	}
	s.ws()
	if s.i < len(s.b) && s.b[s.i] == closing {
		s.i++
		s.depth--
		return nil
	}
	for {
		if err := member(); err != nil {
			return err
		}
		s.ws()
		if s.i >= len(s.b) {
			return errMalformed
		}
		switch s.b[s.i] {
		case ',':
			s.i++
		case closing:
			s.i++
			s.depth--
			return nil
		default:
			return errMalformed
		}
	}
}

func (s *scanner) object(path string) error {
	var seen map[string]bool
	return s.members('}', func() error {
		s.ws()
		if s.i >= len(s.b) || s.b[s.i] != '"' {
			return errMalformed
		}
		start := s.i
		name, err := s.str(true)
		if err != nil {
			return err
		}
		field := name
		if path != "" {
			field = path + "." + name
		}
		key := foldName(name)
		if seen == nil {
			seen = map[string]bool{}
		}
		if seen[key] {
			return apperr.Invalid("duplicate_key", fmt.Sprintf("the member %q appears more than once in one object", field)).
				With("field", field).With("offset", start)
		}
		seen[key] = true
		s.ws()
		if s.i >= len(s.b) || s.b[s.i] != ':' {
			return errMalformed
		}
		s.i++
		return s.value(field)
	})
}

func (s *scanner) array(path string) error {
	path += "[]"
	return s.members(']', func() error { return s.value(path) })
}

// str scans a string starting at its opening quote, refusing unpaired
// surrogate escapes. With decode it returns the string's value.
func (s *scanner) str(decode bool) (string, error) {
	start := s.i
	s.i++
	escaped := false
	for s.i < len(s.b) {
		c := s.b[s.i]
		switch {
		case c == '"':
			s.i++
			if !decode {
				return "", nil
			}
			if !escaped {
				return string(s.b[start+1 : s.i-1]), nil
			}
			var v string
			if err := json.Unmarshal(s.b[start:s.i], &v); err != nil {
				return "", errMalformed
			}
			return v, nil
		case c == '\\':
			escaped = true
			if s.i+1 >= len(s.b) {
				return "", errMalformed
			}
			if s.b[s.i+1] != 'u' {
				s.i += 2
				continue
			}
			at := s.i
			r, ok := s.hex4(s.i + 2)
			if !ok {
				return "", errMalformed
			}
			s.i += 6
			switch {
			case r >= 0xDC00 && r <= 0xDFFF:
				return "", invalidUTF8(at)
			case r >= 0xD800 && r <= 0xDBFF:
				lo, ok := rune(0), false
				if s.i+1 < len(s.b) && s.b[s.i] == '\\' && s.b[s.i+1] == 'u' {
					lo, ok = s.hex4(s.i + 2)
				}
				if !ok || lo < 0xDC00 || lo > 0xDFFF {
					return "", invalidUTF8(at)
				}
				s.i += 6
			}
		case c < 0x20:
			return "", errMalformed
		default:
			s.i++
		}
	}
	return "", errMalformed
}

func (s *scanner) hex4(at int) (rune, bool) {
	if at+4 > len(s.b) {
		return 0, false
	}
	var r rune
	for _, c := range s.b[at : at+4] {
		r <<= 4
		switch {
		case c >= '0' && c <= '9':
			r |= rune(c - '0')
		case c >= 'a' && c <= 'f':
			r |= rune(c - 'a' + 10)
		case c >= 'A' && c <= 'F':
			r |= rune(c - 'A' + 10)
		default:
			return 0, false
		}
	}
	return r, true
}

// foldName maps a member name to the key encoding/json would match it by
// (case-insensitively, with its Unicode folds such as K and ſ).
func foldName(name string) string {
	return strings.ToUpper(strings.ToLower(name))
}
