package announce

import (
	"context"
	"net/http"

	"github.com/atrium-hq/atrium/internal/platform/httpx"
)

// HTTP handlers: decode, call the service, encode. Routes are listed in
// internal/server/routes.go.

// maxBody bounds a create or edit request (the body's limit plus room).
const maxBody = 512 << 10

func query(r *http.Request) (Query, error) {
	p, err := httpx.PageOf(r)
	if err != nil {
		return Query{}, err
	}
	return Query{Limit: p.Limit, Cursor: p.Cursor, Status: r.URL.Query().Get("status")}, nil
}

// HandleList lists the announcements the caller received.
func (s *Service) HandleList(w http.ResponseWriter, r *http.Request) error {
	q, err := query(r)
	if err != nil {
		return err
	}
	p, err := s.List(r.Context(), q)
	if err != nil {
		return err
	}
	return httpx.OK(w, p)
}

// HandleListAll lists every announcement of the organization to publishers.
func (s *Service) HandleListAll(w http.ResponseWriter, r *http.Request) error {
	q, err := query(r)
	if err != nil {
		return err
	}
	l, err := s.ListAll(r.Context(), q)
	if err != nil {
		return err
	}
	return httpx.OK(w, l)
}

// HandleCreate creates a draft, a scheduled or a published announcement.
func (s *Service) HandleCreate(w http.ResponseWriter, r *http.Request) error {
	var in CreateInput
	if err := httpx.DecodeJSONLimit(w, r, &in, maxBody); err != nil {
		return err
	}
	a, err := s.Create(r.Context(), in)
	if err != nil {
		return err
	}
	return httpx.Created(w, a)
}

// HandleGet returns one announcement.
func (s *Service) HandleGet(w http.ResponseWriter, r *http.Request) error {
	a, err := s.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return httpx.OK(w, a)
}

// HandleUpdate edits an announcement.
func (s *Service) HandleUpdate(w http.ResponseWriter, r *http.Request) error {
	var p Patch
	if err := httpx.DecodeJSONLimit(w, r, &p, maxBody); err != nil {
		return err
	}
	a, err := s.Update(r.Context(), r.PathValue("id"), p)
	if err != nil {
		return err
	}
	return httpx.OK(w, a)
}

// HandleDelete deletes a draft or scheduled announcement.
func (s *Service) HandleDelete(w http.ResponseWriter, r *http.Request) error {
	if err := s.Delete(r.Context(), r.PathValue("id")); err != nil {
		return err
	}
	return httpx.NoContent(w)
}

// HandlePublish publishes an announcement now.
func (s *Service) HandlePublish(w http.ResponseWriter, r *http.Request) error {
	return s.answer(w, r, s.Publish)
}

// HandleWithdraw withdraws a published announcement.
func (s *Service) HandleWithdraw(w http.ResponseWriter, r *http.Request) error {
	return s.answer(w, r, s.Withdraw)
}

// HandleRead marks an announcement read by the caller.
func (s *Service) HandleRead(w http.ResponseWriter, r *http.Request) error {
	return s.answer(w, r, s.MarkRead)
}

// HandleConfirm confirms an announcement as the caller.
func (s *Service) HandleConfirm(w http.ResponseWriter, r *http.Request) error {
	return s.answer(w, r, s.Confirm)
}

// HandleReceipts returns an announcement's read list.
func (s *Service) HandleReceipts(w http.ResponseWriter, r *http.Request) error {
	rc, err := s.Receipts(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return httpx.OK(w, rc)
}

// HandleRemind reminds the people who have not read an announcement.
func (s *Service) HandleRemind(w http.ResponseWriter, r *http.Request) error {
	rm, err := s.Remind(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return httpx.OK(w, rm)
}

// HandleComments lists an announcement's comments, oldest first.
func (s *Service) HandleComments(w http.ResponseWriter, r *http.Request) error {
	q, err := query(r)
	if err != nil {
		return err
	}
	p, err := s.Comments(r.Context(), r.PathValue("id"), q)
	if err != nil {
		return err
	}
	return httpx.OK(w, p)
}

// HandleAddComment comments on an announcement.
func (s *Service) HandleAddComment(w http.ResponseWriter, r *http.Request) error {
	var in CommentInput
	if err := httpx.DecodeJSONLimit(w, r, &in, 16<<10); err != nil {
		return err
	}
	c, err := s.AddComment(r.Context(), r.PathValue("id"), in)
	if err != nil {
		return err
	}
	return httpx.Created(w, c)
}

// HandleDeleteComment deletes a comment (its author, or a publisher).
func (s *Service) HandleDeleteComment(w http.ResponseWriter, r *http.Request) error {
	if err := s.DeleteComment(r.Context(), r.PathValue("id"), r.PathValue("comment_id")); err != nil {
		return err
	}
	return httpx.NoContent(w)
}

func (s *Service) answer(w http.ResponseWriter, r *http.Request, fn func(ctx context.Context, id string) (Announcement, error)) error {
	a, err := fn(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return httpx.OK(w, a)
}
