// Package archtest holds tests that keep Atrium's architecture as
// DESIGN.md §3 draws it: cmd → server → domain packages → platform, HTTP only
// in a domain's http.go, SQL only in its store.go. It has no code of its own.
package archtest
