package drive

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"

	"golang.org/x/crypto/argon2"

	"github.com/atrium-hq/atrium/internal/platform/actor"
	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/blob"
	"github.com/atrium-hq/atrium/internal/platform/db"
	"github.com/atrium-hq/atrium/internal/platform/ids"
)

// Links: a secret URL to an item, with a permission (view, download,
// edit), an optional expiry and an optional password, revocable. The
// token is shown once, when the link is made, and kept only as its
// SHA-256; the password only as an argon2id hash. The organization's
// link_sharing setting decides whether links can be made and used at all
// (none), only by its signed-in members (inside), or by anyone (public);
// changing it applies to existing links at their next use. Every use of
// a link — allowed or refused — is recorded for the item's editors.

// Link is a link to an item as its editors see it.
type Link struct {
	ID          string `json:"id"`
	ItemID      string `json:"item_id"`
	Permission  string `json:"permission"`
	HasPassword bool   `json:"has_password"`
	ExpiresAt   int64  `json:"expires_at,omitempty"`
	RevokedAt   int64  `json:"revoked_at,omitempty"`
	CreatedBy   string `json:"created_by"`
	CreatedAt   int64  `json:"created_at"`
	// Token is the link's secret, in the answer that created it only.
	Token string `json:"token,omitempty"`
}

// LinkInput makes a link.
type LinkInput struct {
	Permission string `json:"permission"`
	// Password, when set, must be given with every use (8 to 256 bytes).
	Password string `json:"password,omitempty"`
	// ExpiresAt (unix ms), when set, ends the link.
	ExpiresAt int64 `json:"expires_at,omitempty"`
}

// LinkList is an item's links, newest first.
type LinkList struct {
	Items []Link `json:"items"`
}

// Access is one use of a link.
type Access struct {
	ID     string `json:"id"`
	ItemID string `json:"item_id"`
	// Action is info, list, thumbnail, download, upload or grant (the
	// password given for a grant, linkgrant.go).
	Action string `json:"action"`
	// AccountID is the signed-in person who used it ("" for anonymous).
	AccountID string `json:"account_id,omitempty"`
	// Network is the visitor's address, truncated (/24, /48).
	Network   string `json:"network"`
	UserAgent string `json:"user_agent"`
	// Outcome is ok, or why it was refused: expired, password (none
	// given), wrong_password, throttled (too many wrong passwords),
	// sign_in, disabled, permission.
	Outcome string `json:"outcome"`
	At      int64  `json:"at"`
}

// AccessList is a link's uses, newest first.
type AccessList struct {
	Items []Access `json:"items"`
}

// Visitor is who uses a link: their truncated network and browser (the
// signed-in account, if any, comes from ctx).
type Visitor struct {
	Network   string
	UserAgent string
	// Password is the one given with the request ("" for none).
	Password string
	// Grant is the link's grant sent with the request ("" for none):
	// without a password, a live grant of the link stands for it
	// (linkgrant.go).
	Grant string
}

// LinkInfo is what a link shows: the item (a folder's contents are listed
// apart) and what the link allows.
type LinkInfo struct {
	Item       Item   `json:"item"`
	Permission string `json:"permission"`
	ExpiresAt  int64  `json:"expires_at,omitempty"`
}

func linkOf(r linkRow) Link {
	return Link{ID: r.ID, ItemID: r.ItemID, Permission: r.Permission, HasPassword: r.PasswordHash != "", ExpiresAt: r.ExpiresAt,
		RevokedAt: r.RevokedAt, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt}
}

func tokenHash(tok string) string {
	h := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(h[:])
}

// Password hashing for links: argon2id, lighter than for accounts (a
// link's password guards one item, and uses are logged).
const (
	linkArgonTime   = 2
	linkArgonMemory = 19 * 1024
	linkArgonKeyLen = 32
)

func hashLinkPassword(pw string) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	k := argon2.IDKey([]byte(pw), salt, linkArgonTime, linkArgonMemory, 1, linkArgonKeyLen)
	b := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=1$%s$%s", argon2.Version, linkArgonMemory, linkArgonTime, b.EncodeToString(salt), b.EncodeToString(k)), nil
}

func checkLinkPassword(encoded, pw string) bool {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 {
		return false
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil || m == 0 || m > 1<<20 || t == 0 || t > 16 || p == 0 {
		return false
	}
	b := base64.RawStdEncoding
	salt, err1 := b.DecodeString(parts[4])
	want, err2 := b.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) == 0 || len(want) > 64 {
		return false
	}
	got := argon2.IDKey([]byte(pw), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

var errLinkSharingOff = apperr.Forbidden("link_sharing_disabled", "the organization does not allow links")

// CreateLink makes a link to an item (its editors) when the organization
// allows links; the answer carries the token, shown this once.
func (s *Service) CreateLink(ctx context.Context, itemID string, in LinkInput) (Link, error) {
	c, err := s.caller(ctx)
	if err != nil {
		return Link{}, err
	}
	switch in.Permission {
	case LinkView, LinkDownload, LinkEdit:
	default:
		return Link{}, apperr.InvalidField("permission", "view, download or edit")
	}
	if in.Password != "" && (len(in.Password) < 8 || len(in.Password) > 256) {
		return Link{}, apperr.InvalidField("password", "8 to 256 bytes")
	}
	if in.ExpiresAt != 0 && in.ExpiresAt <= s.now() {
		return Link{}, apperr.InvalidField("expires_at", "must be in the future")
	}
	t, err := s.item(ctx, c, itemID, RoleEditor)
	if err != nil {
		return Link{}, err
	}
	if in.Permission == LinkEdit && t.it.Kind != ItemFolder {
		return Link{}, apperr.InvalidField("permission", "edit links are for folders")
	}
	st, err := settingsOf(ctx, s.DB, c.OrgID)
	if err != nil {
		return Link{}, err
	}
	if st.LinkSharing == LinkSharingNone {
		return Link{}, errLinkSharingOff
	}
	var tb [24]byte
	if _, err := rand.Read(tb[:]); err != nil {
		return Link{}, err
	}
	tok := base64.RawURLEncoding.EncodeToString(tb[:])
	r := linkRow{ID: ids.New("dln"), OrgID: c.OrgID, SpaceID: t.sp.ID, ItemID: t.it.ID, TokenHash: tokenHash(tok), Permission: in.Permission,
		ExpiresAt: in.ExpiresAt, CreatedBy: c.AccountID, CreatedAt: s.now()}
	if in.Password != "" {
		if r.PasswordHash, err = hashLinkPassword(in.Password); err != nil {
			return Link{}, err
		}
	}
	err = s.DB.Tx(ctx, func(ctx context.Context) error {
		if err := insertLink(ctx, s.DB, r); err != nil {
			return err
		}
		return s.record(ctx, c.OrgID, "drive.link.create", "drive_item", t.it.ID, map[string]any{"link_id": r.ID, "permission": r.Permission})
	})
	if err != nil {
		return Link{}, err
	}
	l := linkOf(r)
	l.Token = tok
	return l, nil
}

// Links lists an item's links (its editors).
func (s *Service) Links(ctx context.Context, itemID string) (LinkList, error) {
	c, err := s.caller(ctx)
	if err != nil {
		return LinkList{}, err
	}
	t, err := s.item(ctx, c, itemID, RoleEditor)
	if err != nil {
		return LinkList{}, err
	}
	rows, err := linksOf(ctx, s.DB, c.OrgID, t.it.ID)
	if err != nil {
		return LinkList{}, err
	}
	out := LinkList{Items: make([]Link, len(rows))}
	for i, r := range rows {
		out.Items[i] = linkOf(r)
	}
	return out, nil
}

// link loads a link of the caller's organization whose item the caller
// may edit.
func (s *Service) link(ctx context.Context, c *caller, id string) (linkRow, error) {
	r, err := getLink(ctx, s.DB, c.OrgID, id)
	if errors.Is(err, db.ErrNotFound) {
		return linkRow{}, errNotFound
	}
	if err != nil {
		return linkRow{}, err
	}
	if _, err := s.item(ctx, c, r.ItemID, RoleEditor); err != nil {
		return linkRow{}, err
	}
	return r, nil
}

// RevokeLink ends a link at once (the item's editors).
func (s *Service) RevokeLink(ctx context.Context, linkID string) (Link, error) {
	c, err := s.caller(ctx)
	if err != nil {
		return Link{}, err
	}
	r, err := s.link(ctx, c, linkID)
	if err != nil {
		return Link{}, err
	}
	if r.RevokedAt == 0 {
		r.RevokedAt = s.now()
		err = s.DB.Tx(ctx, func(ctx context.Context) error {
			if err := revokeLink(ctx, s.DB, r.ID, r.RevokedAt); err != nil {
				return err
			}
			return s.record(ctx, c.OrgID, "drive.link.revoke", "drive_item", r.ItemID, map[string]any{"link_id": r.ID})
		})
		if err != nil {
			return Link{}, err
		}
	}
	return linkOf(r), nil
}

// LinkAccessLog lists a link's uses, newest first, at most 500 (the
// item's editors).
func (s *Service) LinkAccessLog(ctx context.Context, linkID string) (AccessList, error) {
	c, err := s.caller(ctx)
	if err != nil {
		return AccessList{}, err
	}
	r, err := s.link(ctx, c, linkID)
	if err != nil {
		return AccessList{}, err
	}
	rows, err := accessOf(ctx, s.DB, r.ID, 500)
	if err != nil {
		return AccessList{}, err
	}
	out := AccessList{Items: make([]Access, len(rows))}
	for i, a := range rows {
		out.Items[i] = Access{ID: a.ID, ItemID: a.ItemID, Action: a.Action, AccountID: a.AccountID, Network: a.Network,
			UserAgent: a.UserAgent, Outcome: a.Outcome, At: a.At}
	}
	return out, nil
}

// Link use actions.
const (
	actInfo     = "info"
	actList     = "list"
	actDownload = "download"
	actUpload   = "upload"
	// actThumbnail is a thumbnail's picture, which a view link shows.
	actThumbnail = "thumbnail"
)

// useLink checks a use of the link with token for action on the item id
// under the link's item ("" for the link's item), records it, and returns
// the link, the item and its space. Unknown and revoked tokens are 404
// (and not recorded: they name no link).
func (s *Service) useLink(ctx context.Context, token string, v Visitor, action, id string) (linkRow, itemRow, spaceRow, error) {
	if token == "" || len(token) > 100 {
		return linkRow{}, itemRow{}, spaceRow{}, errNotFound
	}
	l, err := linkByToken(ctx, s.DB, tokenHash(token))
	if errors.Is(err, db.ErrNotFound) || (err == nil && l.RevokedAt != 0) {
		return linkRow{}, itemRow{}, spaceRow{}, errNotFound
	}
	if err != nil {
		return linkRow{}, itemRow{}, spaceRow{}, err
	}
	acc := ""
	if a := actor.From(ctx); a != nil {
		acc = a.AccountID
	}
	logUse := func(outcome, itemID string) {
		ua := v.UserAgent
		if len(ua) > 300 {
			ua = ua[:300]
		}
		if err := insertAccess(context.WithoutCancel(ctx), s.DB, accessRow{ID: ids.New("dla"), OrgID: l.OrgID, LinkID: l.ID, ItemID: itemID,
			Action: action, AccountID: acc, Network: v.Network, UserAgent: strings.ToValidUTF8(ua, ""), Outcome: outcome, At: s.now()}); err != nil {
			s.Log.WarnContext(ctx, "drive: record a link's use", "err", err)
		}
	}
	fail := func(outcome string, e error) (linkRow, itemRow, spaceRow, error) {
		logUse(outcome, l.ItemID)
		return linkRow{}, itemRow{}, spaceRow{}, e
	}
	st, err := settingsOf(ctx, s.DB, l.OrgID)
	if err != nil {
		return linkRow{}, itemRow{}, spaceRow{}, err
	}
	switch st.LinkSharing {
	case LinkSharingNone:
		return fail("disabled", errLinkSharingOff)
	case LinkSharingInside:
		if acc == "" || s.Directory.MemberOfAccount(ctx, l.OrgID, acc) == "" {
			return fail("sign_in", apperr.New(apperr.KindUnauthenticated, "link_sign_in_required", "sign in as a member of the organization to open this link"))
		}
	}
	if l.ExpiresAt != 0 && l.ExpiresAt <= s.now() {
		return fail("expired", apperr.New(apperr.KindGone, "link_expired", "the link has expired"))
	}
	viaGrant := false
	if l.PasswordHash != "" && v.Password == "" && v.Grant != "" {
		if viaGrant, err = s.granted(ctx, l, v.Grant); err != nil {
			return linkRow{}, itemRow{}, spaceRow{}, err
		}
	}
	if l.PasswordHash != "" && !viaGrant {
		if v.Password == "" {
			return fail("password", apperr.New(apperr.KindUnauthenticated, "link_password_required", "the link needs its password"))
		}
		if err := s.passwordThrottle(ctx, l.ID); err != nil {
			return fail(OutcomeThrottled, err)
		}
		if !checkLinkPassword(l.PasswordHash, v.Password) {
			return fail(OutcomeWrongPassword, apperr.Forbidden("link_password_invalid", "the password is wrong"))
		}
	}
	need := map[string]string{actInfo: LinkView, actList: LinkView, actThumbnail: LinkView, actDownload: LinkDownload, actUpload: LinkEdit, actGrant: LinkView}[action]
	if linkRank(l.Permission) < linkRank(need) {
		return fail("permission", apperr.Forbidden("link_permission", "the link does not allow it").With("permission", l.Permission))
	}
	if id == "" {
		id = l.ItemID
	}
	it, err := s.getItem(ctx, l.OrgID, id)
	if errors.Is(err, db.ErrNotFound) || (err == nil && it.TrashedAt != 0) {
		return fail("not_found", errNotFound)
	}
	if err != nil {
		return linkRow{}, itemRow{}, spaceRow{}, err
	}
	if id != l.ItemID {
		chain, err := s.chain(ctx, it)
		if err != nil {
			return linkRow{}, itemRow{}, spaceRow{}, err
		}
		under := false
		for _, a := range chain {
			under = under || a == l.ItemID
		}
		if !under {
			return fail("not_found", errNotFound)
		}
	}
	sp, err := getSpace(ctx, s.DB, l.OrgID, it.SpaceID)
	if err != nil {
		return linkRow{}, itemRow{}, spaceRow{}, apperr.MapNotFound(err)
	}
	logUse("ok", it.ID)
	return l, it, sp, nil
}

func linkRank(p string) int {
	switch p {
	case LinkView:
		return 1
	case LinkDownload:
		return 2
	case LinkEdit:
		return 3
	}
	return 0
}

// linkItem is an item as a link shows it: no people.
func linkItem(it itemRow) Item {
	v := itemOf(it, "")
	v.CreatedBy, v.UpdatedBy, v.SpaceID, v.MyRole = "", "", "", ""
	return v
}

// OpenLink returns what a link shows. No session is needed when the
// organization allows public links.
func (s *Service) OpenLink(ctx context.Context, token string, v Visitor) (LinkInfo, error) {
	l, it, _, err := s.useLink(ctx, token, v, actInfo, "")
	if err != nil {
		return LinkInfo{}, err
	}
	return LinkInfo{Item: linkItem(it), Permission: l.Permission, ExpiresAt: l.ExpiresAt}, nil
}

// LinkList lists a folder reached through a link: the link's folder or
// one below it.
func (s *Service) LinkList(ctx context.Context, token, folderID string, v Visitor) (ItemList, error) {
	_, it, _, err := s.useLink(ctx, token, v, actList, folderID)
	if err != nil {
		return ItemList{}, err
	}
	if it.Kind != ItemFolder {
		return ItemList{}, apperr.Conflict("not_a_folder", "a file has no items")
	}
	rows, err := s.childrenOf(ctx, it.OrgID, it.ID)
	if err != nil {
		return ItemList{}, err
	}
	out := ItemList{Items: make([]Item, len(rows))}
	for i, r := range rows {
		out.Items[i] = linkItem(r)
	}
	return out, nil
}

// LinkOpen opens a file reached through a link that allows downloads:
// the link's file, or one below the link's folder.
func (s *Service) LinkOpen(ctx context.Context, token, itemID string, v Visitor) (Item, blob.Object, error) {
	_, it, _, err := s.useLink(ctx, token, v, actDownload, itemID)
	if err != nil {
		return Item{}, nil, err
	}
	o, err := s.openBody(ctx, it)
	if err != nil {
		return Item{}, nil, err
	}
	return linkItem(it), o, nil
}

// LinkUpload stores a file in a folder reached through an edit link
// (409 name_taken for a name in use there).
func (s *Service) LinkUpload(ctx context.Context, token, folderID, name, ct string, body io.Reader, size int64, v Visitor) (Item, error) {
	if err := validName(name); err != nil {
		return Item{}, err
	}
	_, it, sp, err := s.useLink(ctx, token, v, actUpload, folderID)
	if err != nil {
		return Item{}, err
	}
	if it.Kind != ItemFolder {
		return Item{}, apperr.Conflict("not_a_folder", "the parent is a file, not a folder")
	}
	if _, err := s.childByName(ctx, it.ID, name); err == nil {
		return Item{}, nameTaken(name)
	}
	info, err := s.store(ctx, sp, body, size)
	if err != nil {
		return Item{}, err
	}
	nobody := &caller{Actor: &actor.Actor{OrgID: it.OrgID}}
	f, err := s.commitFile(ctx, nobody, sp, it, nil, name, contentType(ct, name), info, "")
	if err != nil {
		return Item{}, err
	}
	return linkItem(f), nil
}
