// Package httpx is Atrium's HTTP kernel: handlers that return errors, the one
// error writer, strict JSON decoding and access logs (request ids: platform/reqctx).
package httpx

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strconv"
	"sync"
	"time"

	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/reqctx"
)

// HandlerFunc is an HTTP handler that returns an error instead of writing it.
type HandlerFunc func(w http.ResponseWriter, r *http.Request) error

// ServeHTTP runs h and writes its error, if any, with WriteError.
func (h HandlerFunc) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if err := h(w, r); err != nil {
		WriteError(w, r, err)
	}
}

// ErrorBody is the JSON shape of every error response.
type ErrorBody struct {
	Error ErrorPayload `json:"error"`
}

// ErrorPayload is the inside of an error response.
type ErrorPayload struct {
	Code      string         `json:"code"`
	Message   string         `json:"message"`
	Details   map[string]any `json:"details,omitempty"`
	RequestID string         `json:"request_id,omitempty"`
}

// StatusOf maps an apperr.Kind to an HTTP status.
func StatusOf(k apperr.Kind) int {
	switch k {
	case apperr.KindInvalid:
		return http.StatusBadRequest
	case apperr.KindUnauthenticated:
		return http.StatusUnauthorized
	case apperr.KindForbidden:
		return http.StatusForbidden
	case apperr.KindNotFound:
		return http.StatusNotFound
	case apperr.KindConflict:
		return http.StatusConflict
	case apperr.KindGone:
		return http.StatusGone
	case apperr.KindTooLarge:
		return http.StatusRequestEntityTooLarge
	case apperr.KindRateLimited:
		return http.StatusTooManyRequests
	case apperr.KindUnavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// WriteError is the one place that turns an error into a response. Service
// errors keep their code and message; store sentinels map to 404/409; every
// other error becomes a 500 "internal error" whose cause is only logged.
func WriteError(w http.ResponseWriter, r *http.Request, err error) {
	ae := Classify(err)
	if ae == nil {
		// The client went away; nothing useful can be written.
		return
	}
	status := StatusOf(ae.Kind)
	rid := reqctx.ID(r.Context())
	if status >= 500 {
		slog.ErrorContext(r.Context(), "request failed", "request_id", rid, "method", r.Method, "path", r.URL.Path, "err", err)
		ae = &apperr.Error{Kind: ae.Kind, Code: ae.Code, Message: ae.Message}
		if ae.Kind == apperr.KindInternal {
			ae.Code, ae.Message = "internal", "internal error"
		}
	}
	if ae.Kind == apperr.KindRateLimited {
		if ra, ok := ae.Details["retry_after_seconds"]; ok {
			if n, ok := ra.(int); ok {
				w.Header().Set("Retry-After", strconv.Itoa(n))
			}
		}
	}
	if ae.Kind == apperr.KindUnauthenticated && w.Header().Get("WWW-Authenticate") == "" {
		w.Header().Set("WWW-Authenticate", `Bearer realm="atrium"`)
	}
	if err := WriteJSON(w, status, ErrorBody{Error: ErrorPayload{Code: ae.Code, Message: ae.Message, Details: ae.Details, RequestID: rid}}); err != nil {
		// Details that cannot be encoded: nothing went out yet, so the
		// answer is a plain internal error rather than an empty 200.
		slog.ErrorContext(r.Context(), "error response not encodable", "request_id", rid, "err", err)
		in := apperr.Internal(err)
		_ = WriteJSON(w, StatusOf(in.Kind), ErrorBody{Error: ErrorPayload{Code: in.Code, Message: in.Message, RequestID: rid}})
	}
}

// Classify turns err into the service error that answers it: service
// errors as they are, store sentinels as 404/409, anything else internal.
// It returns nil for a cancelled request (the client went away). The
// stream's answers use it too, so both APIs answer an error alike.
func Classify(err error) *apperr.Error {
	var ae *apperr.Error
	switch {
	case errors.As(err, &ae):
		return ae
	case errors.Is(err, db.ErrNotFound):
		return apperr.ErrNotFound
	case errors.Is(err, db.ErrConflict):
		return apperr.Conflict("conflict", "this conflicts with an existing object")
	case errors.Is(err, context.Canceled):
		return nil
	}
	return apperr.Internal(err)
}

// WriteJSON writes v as JSON with the given status.
func WriteJSON(w http.ResponseWriter, status int, v any) error {
	if v == nil || status == http.StatusNoContent {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(status)
		return nil
	}
	// Encoded whole before the status goes out: a value that cannot be
	// encoded is an error response, not a truncated body, and the length
	// is known (no chunked encoding).
	buf := getBuffer()
	defer putBuffer(buf)
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(true)
	if err := enc.Encode(v); err != nil {
		return fmt.Errorf("httpx: encode response: %w", err)
	}
	h := w.Header()
	h["Content-Type"] = hdrJSON
	h["Cache-Control"] = hdrNoStore
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	_, err := w.Write(buf.Bytes())
	return err
}

// Header values every JSON response shares (each slice full, so an Add
// elsewhere appends to a copy).
var (
	hdrJSON    = []string{"application/json; charset=utf-8"}
	hdrNoStore = []string{"no-store"}
)

// buffers holds the buffers that request bodies are read into and
// responses encoded into.
var buffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func getBuffer() *bytes.Buffer { return buffers.Get().(*bytes.Buffer) }

// putBuffer returns b to the pool unless it grew large (a large body must
// not stay in memory for the sake of the next small one).
func putBuffer(b *bytes.Buffer) {
	if b.Cap() > 64<<10 {
		return
	}
	b.Reset()
	buffers.Put(b)
}

// OK writes v with status 200.
func OK(w http.ResponseWriter, v any) error { return WriteJSON(w, http.StatusOK, v) }

// Created writes v with status 201.
func Created(w http.ResponseWriter, v any) error { return WriteJSON(w, http.StatusCreated, v) }

// NoContent writes an empty 204.
func NoContent(w http.ResponseWriter) error {
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (s *statusWriter) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	n, err := s.ResponseWriter.Write(b)
	s.bytes += n
	return n, err
}

// Unwrap lets http.ResponseController reach the underlying writer (needed
// for WebSocket hijacking and flushing).
func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// Observe wraps next with panic recovery and an access log line naming the
// request's id (platform/reqctx; attached here when reqctx.Middleware has
// not run). Query strings are not logged: they may hold tokens.
func Observe(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		if reqctx.ID(r.Context()) == "" {
			r = reqctx.Attach(r, false)
			w.Header().Set("X-Request-Id", reqctx.ID(r.Context()))
		}
		rid := reqctx.ID(r.Context())
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				log.Error("panic", "request_id", rid, "method", r.Method, "path", r.URL.Path, "panic", p, "stack", string(debug.Stack()))
				if sw.status == 0 {
					WriteError(sw, r, errors.New("panic"))
				}
			}
			log.LogAttrs(r.Context(), slog.LevelInfo, "http",
				slog.String("request_id", rid),
				slog.String("method", r.Method),
				slog.String("path", r.URL.Path),
				slog.Int("status", sw.status),
				slog.Int("bytes", sw.bytes),
				slog.Duration("duration", time.Since(start)),
			)
		}()
		next.ServeHTTP(sw, r)
	})
}
