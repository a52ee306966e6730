package approval

import (
	"net/http"

	"github.com/atrium-hq/atrium/internal/platform/httpx"
)

// HTTP handlers: decode, call the service, encode. Routes are listed in
// internal/server/routes.go.

// maxBody bounds a request body (the largest form plus room).
const maxBody = 1 << 20

// HandleListTemplates lists the templates the caller may file (?all=1:
// every template, for holders of manage_approvals).
func (s *Service) HandleListTemplates(w http.ResponseWriter, r *http.Request) error {
	all := r.URL.Query().Get("all")
	l, err := s.ListTemplates(r.Context(), all == "1" || all == "true")
	if err != nil {
		return err
	}
	return httpx.OK(w, l)
}

// HandleCreateTemplate designs a template.
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

// HandleGetTemplate returns a template at its current version.
func (s *Service) HandleGetTemplate(w http.ResponseWriter, r *http.Request) error {
	t, err := s.GetTemplate(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return httpx.OK(w, t)
}

// HandleUpdateTemplate writes a new version of a template.
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
	if err := s.ArchiveTemplate(r.Context(), r.PathValue("id"), true); err != nil {
		return err
	}
	return httpx.NoContent(w)
}

// HandleRestoreTemplate restores an archived template.
func (s *Service) HandleRestoreTemplate(w http.ResponseWriter, r *http.Request) error {
	if err := s.ArchiveTemplate(r.Context(), r.PathValue("id"), false); err != nil {
		return err
	}
	return httpx.NoContent(w)
}

// HandlePreview resolves the flow the caller's request would take.
func (s *Service) HandlePreview(w http.ResponseWriter, r *http.Request) error {
	var in PreviewInput
	if err := httpx.DecodeJSONLimit(w, r, &in, maxBody); err != nil {
		return err
	}
	p, err := s.Preview(r.Context(), r.PathValue("id"), in)
	if err != nil {
		return err
	}
	return httpx.OK(w, p)
}

// HandleList lists one of the caller's boxes.
func (s *Service) HandleList(w http.ResponseWriter, r *http.Request) error {
	p, err := httpx.PageOf(r)
	if err != nil {
		return err
	}
	v := r.URL.Query()
	l, err := s.List(r.Context(), Query{Box: v.Get("box"), Status: v.Get("status"), TemplateID: v.Get("template_id"), Q: v.Get("q"),
		Cursor: p.Cursor, Limit: p.Limit})
	if err != nil {
		return err
	}
	return httpx.OK(w, l)
}

// HandleSubmit files a request.
func (s *Service) HandleSubmit(w http.ResponseWriter, r *http.Request) error {
	var in SubmitInput
	if err := httpx.DecodeJSONLimit(w, r, &in, maxBody); err != nil {
		return err
	}
	req, err := s.Submit(r.Context(), in)
	if err != nil {
		return err
	}
	return httpx.Created(w, req)
}

// HandleGet returns one request.
func (s *Service) HandleGet(w http.ResponseWriter, r *http.Request) error {
	req, err := s.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return httpx.OK(w, req)
}

// HandleApprove approves the caller's task.
func (s *Service) HandleApprove(w http.ResponseWriter, r *http.Request) error {
	var in DecisionInput
	if err := decodeOptional(w, r, &in); err != nil {
		return err
	}
	req, err := s.Approve(r.Context(), r.PathValue("id"), in)
	if err != nil {
		return err
	}
	return httpx.OK(w, req)
}

// HandleReject rejects a request at the caller's step.
func (s *Service) HandleReject(w http.ResponseWriter, r *http.Request) error {
	var in DecisionInput
	if err := decodeOptional(w, r, &in); err != nil {
		return err
	}
	req, err := s.Reject(r.Context(), r.PathValue("id"), in)
	if err != nil {
		return err
	}
	return httpx.OK(w, req)
}

// HandleWithdraw withdraws the caller's request.
func (s *Service) HandleWithdraw(w http.ResponseWriter, r *http.Request) error {
	req, err := s.Withdraw(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return httpx.OK(w, req)
}

// decodeOptional decodes a body that may be left out.
func decodeOptional(w http.ResponseWriter, r *http.Request, dst any) error {
	if r.ContentLength == 0 {
		return nil
	}
	return httpx.DecodeJSONLimit(w, r, dst, maxBody)
}
