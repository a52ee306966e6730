package drive

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/blob"
	"github.com/atrium-hq/atrium/internal/platform/httpx"
	"github.com/atrium-hq/atrium/internal/platform/reqctx"
)

// HTTP handlers: decode, call the service, encode. Routes are listed in
// internal/server/routes.go.

// maxBody bounds a JSON request.
const maxBody = 64 << 10

// PasswordHeader carries a link's password.
const PasswordHeader = "X-Link-Password"

// sniff returns the body with the content type its first 512 bytes show
// (never the client's word), without buffering more than that.
func sniff(body io.Reader) (io.Reader, string) {
	br := bufio.NewReaderSize(body, 512)
	head, _ := br.Peek(512)
	if len(head) == 0 {
		return br, ""
	}
	return br, http.DetectContentType(head)
}

// size is the body's announced length (-1 for unknown).
func size(r *http.Request) int64 {
	if r.ContentLength >= 0 {
		return r.ContentLength
	}
	return -1
}

// serve writes a file's bytes with range support (http.ServeContent on
// the seekable body): never sniffed by the browser, sandboxed should it be
// opened, images other than SVG inline and anything else a download.
func serve(w http.ResponseWriter, r *http.Request, it Item, o blob.Object) error {
	defer o.Close()
	ct := it.ContentType
	disp := "attachment"
	csp := "default-src 'none'; sandbox"
	if strings.HasPrefix(ct, "image/") && ct != "image/svg+xml" {
		disp = "inline"
	}
	if ct == "application/pdf" && r.URL.Query().Get("inline") == "1" {
		// Shown by the browser's own PDF viewer (the preview pane opens
		// it): a sandboxed document has no plugins, so only scripts and
		// everything else are refused.
		disp = "inline"
		csp = "default-src 'none'; object-src 'self'; style-src 'unsafe-inline'"
	}
	h := w.Header()
	h.Set("Content-Type", ct)
	h.Set("Content-Disposition", disp+"; filename*=UTF-8''"+url.PathEscape(it.Name))
	h.Set("Cache-Control", "private, no-cache")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", csp)
	h.Set("ETag", it.ETag)
	http.ServeContent(w, r, "", time.UnixMilli(it.UpdatedAt), o)
	return nil
}

func decode[T any](w http.ResponseWriter, r *http.Request) (T, error) {
	var v T
	err := httpx.DecodeJSONLimit(w, r, &v, maxBody)
	return v, err
}

// HandleListSpaces lists the caller's spaces.
func (s *Service) HandleListSpaces(w http.ResponseWriter, r *http.Request) error {
	l, err := s.ListSpaces(r.Context())
	if err != nil {
		return err
	}
	return httpx.OK(w, l)
}

// HandleMySpace returns the caller's personal space.
func (s *Service) HandleMySpace(w http.ResponseWriter, r *http.Request) error {
	sp, err := s.MySpace(r.Context())
	if err != nil {
		return err
	}
	return httpx.OK(w, sp)
}

// HandleCreateSpace creates an organization space.
func (s *Service) HandleCreateSpace(w http.ResponseWriter, r *http.Request) error {
	in, err := decode[SpaceInput](w, r)
	if err != nil {
		return err
	}
	sp, err := s.CreateSpace(r.Context(), in)
	if err != nil {
		return err
	}
	return httpx.Created(w, sp)
}

// HandleGetSpace returns a space.
func (s *Service) HandleGetSpace(w http.ResponseWriter, r *http.Request) error {
	sp, err := s.GetSpace(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return httpx.OK(w, sp)
}

// HandleUpdateSpace changes an organization space.
func (s *Service) HandleUpdateSpace(w http.ResponseWriter, r *http.Request) error {
	p, err := decode[SpacePatch](w, r)
	if err != nil {
		return err
	}
	sp, err := s.UpdateSpace(r.Context(), r.PathValue("id"), p)
	if err != nil {
		return err
	}
	return httpx.OK(w, sp)
}

// HandleDeleteSpace deletes an organization space.
func (s *Service) HandleDeleteSpace(w http.ResponseWriter, r *http.Request) error {
	if err := s.DeleteSpace(r.Context(), r.PathValue("id")); err != nil {
		return err
	}
	return httpx.NoContent(w)
}

// HandleResolvePath returns the item at ?path= in a space.
func (s *Service) HandleResolvePath(w http.ResponseWriter, r *http.Request) error {
	it, err := s.ResolvePath(r.Context(), r.PathValue("id"), r.URL.Query().Get("path"))
	if err != nil {
		return err
	}
	return httpx.OK(w, it)
}

// HandleTrash lists a space's trash.
func (s *Service) HandleTrash(w http.ResponseWriter, r *http.Request) error {
	l, err := s.ListTrash(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return httpx.OK(w, l)
}

// Emptied is how many trashed items were deleted for good.
type Emptied struct {
	Deleted int `json:"deleted"`
}

// HandleEmptyTrash empties a space's trash.
func (s *Service) HandleEmptyTrash(w http.ResponseWriter, r *http.Request) error {
	n, err := s.EmptyTrash(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return httpx.OK(w, Emptied{Deleted: n})
}

// HandleGetItem returns an item.
func (s *Service) HandleGetItem(w http.ResponseWriter, r *http.Request) error {
	it, err := s.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return httpx.OK(w, it)
}

// HandleRename renames an item.
func (s *Service) HandleRename(w http.ResponseWriter, r *http.Request) error {
	in, err := decode[RenameInput](w, r)
	if err != nil {
		return err
	}
	it, err := s.Rename(r.Context(), r.PathValue("id"), in.Name)
	if err != nil {
		return err
	}
	return httpx.OK(w, it)
}

// HandleTrashItem moves an item to the trash.
func (s *Service) HandleTrashItem(w http.ResponseWriter, r *http.Request) error {
	if err := s.Trash(r.Context(), r.PathValue("id")); err != nil {
		return err
	}
	return httpx.NoContent(w)
}

// HandleChildren lists a folder.
func (s *Service) HandleChildren(w http.ResponseWriter, r *http.Request) error {
	l, err := s.List(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return httpx.OK(w, l)
}

// HandleAncestors lists the folders above an item.
func (s *Service) HandleAncestors(w http.ResponseWriter, r *http.Request) error {
	l, err := s.Ancestors(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return httpx.OK(w, l)
}

// HandleCreateFolder creates a folder.
func (s *Service) HandleCreateFolder(w http.ResponseWriter, r *http.Request) error {
	in, err := decode[FolderInput](w, r)
	if err != nil {
		return err
	}
	it, err := s.CreateFolder(r.Context(), in)
	if err != nil {
		return err
	}
	return httpx.Created(w, it)
}

// HandleUpload streams the raw body into the folder {id} as ?name=
// (?replace=true: a new version of a file of that name).
func (s *Service) HandleUpload(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	body, ct := sniff(r.Body)
	it, created, err := s.Upload(r.Context(), UploadInput{ParentID: r.PathValue("id"), Name: q.Get("name"), ContentType: ct, Body: body,
		Size: size(r), Replace: q.Get("replace") == "true"})
	if err != nil {
		return err
	}
	if created {
		return httpx.Created(w, it)
	}
	return httpx.OK(w, it)
}

// HandleOverwrite streams new content for a file (If-Match: its ETag,
// optional).
func (s *Service) HandleOverwrite(w http.ResponseWriter, r *http.Request) error {
	body, ct := sniff(r.Body)
	it, err := s.Overwrite(r.Context(), r.PathValue("id"), ContentInput{ContentType: ct, Body: body, Size: size(r), IfMatch: r.Header.Get("If-Match")})
	if err != nil {
		return err
	}
	return httpx.OK(w, it)
}

// HandleDownload serves a file's bytes (?version= for an earlier one),
// with ranges.
func (s *Service) HandleDownload(w http.ResponseWriter, r *http.Request) error {
	var it Item
	var o blob.Object
	var err error
	if v := r.URL.Query().Get("version"); v != "" {
		n, perr := strconv.Atoi(v)
		if perr != nil || n < 1 {
			return apperr.InvalidField("version", "a version number")
		}
		it, o, err = s.OpenVersion(r.Context(), r.PathValue("id"), n)
	} else {
		it, o, err = s.Open(r.Context(), r.PathValue("id"))
	}
	if err != nil {
		return err
	}
	return serve(w, r, it, o)
}

// HandleMove moves an item.
func (s *Service) HandleMove(w http.ResponseWriter, r *http.Request) error {
	in, err := decode[MoveInput](w, r)
	if err != nil {
		return err
	}
	it, err := s.Move(r.Context(), r.PathValue("id"), in)
	if err != nil {
		return err
	}
	return httpx.OK(w, it)
}

// HandleCopy copies an item.
func (s *Service) HandleCopy(w http.ResponseWriter, r *http.Request) error {
	in, err := decode[MoveInput](w, r)
	if err != nil {
		return err
	}
	it, err := s.Copy(r.Context(), r.PathValue("id"), in)
	if err != nil {
		return err
	}
	return httpx.Created(w, it)
}

// HandleRestore brings an item back from the trash.
func (s *Service) HandleRestore(w http.ResponseWriter, r *http.Request) error {
	it, err := s.Restore(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return httpx.OK(w, it)
}

// HandleDeleteForever deletes an item in the trash for good.
func (s *Service) HandleDeleteForever(w http.ResponseWriter, r *http.Request) error {
	if err := s.DeleteForever(r.Context(), r.PathValue("id")); err != nil {
		return err
	}
	return httpx.NoContent(w)
}

// HandleVersions lists a file's versions.
func (s *Service) HandleVersions(w http.ResponseWriter, r *http.Request) error {
	l, err := s.Versions(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return httpx.OK(w, l)
}

// HandleRestoreVersion makes an earlier version current again.
func (s *Service) HandleRestoreVersion(w http.ResponseWriter, r *http.Request) error {
	n, err := strconv.Atoi(r.PathValue("version"))
	if err != nil || n < 1 {
		return apperr.ErrNotFound
	}
	it, err := s.RestoreVersion(r.Context(), r.PathValue("id"), n)
	if err != nil {
		return err
	}
	return httpx.OK(w, it)
}

// HandleShares lists an item's shares.
func (s *Service) HandleShares(w http.ResponseWriter, r *http.Request) error {
	l, err := s.Shares(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return httpx.OK(w, l)
}

// HandleAddShare shares an item.
func (s *Service) HandleAddShare(w http.ResponseWriter, r *http.Request) error {
	in, err := decode[ShareInput](w, r)
	if err != nil {
		return err
	}
	sh, err := s.AddShare(r.Context(), r.PathValue("id"), in)
	if err != nil {
		return err
	}
	return httpx.Created(w, sh)
}

// HandleRemoveShare stops a share.
func (s *Service) HandleRemoveShare(w http.ResponseWriter, r *http.Request) error {
	if err := s.RemoveShare(r.Context(), r.PathValue("id"), r.PathValue("share_id")); err != nil {
		return err
	}
	return httpx.NoContent(w)
}

// HandleSharedWithMe lists what is shared with the caller.
func (s *Service) HandleSharedWithMe(w http.ResponseWriter, r *http.Request) error {
	l, err := s.SharedWithMe(r.Context())
	if err != nil {
		return err
	}
	return httpx.OK(w, l)
}

// HandleSearch finds items by name.
func (s *Service) HandleSearch(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	l, err := s.Search(r.Context(), q.Get("space_id"), q.Get("q"))
	if err != nil {
		return err
	}
	return httpx.OK(w, l)
}

// HandleLinks lists an item's links.
func (s *Service) HandleLinks(w http.ResponseWriter, r *http.Request) error {
	l, err := s.Links(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return httpx.OK(w, l)
}

// HandleCreateLink makes a link.
func (s *Service) HandleCreateLink(w http.ResponseWriter, r *http.Request) error {
	in, err := decode[LinkInput](w, r)
	if err != nil {
		return err
	}
	l, err := s.CreateLink(r.Context(), r.PathValue("id"), in)
	if err != nil {
		return err
	}
	return httpx.Created(w, l)
}

// HandleRevokeLink ends a link.
func (s *Service) HandleRevokeLink(w http.ResponseWriter, r *http.Request) error {
	if _, err := s.RevokeLink(r.Context(), r.PathValue("id")); err != nil {
		return err
	}
	return httpx.NoContent(w)
}

// HandleLinkAccess lists a link's uses.
func (s *Service) HandleLinkAccess(w http.ResponseWriter, r *http.Request) error {
	l, err := s.LinkAccessLog(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return httpx.OK(w, l)
}

// HandleSettings returns the drive settings.
func (s *Service) HandleSettings(w http.ResponseWriter, r *http.Request) error {
	st, err := s.Settings(r.Context())
	if err != nil {
		return err
	}
	return httpx.OK(w, st)
}

// HandleUpdateSettings changes the drive settings.
func (s *Service) HandleUpdateSettings(w http.ResponseWriter, r *http.Request) error {
	p, err := decode[SettingsPatch](w, r)
	if err != nil {
		return err
	}
	st, err := s.UpdateSettings(r.Context(), p)
	if err != nil {
		return err
	}
	return httpx.OK(w, st)
}

// Resumable uploads (tus-like headers beside the JSON answers).

func uploadHeaders(w http.ResponseWriter, u UploadSession) {
	h := w.Header()
	h.Set("Upload-Offset", strconv.FormatInt(u.Offset, 10))
	h.Set("Upload-Length", strconv.FormatInt(u.Size, 10))
	h.Set("Cache-Control", "no-store")
}

// HandleCreateUpload starts a resumable upload.
func (s *Service) HandleCreateUpload(w http.ResponseWriter, r *http.Request) error {
	in, err := decode[SessionInput](w, r)
	if err != nil {
		return err
	}
	u, err := s.CreateUpload(r.Context(), in)
	if err != nil {
		return err
	}
	uploadHeaders(w, u)
	w.Header().Set("Location", "/api/v1/drive/uploads/"+u.ID)
	return httpx.Created(w, u)
}

// HandleUploadStatus answers an upload's offset (GET, and HEAD with the
// headers only).
func (s *Service) HandleUploadStatus(w http.ResponseWriter, r *http.Request) error {
	u, err := s.UploadStatus(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	uploadHeaders(w, u)
	return httpx.OK(w, u)
}

// HandleWriteChunk appends the body at the Upload-Offset header's offset.
func (s *Service) HandleWriteChunk(w http.ResponseWriter, r *http.Request) error {
	off, err := strconv.ParseInt(r.Header.Get("Upload-Offset"), 10, 64)
	if err != nil || off < 0 {
		off = -1 // refused once the upload is found
	}
	u, err := s.WriteChunk(r.Context(), r.PathValue("id"), off, r.Body)
	if err != nil {
		return err
	}
	uploadHeaders(w, u)
	return httpx.OK(w, u)
}

// HandleCompleteUpload makes the file of a finished upload.
func (s *Service) HandleCompleteUpload(w http.ResponseWriter, r *http.Request) error {
	in, err := decode[CompleteInput](w, r)
	if err != nil {
		return err
	}
	it, err := s.CompleteUpload(r.Context(), r.PathValue("id"), in)
	if err != nil {
		return err
	}
	return httpx.Created(w, it)
}

// HandleCancelUpload drops an upload.
func (s *Service) HandleCancelUpload(w http.ResponseWriter, r *http.Request) error {
	if err := s.CancelUpload(r.Context(), r.PathValue("id")); err != nil {
		return err
	}
	return httpx.NoContent(w)
}

// Public links: no session needed (one is used when present).

// visitor describes a link's user: the network of their address (/24 for
// IPv4, /48 for IPv6: enough for the owner to tell visits apart, not a
// person's address), their browser, and the password header.
func visitor(r *http.Request) Visitor {
	rc := reqctx.From(r.Context())
	v := Visitor{UserAgent: rc.UserAgent, Password: r.Header.Get(PasswordHeader)}
	if c, err := r.Cookie(GrantCookie); err == nil {
		v.Grant = c.Value
	}
	if ip := net.ParseIP(rc.ClientIP); ip != nil {
		if ip4 := ip.To4(); ip4 != nil {
			v.Network = (&net.IPNet{IP: ip4.Mask(net.CIDRMask(24, 32)), Mask: net.CIDRMask(24, 32)}).String()
		} else {
			v.Network = (&net.IPNet{IP: ip.Mask(net.CIDRMask(48, 128)), Mask: net.CIDRMask(48, 128)}).String()
		}
	}
	return v
}

// HandleOpenLink shows what a link is for.
func (s *Service) HandleOpenLink(w http.ResponseWriter, r *http.Request) error {
	l, err := s.OpenLink(r.Context(), r.PathValue("token"), visitor(r))
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	return httpx.OK(w, l)
}

// HandleLinkChildren lists a folder through a link (?folder_id=, the
// link's folder by default).
func (s *Service) HandleLinkChildren(w http.ResponseWriter, r *http.Request) error {
	l, err := s.LinkList(r.Context(), r.PathValue("token"), r.URL.Query().Get("folder_id"), visitor(r))
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	return httpx.OK(w, l)
}

// HandleLinkDownload serves a file through a link (?item_id=, the link's
// file by default), with ranges.
func (s *Service) HandleLinkDownload(w http.ResponseWriter, r *http.Request) error {
	it, o, err := s.LinkOpen(r.Context(), r.PathValue("token"), r.URL.Query().Get("item_id"), visitor(r))
	if err != nil {
		return err
	}
	return serve(w, r, it, o)
}

// HandleLinkGrant checks a link's password and sets the link's grant as
// a cookie scoped to the link's routes.
func (s *Service) HandleLinkGrant(w http.ResponseWriter, r *http.Request) error {
	token := r.PathValue("token")
	g, err := s.GrantLink(r.Context(), token, visitor(r))
	if err != nil {
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: GrantCookie, Value: g.Token, Path: "/api/v1/drive/public/" + url.PathEscape(token),
		MaxAge: int(LinkGrantTTL / time.Second), HttpOnly: true, Secure: s.SecureCookies, SameSite: http.SameSiteStrictMode})
	w.Header().Set("Cache-Control", "no-store")
	return httpx.OK(w, g)
}

// HandleLinkUpload stores the raw body in a folder through an edit link.
func (s *Service) HandleLinkUpload(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	body, ct := sniff(r.Body)
	it, err := s.LinkUpload(r.Context(), r.PathValue("token"), q.Get("folder_id"), q.Get("name"), ct, body, size(r), visitor(r))
	if err != nil {
		return err
	}
	return httpx.Created(w, it)
}
