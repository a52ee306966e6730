package report

import (
	"bytes"
	"context"
	"net/http"

	"github.com/atrium-hq/atrium/internal/platform/httpx"
)

// HTTP handlers: decode, call the service, encode. Routes are listed in
// internal/server/routes.go.

// maxBody bounds a request body (the largest report plus room).
const maxBody = 1 << 20

func query(r *http.Request) (Query, error) {
	p, err := httpx.PageOf(r)
	if err != nil {
		return Query{}, err
	}
	v := r.URL.Query()
	return Query{Limit: p.Limit, Cursor: p.Cursor, TemplateID: v.Get("template_id"), Status: v.Get("status"),
		Unread: v.Get("unread") == "true"}, nil
}

// HandleListTemplates lists the organization's templates.
func (s *Service) HandleListTemplates(w http.ResponseWriter, r *http.Request) error {
	l, err := s.ListTemplates(r.Context(), r.URL.Query().Get("archived") == "true")
	if err != nil {
		return err
	}
	return httpx.OK(w, l)
}

// HandleCreateTemplate creates a template.
func (s *Service) HandleCreateTemplate(w http.ResponseWriter, r *http.Request) error {
	var in TemplateInput
	if err := httpx.DecodeJSONLimit(w, r, &in, maxBody); err != nil {
		return err
	}
	t, err := s.CreateTemplate(r.Context(), in)
	if err != nil {
		return err
	}
	return httpx.Created(w, t)
}

// HandleGetTemplate returns one template.
func (s *Service) HandleGetTemplate(w http.ResponseWriter, r *http.Request) error {
	t, err := s.GetTemplate(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return httpx.OK(w, t)
}

// HandleUpdateTemplate replaces a template's settings.
func (s *Service) HandleUpdateTemplate(w http.ResponseWriter, r *http.Request) error {
	var in TemplateInput
	if err := httpx.DecodeJSONLimit(w, r, &in, maxBody); err != nil {
		return err
	}
	t, err := s.UpdateTemplate(r.Context(), r.PathValue("id"), in)
	if err != nil {
		return err
	}
	return httpx.OK(w, t)
}

// HandleArchiveTemplate archives a template.
func (s *Service) HandleArchiveTemplate(w http.ResponseWriter, r *http.Request) error {
	if err := s.ArchiveTemplate(r.Context(), r.PathValue("id")); err != nil {
		return err
	}
	return httpx.NoContent(w)
}

func statsQuery(r *http.Request) StatsQuery {
	v := r.URL.Query()
	return StatsQuery{From: v.Get("from"), To: v.Get("to"), DepartmentID: v.Get("department_id")}
}

// HandleStats returns a template's submission statistics.
func (s *Service) HandleStats(w http.ResponseWriter, r *http.Request) error {
	st, err := s.Stats(r.Context(), r.PathValue("id"), statsQuery(r))
	if err != nil {
		return err
	}
	return httpx.OK(w, st)
}

// HandleStatsCSV returns a template's submission statistics as CSV.
func (s *Service) HandleStatsCSV(w http.ResponseWriter, r *http.Request) error {
	st, err := s.Stats(r.Context(), r.PathValue("id"), statsQuery(r))
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := s.WriteStatsCSV(r.Context(), &buf, st); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="report-stats.csv"`)
	w.Header().Set("Cache-Control", "no-store")
	_, err = w.Write(buf.Bytes())
	return err
}

// HandleMine lists the caller's reports.
func (s *Service) HandleMine(w http.ResponseWriter, r *http.Request) error {
	q, err := query(r)
	if err != nil {
		return err
	}
	p, err := s.Mine(r.Context(), q)
	if err != nil {
		return err
	}
	return httpx.OK(w, p)
}

// HandleInbox lists the reports the caller received.
func (s *Service) HandleInbox(w http.ResponseWriter, r *http.Request) error {
	q, err := query(r)
	if err != nil {
		return err
	}
	p, err := s.Inbox(r.Context(), q)
	if err != nil {
		return err
	}
	return httpx.OK(w, p)
}

// HandleWrite creates a draft or a submitted report.
func (s *Service) HandleWrite(w http.ResponseWriter, r *http.Request) error {
	var in WriteInput
	if err := httpx.DecodeJSONLimit(w, r, &in, maxBody); err != nil {
		return err
	}
	rp, err := s.Write(r.Context(), in)
	if err != nil {
		return err
	}
	return httpx.Created(w, rp)
}

// HandleGet returns one report.
func (s *Service) HandleGet(w http.ResponseWriter, r *http.Request) error {
	return s.answer(w, r, s.Get)
}

// HandleEdit edits a report.
func (s *Service) HandleEdit(w http.ResponseWriter, r *http.Request) error {
	var in EditInput
	if err := httpx.DecodeJSONLimit(w, r, &in, maxBody); err != nil {
		return err
	}
	rp, err := s.Edit(r.Context(), r.PathValue("id"), in)
	if err != nil {
		return err
	}
	return httpx.OK(w, rp)
}

// HandleDelete deletes a draft.
func (s *Service) HandleDelete(w http.ResponseWriter, r *http.Request) error {
	if err := s.Delete(r.Context(), r.PathValue("id")); err != nil {
		return err
	}
	return httpx.NoContent(w)
}

// HandleSubmit submits a draft.
func (s *Service) HandleSubmit(w http.ResponseWriter, r *http.Request) error {
	return s.answer(w, r, s.Submit)
}

// HandleRead marks a received report read.
func (s *Service) HandleRead(w http.ResponseWriter, r *http.Request) error {
	return s.answer(w, r, s.MarkRead)
}

// HandleComments lists a report's comments.
func (s *Service) HandleComments(w http.ResponseWriter, r *http.Request) error {
	l, err := s.Comments(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return httpx.OK(w, l)
}

// HandleAddComment comments on a report.
func (s *Service) HandleAddComment(w http.ResponseWriter, r *http.Request) error {
	var in CommentInput
	if err := httpx.DecodeJSONLimit(w, r, &in, maxBody); err != nil {
		return err
	}
	c, err := s.AddComment(r.Context(), r.PathValue("id"), in)
	if err != nil {
		return err
	}
	return httpx.Created(w, c)
}

func (s *Service) answer(w http.ResponseWriter, r *http.Request, fn func(ctx context.Context, id string) (Report, error)) error {
	rp, err := fn(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return httpx.OK(w, rp)
}
