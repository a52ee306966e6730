package httpx

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"

	"github.com/atrium-hq/atrium/internal/platform/apperr"
)

// MaxJSONBody is the default limit for JSON request bodies.
const MaxJSONBody = 1 << 20

// DecodeJSON strictly decodes the request body into dst: the body must be
// JSON, at most MaxJSONBody bytes, one value, with no unknown fields and no
// wrong types. Errors name the offending field.
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

// Decode strictly decodes one JSON value from rd into dst. It is separate
// from the request so that fuzz tests and the stream can use it.
func Decode(rd io.Reader, dst any, limit int64) error {
	dec := json.NewDecoder(rd)
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return decodeError(err, limit)
	}
	if err := dec.Decode(&struct{}{}); !errors.Is(err, io.EOF) {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return decodeError(err, limit)
		}
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
