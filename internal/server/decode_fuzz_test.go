package server_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"testing"

	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/httpx"
	"github.com/atrium-hq/atrium/internal/server"
)

// FuzzRouteBodies decodes arbitrary bytes, with the strict decoder every
// handler uses, into the request type of every route of the table (so a
// route added later is fuzzed too): no panic, and every failure is a 400
// with a stable code.
func FuzzRouteBodies(f *testing.F) {
	routes := (&server.Server{}).Routes()
	var types []reflect.Type
	for _, rt := range routes {
		if rt.Request == nil {
			continue
		}
		typ := reflect.TypeOf(rt.Request)
		types = append(types, typ)
		// The zero value, encoded, is a well-formed body of that route.
		if b, err := json.Marshal(reflect.New(typ).Interface()); err == nil {
			f.Add(b)
		}
	}
	if len(types) == 0 {
		f.Fatal("no route of the table has a request type")
	}
	for _, s := range []string{`{}`, `{"a":1}`, `[]`, `null`, `{"email":1}`, `{"permissions":[1]}`, `{"fields":{"x":null}}`, `{"member_ids":"x"}`} {
		f.Add([]byte(s))
	}
	codes := map[string]bool{"invalid_json": true, "empty_body": true, "wrong_type": true, "unknown_field": true, "body_too_large": true, "invalid_utf8": true, "duplicate_key": true}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, typ := range types {
			dst := reflect.New(typ).Interface()
			err := httpx.Decode(bytes.NewReader(data), dst, httpx.MaxJSONBody)
			if err == nil {
				continue
			}
			var ae *apperr.Error
			if !errors.As(err, &ae) || ae.Kind != apperr.KindInvalid || !codes[ae.Code] {
				t.Fatalf("decoding %q into %v: %v", data, typ, err)
			}
		}
	})
}
