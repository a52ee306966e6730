package chat

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/httpx"
)

// HTTP handlers: decode, call the service, encode. Routes are listed in
// internal/server/routes.go.

// Items wraps a list response.
type Items[T any] struct {
	Items []T `json:"items"`
}

// ConversationList is the body of GET /api/v1/conversations.
type ConversationList = Items[Conversation]

// MemberList is the body of GET …/members.
type MemberList = Items[Member]

// MessageList is the body of GET …/pins.
type MessageList = Items[Message]

// EditList is the body of GET …/edits.
type EditList = Items[Edit]

// AddMembersInput is the body of POST …/members.
type AddMembersInput struct {
	AccountIDs []string `json:"account_ids"`
}

// RoleInput is the body of PUT …/members/{account_id}/role.
type RoleInput struct {
	Role string `json:"role"`
}

// TransferInput is the body of POST …/transfer.
type TransferInput struct {
	AccountID string `json:"account_id"`
}

// ReadInput is the body of POST …/read.
type ReadInput struct {
	UpToMessageID string `json:"up_to_message_id"`
}

// EditInput is the body of PATCH …/messages/{message_id}.
type EditInput struct {
	Body string `json:"body"`
}

// NotificationsReadInput is the body of POST /api/v1/notifications/read.
type NotificationsReadInput struct {
	MessageIDs []string `json:"message_ids,omitempty"`
	All        bool     `json:"all,omitempty"`
}

// Count answers how many objects an operation changed.
type Count struct {
	Count int `json:"count"`
}

func queryInt(r *http.Request, name string) (*int64, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return nil, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return nil, apperr.New(apperr.KindInvalid, "invalid_query", "query parameter "+name+" must be a non-negative integer").With("param", name)
	}
	return &n, nil
}

// queryLimit reads ?limit= through the one paging validator (0 = the
// default page).
func queryLimit(r *http.Request) (int, error) {
	p, err := httpx.PageOf(r)
	return p.Limit, err
}

// HandleListConversations lists the caller's conversations.
func (s *Service) HandleListConversations(w http.ResponseWriter, r *http.Request) error {
	cs, err := s.List(r.Context())
	if err != nil {
		return err
	}
	return httpx.OK(w, ConversationList{Items: cs})
}

// HandleCreateConversation creates a conversation (200 with the existing
// one for a direct conversation that already exists).
func (s *Service) HandleCreateConversation(w http.ResponseWriter, r *http.Request) error {
	var in CreateInput
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	c, created, err := s.Create(r.Context(), in)
	if err != nil {
		return err
	}
	if !created {
		return httpx.OK(w, c)
	}
	return httpx.Created(w, c)
}

// HandleGetConversation returns one conversation.
func (s *Service) HandleGetConversation(w http.ResponseWriter, r *http.Request) error {
	c, err := s.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return httpx.OK(w, c)
}

// HandleUpdateConversation renames a group or sets its topic or announcement.
func (s *Service) HandleUpdateConversation(w http.ResponseWriter, r *http.Request) error {
	var in UpdateInput
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	c, err := s.Update(r.Context(), r.PathValue("id"), in)
	if err != nil {
		return err
	}
	return httpx.OK(w, c)
}

// HandleDissolve dissolves a group.
func (s *Service) HandleDissolve(w http.ResponseWriter, r *http.Request) error {
	if err := s.Dissolve(r.Context(), r.PathValue("id")); err != nil {
		return err
	}
	return httpx.NoContent(w)
}

// HandleSetMine mutes or pins a conversation for the caller.
func (s *Service) HandleSetMine(w http.ResponseWriter, r *http.Request) error {
	var in MySettings
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	c, err := s.SetMine(r.Context(), r.PathValue("id"), in)
	if err != nil {
		return err
	}
	return httpx.OK(w, c)
}

// HandleMembers lists a conversation's members.
func (s *Service) HandleMembers(w http.ResponseWriter, r *http.Request) error {
	ms, err := s.Members(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return httpx.OK(w, MemberList{Items: ms})
}

// HandleAddMembers adds people to a group.
func (s *Service) HandleAddMembers(w http.ResponseWriter, r *http.Request) error {
	var in AddMembersInput
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	ms, err := s.AddMembers(r.Context(), r.PathValue("id"), in.AccountIDs)
	if err != nil {
		return err
	}
	return httpx.OK(w, MemberList{Items: ms})
}

// HandleRemoveMember removes someone from a group (or leaves, for oneself).
func (s *Service) HandleRemoveMember(w http.ResponseWriter, r *http.Request) error {
	if err := s.RemoveMember(r.Context(), r.PathValue("id"), r.PathValue("account_id")); err != nil {
		return err
	}
	return httpx.NoContent(w)
}

// HandleSetRole makes a member an admin or a plain member.
func (s *Service) HandleSetRole(w http.ResponseWriter, r *http.Request) error {
	var in RoleInput
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	if err := s.SetRole(r.Context(), r.PathValue("id"), r.PathValue("account_id"), in.Role); err != nil {
		return err
	}
	return httpx.NoContent(w)
}

// HandleLeave leaves a group.
func (s *Service) HandleLeave(w http.ResponseWriter, r *http.Request) error {
	if err := s.Leave(r.Context(), r.PathValue("id")); err != nil {
		return err
	}
	return httpx.NoContent(w)
}

// HandleTransfer hands a group to another member.
func (s *Service) HandleTransfer(w http.ResponseWriter, r *http.Request) error {
	var in TransferInput
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	if in.AccountID == "" {
		return apperr.InvalidField("account_id", "account_id is required")
	}
	if err := s.Transfer(r.Context(), r.PathValue("id"), in.AccountID); err != nil {
		return err
	}
	return httpx.NoContent(w)
}

// HandleRead moves the caller's read position.
func (s *Service) HandleRead(w http.ResponseWriter, r *http.Request) error {
	var in ReadInput
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	st, err := s.MarkRead(r.Context(), r.PathValue("id"), in.UpToMessageID)
	if err != nil {
		return err
	}
	return httpx.OK(w, st)
}

// HandleSend sends a message: 201 with the new message, or 200 with the
// stored one when client_msg_id was used before.
func (s *Service) HandleSend(w http.ResponseWriter, r *http.Request) error {
	var in SendInput
	if err := httpx.DecodeJSONLimit(w, r, &in, MaxSendBody); err != nil {
		return err
	}
	m, created, err := s.Send(r.Context(), r.PathValue("id"), in)
	if err != nil {
		return err
	}
	if !created {
		return httpx.OK(w, m)
	}
	return httpx.Created(w, m)
}

// HandleHistory returns a page of messages.
func (s *Service) HandleHistory(w http.ResponseWriter, r *http.Request) error {
	var q HistoryQuery
	var err error
	if q.Before, err = queryInt(r, "before"); err != nil {
		return err
	}
	if q.After, err = queryInt(r, "after"); err != nil {
		return err
	}
	if q.Limit, err = queryLimit(r); err != nil {
		return err
	}
	q.Around = r.URL.Query().Get("around")
	q.ThreadRootID = r.URL.Query().Get("thread_root_id")
	n := 0
	for _, set := range []bool{q.Before != nil, q.After != nil, q.Around != ""} {
		if set {
			n++
		}
	}
	if n > 1 {
		return apperr.New(apperr.KindInvalid, "invalid_query", "use at most one of before, after and around")
	}
	h, err := s.History(r.Context(), r.PathValue("id"), q)
	if err != nil {
		return err
	}
	return httpx.OK(w, h)
}

// HandlePins lists the pinned messages.
func (s *Service) HandlePins(w http.ResponseWriter, r *http.Request) error {
	ms, err := s.Pins(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return httpx.OK(w, MessageList{Items: ms})
}

// HandleGetMessage returns one message.
func (s *Service) HandleGetMessage(w http.ResponseWriter, r *http.Request) error {
	m, err := s.GetMessage(r.Context(), r.PathValue("id"), r.PathValue("message_id"))
	if err != nil {
		return err
	}
	return httpx.OK(w, m)
}

// HandleEdit edits the caller's message.
func (s *Service) HandleEdit(w http.ResponseWriter, r *http.Request) error {
	var in EditInput
	if err := httpx.DecodeJSONLimit(w, r, &in, MaxSendBody); err != nil {
		return err
	}
	m, err := s.Edit(r.Context(), r.PathValue("id"), r.PathValue("message_id"), in.Body)
	if err != nil {
		return err
	}
	return httpx.OK(w, m)
}

// HandleEdits lists a message's earlier versions.
func (s *Service) HandleEdits(w http.ResponseWriter, r *http.Request) error {
	es, err := s.Edits(r.Context(), r.PathValue("id"), r.PathValue("message_id"))
	if err != nil {
		return err
	}
	return httpx.OK(w, EditList{Items: es})
}

// HandleReceipts says who has read a message.
func (s *Service) HandleReceipts(w http.ResponseWriter, r *http.Request) error {
	rc, err := s.Receipts(r.Context(), r.PathValue("id"), r.PathValue("message_id"))
	if err != nil {
		return err
	}
	return httpx.OK(w, rc)
}

// HandleReact adds the caller's reaction.
func (s *Service) HandleReact(w http.ResponseWriter, r *http.Request) error {
	if err := s.React(r.Context(), r.PathValue("id"), r.PathValue("message_id"), r.PathValue("emoji"), true); err != nil {
		return err
	}
	return httpx.NoContent(w)
}

// HandleUnreact removes the caller's reaction.
func (s *Service) HandleUnreact(w http.ResponseWriter, r *http.Request) error {
	if err := s.React(r.Context(), r.PathValue("id"), r.PathValue("message_id"), r.PathValue("emoji"), false); err != nil {
		return err
	}
	return httpx.NoContent(w)
}

// HandlePin pins a message.
func (s *Service) HandlePin(w http.ResponseWriter, r *http.Request) error {
	if err := s.Pin(r.Context(), r.PathValue("id"), r.PathValue("message_id"), true); err != nil {
		return err
	}
	return httpx.NoContent(w)
}

// HandleUnpin unpins a message.
func (s *Service) HandleUnpin(w http.ResponseWriter, r *http.Request) error {
	if err := s.Pin(r.Context(), r.PathValue("id"), r.PathValue("message_id"), false); err != nil {
		return err
	}
	return httpx.NoContent(w)
}

// HandleSearch searches messages.
func (s *Service) HandleSearch(w http.ResponseWriter, r *http.Request) error {
	qv := r.URL.Query()
	q := SearchQuery{Q: qv.Get("q"), ConversationID: qv.Get("conversation_id"), SenderID: qv.Get("sender_id"), Cursor: qv.Get("cursor")}
	for name, dst := range map[string]*int64{"from": &q.From, "to": &q.To} {
		v, err := queryInt(r, name)
		if err != nil {
			return err
		}
		if v != nil {
			*dst = *v
		}
	}
	if v := qv.Get("has_file"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return apperr.New(apperr.KindInvalid, "invalid_query", "has_file must be true or false").With("param", "has_file")
		}
		q.HasFile = b
	}
	var err error
	if q.Limit, err = queryLimit(r); err != nil {
		return err
	}
	p, err := s.Search(r.Context(), q)
	if err != nil {
		return err
	}
	return httpx.OK(w, p)
}

// HandleNotifications lists the caller's notifications.
func (s *Service) HandleNotifications(w http.ResponseWriter, r *http.Request) error {
	unread := false
	if v := r.URL.Query().Get("unread"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return apperr.New(apperr.KindInvalid, "invalid_query", "unread must be true or false").With("param", "unread")
		}
		unread = b
	}
	limit, err := queryLimit(r)
	if err != nil {
		return err
	}
	// The service checks the cursor (invalid_query when malformed).
	p, err := s.Notifications(r.Context(), unread, r.URL.Query().Get("cursor"), limit)
	if err != nil {
		return err
	}
	return httpx.OK(w, p)
}

// HandleNotificationsRead marks notifications read.
func (s *Service) HandleNotificationsRead(w http.ResponseWriter, r *http.Request) error {
	var in NotificationsReadInput
	if err := httpx.DecodeJSON(w, r, &in); err != nil {
		return err
	}
	n, err := s.MarkNotificationsRead(r.Context(), in.MessageIDs, in.All)
	if err != nil {
		return err
	}
	return httpx.OK(w, Count{Count: n})
}

// HandleUpload stores a file: either a multipart/form-data body with a
// "file" part, or the raw bytes as the body with ?name=. The content type is
// sniffed from the bytes, not taken from the client.
func (s *Service) HandleUpload(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, s.MaxFileSize+(1<<20))
	var body io.Reader
	name, declared := r.URL.Query().Get("name"), r.Header.Get("Content-Type")
	mt, _, _ := mime.ParseMediaType(declared)
	if mt == "multipart/form-data" {
		mr, err := r.MultipartReader()
		if err != nil {
			return apperr.Invalid("invalid_multipart", "the multipart body cannot be read")
		}
		for {
			p, err := mr.NextPart()
			if err != nil {
				return apperr.Invalid("missing_file", `the multipart body has no "file" part`)
			}
			if p.FormName() == "file" {
				body, declared = p, p.Header.Get("Content-Type")
				if name == "" {
					name = p.FileName()
				}
				break
			}
		}
	} else {
		body = r.Body
	}
	head := make([]byte, 512)
	n, err := io.ReadFull(body, head)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return uploadError(err)
	}
	head = head[:n]
	f, err := s.Upload(r.Context(), UploadInput{
		Name: name, DeclaredType: declared, SniffedType: http.DetectContentType(head),
		Body: io.MultiReader(bytes.NewReader(head), body),
	})
	if err != nil {
		return uploadError(err)
	}
	return httpx.Created(w, f)
}

func uploadError(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return apperr.New(apperr.KindTooLarge, "file_too_large", "the file is too large").With("max_bytes", mbe.Limit)
	}
	return err
}

// HandleFileMeta returns a file's description.
func (s *Service) HandleFileMeta(w http.ResponseWriter, r *http.Request) error {
	f, err := s.FileMeta(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return httpx.OK(w, f)
}

// HandleDownload serves a file's bytes (with range requests).
func (s *Service) HandleDownload(w http.ResponseWriter, r *http.Request) error {
	return s.serveFile(w, r, false)
}

// HandleThumbnail serves an image's thumbnail.
func (s *Service) HandleThumbnail(w http.ResponseWriter, r *http.Request) error {
	return s.serveFile(w, r, true)
}

func (s *Service) serveFile(w http.ResponseWriter, r *http.Request, thumb bool) error {
	f, o, _, err := s.OpenFile(r.Context(), r.PathValue("id"), thumb)
	if err != nil {
		return err
	}
	defer o.Close()
	ct := f.ContentType
	if thumb {
		ct = "image/jpeg"
		if f.ContentType == "image/png" || f.ContentType == "image/gif" {
			ct = "image/png"
		}
	}
	inline := strings.HasPrefix(ct, "image/") || strings.HasPrefix(ct, "audio/") || strings.HasPrefix(ct, "video/")
	disp := "attachment"
	if inline {
		disp = "inline"
	}
	h := w.Header()
	h.Set("Content-Type", ct)
	h.Set("Content-Disposition", disp+"; filename*=UTF-8''"+url.PathEscape(f.Name))
	h.Set("Cache-Control", "private, max-age=86400")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	http.ServeContent(w, r, "", time.UnixMilli(f.CreatedAt), o)
	return nil
}

// HandleSave answers PUT …/messages/{message_id}/saved.
func (s *Service) HandleSave(w http.ResponseWriter, r *http.Request) error {
	if err := s.Save(r.Context(), r.PathValue("id"), r.PathValue("message_id"), true); err != nil {
		return err
	}
	return httpx.NoContent(w)
}

// HandleUnsave answers DELETE …/messages/{message_id}/saved.
func (s *Service) HandleUnsave(w http.ResponseWriter, r *http.Request) error {
	if err := s.Save(r.Context(), r.PathValue("id"), r.PathValue("message_id"), false); err != nil {
		return err
	}
	return httpx.NoContent(w)
}

// HandleSaved answers GET /api/v1/me/saved-messages.
func (s *Service) HandleSaved(w http.ResponseWriter, r *http.Request) error {
	limit, err := queryLimit(r)
	if err != nil {
		return err
	}
	p, err := s.Saved(r.Context(), r.URL.Query().Get("cursor"), limit)
	if err != nil {
		return err
	}
	return httpx.OK(w, p)
}

// HandleForward forwards messages of the conversation to other conversations.
func (s *Service) HandleForward(w http.ResponseWriter, r *http.Request) error {
	var in ForwardInput
	if err := httpx.DecodeJSONLimit(w, r, &in, MaxSendBody); err != nil {
		return err
	}
	out, created, err := s.Forward(r.Context(), r.PathValue("id"), in)
	if err != nil {
		return err
	}
	if !created {
		return httpx.OK(w, out)
	}
	return httpx.Created(w, out)
}
