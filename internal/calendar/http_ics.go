package calendar

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"

	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/httpx"
)

// readICS reads an iCalendar request body of at most MaxImportBytes.
func readICS(w http.ResponseWriter, r *http.Request) (*bytes.Buffer, error) {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(strings.ToLower(ct), "text/calendar") &&
		!strings.HasPrefix(strings.ToLower(ct), "application/octet-stream") && !strings.HasPrefix(strings.ToLower(ct), "text/plain") {
		return nil, apperr.Invalid("invalid_ics", "send the file as text/calendar")
	}
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(http.MaxBytesReader(w, r.Body, MaxImportBytes)); err != nil {
		return nil, apperr.New(apperr.KindInvalid, "body_too_large", fmt.Sprintf("the file exceeds %d bytes", MaxImportBytes)).
			With("limit", MaxImportBytes)
	}
	return &buf, nil
}

func writeICS(w http.ResponseWriter, filename string, buf *bytes.Buffer) error {
	w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
	if filename != "" {
		w.Header().Set("Content-Disposition", `attachment; filename="`+filename+`"`)
	}
	w.Header().Set("Cache-Control", "no-store")
	_, err := w.Write(buf.Bytes())
	return err
}

// HandleExportICS writes a calendar as an .ics file.
func (s *Service) HandleExportICS(w http.ResponseWriter, r *http.Request) error {
	var buf bytes.Buffer
	if err := s.ExportICS(r.Context(), r.PathValue("id"), &buf); err != nil {
		return err
	}
	return writeICS(w, "calendar.ics", &buf)
}

// HandleImportICS reads an .ics file into a calendar.
func (s *Service) HandleImportICS(w http.ResponseWriter, r *http.Request) error {
	buf, err := readICS(w, r)
	if err != nil {
		return err
	}
	res, err := s.ImportICS(r.Context(), r.PathValue("id"), buf)
	if err != nil {
		return err
	}
	return httpx.OK(w, res)
}

// HandleCreateFeed creates or rotates the caller's ICS feed of a calendar.
func (s *Service) HandleCreateFeed(w http.ResponseWriter, r *http.Request) error {
	f, err := s.CreateFeed(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return httpx.Created(w, f)
}

// HandleRevokeFeed revokes the caller's ICS feed of a calendar.
func (s *Service) HandleRevokeFeed(w http.ResponseWriter, r *http.Request) error {
	if err := s.RevokeFeed(r.Context(), r.PathValue("id")); err != nil {
		return err
	}
	return httpx.NoContent(w)
}

// HandleFeed serves a calendar's ICS feed by its secret, without a session.
func (s *Service) HandleFeed(w http.ResponseWriter, r *http.Request) error {
	secret, ok := strings.CutSuffix(r.PathValue("file"), ".ics")
	if !ok {
		return apperr.ErrNotFound
	}
	var buf bytes.Buffer
	if err := s.ServeFeed(r.Context(), secret, &buf); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
	w.Header().Set("Cache-Control", "private, no-store")
	w.Header().Set("Referrer-Policy", "no-referrer")
	_, err := w.Write(buf.Bytes())
	return err
}
