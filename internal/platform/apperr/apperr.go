// Package apperr defines the errors that services return to their callers.
//
// A service error carries a Kind (what went wrong, in terms the edge maps to
// a status code), a stable machine-readable Code, a Message that is safe to
// show to the caller, optional Details, and an optional wrapped cause that is
// logged but never sent to a client. Packages below the HTTP edge never import
// net/http; the one error writer in httpx turns a Kind into a status.
package apperr

import (
	"errors"
	"fmt"
)

// Kind classifies an error for the edge.
type Kind int

// The kinds of error a service may return.
const (
	KindInternal        Kind = iota // a bug or an unavailable dependency; 500
	KindInvalid                     // the request is malformed or violates a rule; 400
	KindUnauthenticated             // no valid credentials; 401
	KindForbidden                   // authenticated, but not allowed; 403
	KindNotFound                    // does not exist, or the caller may not know it exists; 404
	KindConflict                    // clashes with current state; 409
	KindGone                        // existed but has expired or been used up; 410
	KindTooLarge                    // the body is too big; 413
	KindRateLimited                 // too many attempts; 429
	KindUnavailable                 // temporarily unable to serve; 503
)

// Error is a service error. Code and Message are public; Err is not.
type Error struct {
	Kind    Kind
	Code    string
	Message string
	Details map[string]any
	Err     error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return e.Code + ": " + e.Message + ": " + e.Err.Error()
	}
	return e.Code + ": " + e.Message
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// With returns a copy of e with the detail key set to v.
func (e *Error) With(key string, v any) *Error {
	c := *e
	c.Details = make(map[string]any, len(e.Details)+1)
	for k, val := range e.Details {
		c.Details[k] = val
	}
	c.Details[key] = v
	return &c
}

// Wrap returns a copy of e carrying cause as its (private) cause.
func (e *Error) Wrap(cause error) *Error {
	c := *e
	c.Err = cause
	return &c
}

// New returns an error of the given kind.
func New(kind Kind, code, msg string) *Error { return &Error{Kind: kind, Code: code, Message: msg} }

// Invalid returns a KindInvalid error.
func Invalid(code, msg string) *Error { return New(KindInvalid, code, msg) }

// InvalidField returns a KindInvalid error naming the offending field.
func InvalidField(field, msg string) *Error {
	return New(KindInvalid, "invalid_field", msg).With("field", field)
}

// Forbidden returns a KindForbidden error.
func Forbidden(code, msg string) *Error { return New(KindForbidden, code, msg) }

// Conflict returns a KindConflict error.
func Conflict(code, msg string) *Error { return New(KindConflict, code, msg) }

// Internal wraps an unexpected cause. Its text is never shown to clients.
func Internal(cause error) *Error {
	return &Error{Kind: KindInternal, Code: "internal", Message: "internal error", Err: cause}
}

// Internalf wraps an unexpected cause with context.
func Internalf(format string, args ...any) *Error { return Internal(fmt.Errorf(format, args...)) }

// Common errors. Compare with errors.Is only through Is* helpers or by Code;
// use them as values to return.
var (
	// ErrNotFound answers identically for objects that do not exist and for
	// objects the caller may not see, so that nothing leaks across tenants.
	ErrNotFound = New(KindNotFound, "not_found", "not found")
	// ErrUnauthenticated means the request carries no valid credentials.
	ErrUnauthenticated = New(KindUnauthenticated, "unauthenticated", "authentication required")
	// ErrForbidden means the caller lacks the permission for this action.
	ErrForbidden = New(KindForbidden, "forbidden", "you do not have permission to do this")
)

// KindOf returns the Kind of err (KindInternal when err is not an *Error).
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return KindInternal
}

// CodeOf returns the Code of err, or "internal".
func CodeOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return "internal"
}

// MapNotFound returns ErrNotFound when err says that a row does not exist
// (a store's db.ErrNotFound, or any error in its chain with a NotFound
// method that answers true), and err unchanged otherwise. Services wrap
// store results with it so that a missing row is a 404, never a 500.
func MapNotFound(err error) error {
	var nf interface{ NotFound() bool }
	if errors.As(err, &nf) && nf.NotFound() {
		return ErrNotFound
	}
	return err
}

// IsNotFound reports whether err is a not-found error.
func IsNotFound(err error) bool { return KindOf(err) == KindNotFound }
