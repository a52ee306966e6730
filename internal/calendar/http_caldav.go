package calendar

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-ical"
	"github.com/emersion/go-webdav"
	"github.com/emersion/go-webdav/caldav"

	"github.com/atrium-hq/atrium/internal/platform/actor"
	"github.com/atrium-hq/atrium/internal/platform/apperr"
	"github.com/atrium-hq/atrium/internal/platform/db"
)

// CalDAV (RFC 4791) for calendar apps signed in with an app password,
// through go-webdav's caldav package: the principal, its calendar home
// listing the person's calendars in every organization they belong to
// (their personal one and the organization calendars they may view), and
// each calendar's events as calendar objects named by UID, their ETag
// the event's revision. In front of go-webdav this handler adds what it
// lacks: the sync-collection REPORT (RFC 6578) over the calendar's change
// sequence, getctag, sync-token, current-user-privilege-set and
// supported-report-set on calendars, DELETE with If-Match, PROPPATCH
// refused property by property, and the size limit of a PUT.
//
// Paths: /caldav/<account>/ (principal), /caldav/<account>/calendars/ (home),
// /caldav/<account>/calendars/<calendar>/ and …/<calendar>/<uid>.ics. (/dav/
// is the file server's, WebDAV.)

// DAVPrefix is where CalDAV is mounted.
const DAVPrefix = "/caldav"

// maxDAVObject bounds a calendar object sent with PUT.
const maxDAVObject = 1 << 20

// XML namespaces of the properties added here.
const (
	nsDAV    = "DAV:"
	nsCalDAV = "urn:ietf:params:xml:ns:caldav"
	nsCS     = "http://calendarserver.org/ns/"
)

// DAV returns the CalDAV handler; the caller authenticates the request
// (an actor with the account and its starting organization).
func (s *Service) DAV() http.Handler {
	return &davHandler{s: s, h: &caldav.Handler{Backend: &davBackend{s: s}, Prefix: DAVPrefix}}
}

// WellKnownCalDAV redirects /.well-known/caldav to the CalDAV root (RFC 6764).
func WellKnownCalDAV(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, DAVPrefix+"/", http.StatusMovedPermanently)
}

type davHandler struct {
	s *Service
	h *caldav.Handler
}

func (d *davHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if a, err := actor.Caller(r.Context()); err == nil {
		if box := mailbox(a.AccountID, r.URL.Path); box != "" {
			d.serveError(w, d.serveMailbox(w, r, a, box))
			return
		}
	}
	switch r.Method {
	case http.MethodOptions:
		rec := &recorder{header: http.Header{}, status: http.StatusOK}
		d.h.ServeHTTP(rec, r)
		for k, v := range rec.header {
			w.Header()[k] = v
		}
		withScheduleCaps(w.Header())
		w.WriteHeader(rec.status)
		_, _ = w.Write(rec.body.Bytes())
	case "REPORT":
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxDAVObject))
		if err != nil {
			http.Error(w, "request too large", http.StatusRequestEntityTooLarge)
			return
		}
		if isSyncCollection(body) {
			d.serveError(w, d.syncCollection(w, r, body))
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		d.h.ServeHTTP(w, r)
	case http.MethodDelete:
		d.serveError(w, d.delete(w, r))
	case http.MethodPut:
		r.Body = http.MaxBytesReader(w, r.Body, maxDAVObject)
		d.h.ServeHTTP(w, r)
	case "PROPPATCH":
		d.serveError(w, d.proppatch(w, r))
	case "PROPFIND":
		rec := &recorder{header: http.Header{}, status: http.StatusOK}
		d.h.ServeHTTP(rec, r)
		body := rec.body.Bytes()
		if rec.status == http.StatusMultiStatus {
			if b, err := d.addProps(r.Context(), body); err == nil {
				body = b
			}
		}
		for k, v := range rec.header {
			w.Header()[k] = v
		}
		w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		w.WriteHeader(rec.status)
		_, _ = w.Write(body)
	default:
		d.h.ServeHTTP(w, r)
	}
}

// serveError writes a backend error as go-webdav would.
func (d *davHandler) serveError(w http.ResponseWriter, err error) {
	if err == nil {
		return
	}
	var he *davError
	if errors.As(err, &he) {
		if he.body != "" {
			w.Header().Set("Content-Type", "application/xml; charset=utf-8")
			w.WriteHeader(he.code)
			_, _ = io.WriteString(w, he.body)
			return
		}
		http.Error(w, http.StatusText(he.code), he.code)
		return
	}
	code := davStatus(err)
	if code == http.StatusInternalServerError {
		d.s.Log.Error("caldav: request failed", "err", err)
	}
	http.Error(w, http.StatusText(code), code)
}

// davError is a status with an optional XML body (a precondition).
type davError struct {
	code int
	body string
}

func (e *davError) Error() string { return http.StatusText(e.code) }

func precondition(code int, ns, name string) error {
	return &davError{code: code, body: `<?xml version="1.0" encoding="utf-8"?>` + "\n" + `<D:error xmlns:D="DAV:" xmlns:C="` + nsCalDAV + `"><` +
		map[string]string{nsDAV: "D", nsCalDAV: "C"}[ns] + ":" + name + "/></D:error>"}
}

// davStatus maps a service error to its status.
func davStatus(err error) int {
	switch apperr.KindOf(err) {
	case apperr.KindNotFound:
		return http.StatusNotFound
	case apperr.KindForbidden:
		return http.StatusForbidden
	case apperr.KindInvalid:
		return http.StatusBadRequest
	case apperr.KindConflict:
		return http.StatusConflict
	case apperr.KindUnauthenticated:
		return http.StatusUnauthorized
	case apperr.KindTooLarge:
		return http.StatusRequestEntityTooLarge
	}
	if errors.Is(err, db.ErrNotFound) {
		return http.StatusNotFound
	}
	return http.StatusInternalServerError
}

// davErr converts a service error for go-webdav, keeping preconditions.
func davErr(err error) error {
	if err == nil {
		return nil
	}
	var he *davError
	if errors.As(err, &he) {
		return webdav.NewHTTPError(he.code, err)
	}
	if apperr.CodeOf(err) == "room_unavailable" {
		return webdav.NewHTTPError(http.StatusConflict, errors.New("room_unavailable: the room is already booked at that time"))
	}
	var ae *apperr.Error
	if errors.As(err, &ae) && ae.Kind == apperr.KindInvalid {
		msg := ae.Message
		if f, ok := ae.Details["field"].(string); ok {
			msg = f + ": " + msg
		}
		return webdav.NewHTTPError(http.StatusBadRequest, errors.New(msg))
	}
	return webdav.NewHTTPError(davStatus(err), err)
}

type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header         { return r.header }
func (r *recorder) WriteHeader(code int)        { r.status = code }
func (r *recorder) Write(b []byte) (int, error) { return r.body.Write(b) }

// ---- paths and the caller in each organization ----

func principalPath(accountID string) string { return DAVPrefix + "/" + accountID + "/" }
func homePath(accountID string) string      { return principalPath(accountID) + "calendars/" }
func calPath(accountID, calID string) string {
	return homePath(accountID) + calID + "/"
}
func objectPath(accountID, calID, uid string) string {
	return calPath(accountID, calID) + url.PathEscape(uid) + ".ics"
}

// splitPath returns the calendar and object name of a path under the
// caller's home (404 elsewhere).
func splitPath(accountID, p string) (calID, name string, err error) {
	rest, ok := strings.CutPrefix(p, homePath(accountID))
	if !ok {
		return "", "", apperr.ErrNotFound
	}
	calID, name, _ = strings.Cut(strings.TrimSuffix(rest, "/"), "/")
	if calID == "" || strings.Contains(name, "/") {
		return "", "", apperr.ErrNotFound
	}
	if name != "" {
		if name, err = url.PathUnescape(name); err != nil {
			return "", "", apperr.ErrNotFound
		}
		name = strings.TrimSuffix(name, ".ics")
	}
	return calID, name, nil
}

// davCal is a calendar resolved for the caller: the actor of its
// organization and their level.
type davCal struct {
	a     *actor.Actor
	ctx   context.Context
	c     calRow
	level string
}

// resolve returns a calendar of any organization the caller belongs to
// and may view (404 otherwise).
func (s *Service) resolveDAV(ctx context.Context, calID string) (*davCal, error) {
	a, err := actor.Caller(ctx)
	if err != nil {
		return nil, err
	}
	orgID, err := calOrg(ctx, s.DB, calID)
	if err != nil {
		return nil, apperr.MapNotFound(err)
	}
	memberID := ""
	if orgID == a.OrgID {
		memberID = a.MemberID
	} else if s.MemberOfAccount != nil {
		memberID = s.MemberOfAccount(ctx, orgID, a.AccountID)
	}
	if memberID == "" {
		return nil, apperr.ErrNotFound
	}
	oa := &actor.Actor{AccountID: a.AccountID, SessionID: a.SessionID, Via: a.Via, OrgID: orgID, MemberID: memberID}
	octx := actor.With(ctx, oa)
	c, l, err := s.calendar(octx, oa, calID)
	if err != nil {
		return nil, err
	}
	return &davCal{a: oa, ctx: octx, c: c, level: l}, nil
}

// davCalendars lists the calendars of every organization the caller
// belongs to.
func (s *Service) davCalendars(ctx context.Context) ([]*davCal, error) {
	a, err := actor.Caller(ctx)
	if err != nil {
		return nil, err
	}
	ms := []Membership{{OrgID: a.OrgID, MemberID: a.MemberID}}
	if s.Memberships != nil {
		if ms, err = s.Memberships(ctx); err != nil {
			return nil, err
		}
	}
	var out []*davCal
	for _, m := range ms {
		if m.OrgID == "" || m.MemberID == "" {
			continue
		}
		oa := &actor.Actor{AccountID: a.AccountID, SessionID: a.SessionID, Via: a.Via, OrgID: m.OrgID, MemberID: m.MemberID}
		octx := actor.With(ctx, oa)
		rows, levels, err := s.visibleCalendars(octx, oa)
		if err != nil {
			return nil, err
		}
		for i, c := range rows {
			out = append(out, &davCal{a: oa, ctx: octx, c: c, level: levels[i]})
		}
	}
	return out, nil
}

// ---- the caldav.Backend ----

type davBackend struct{ s *Service }

var _ caldav.Backend = (*davBackend)(nil)

func (b *davBackend) CurrentUserPrincipal(ctx context.Context) (string, error) {
	a, err := actor.Caller(ctx)
	if err != nil {
		return "", davErr(err)
	}
	return principalPath(a.AccountID), nil
}

func (b *davBackend) CalendarHomeSetPath(ctx context.Context) (string, error) {
	a, err := actor.Caller(ctx)
	if err != nil {
		return "", davErr(err)
	}
	return homePath(a.AccountID), nil
}

func (b *davBackend) CreateCalendar(context.Context, *caldav.Calendar) error {
	return webdav.NewHTTPError(http.StatusForbidden, errors.New("calendars are created in Atrium"))
}

func (b *davBackend) calendarOf(dc *davCal) caldav.Calendar {
	name := dc.c.Name
	if dc.c.Kind == KindPersonal && name == "" {
		name = "Personal"
	}
	if b.s.OrgName != nil {
		if on := b.s.OrgName(dc.ctx, dc.c.OrgID); on != "" {
			name += " (" + on + ")"
		}
	}
	return caldav.Calendar{Path: calPath(dc.a.AccountID, dc.c.ID), Name: name, Description: dc.c.Description, MaxResourceSize: maxDAVObject,
		SupportedComponentSet: []string{ical.CompEvent}}
}

func (b *davBackend) ListCalendars(ctx context.Context) ([]caldav.Calendar, error) {
	cs, err := b.s.davCalendars(ctx)
	if err != nil {
		return nil, davErr(err)
	}
	out := make([]caldav.Calendar, len(cs))
	for i, dc := range cs {
		out[i] = b.calendarOf(dc)
	}
	return out, nil
}

func (b *davBackend) resolve(ctx context.Context, p string) (*davCal, string, error) {
	a, err := actor.Caller(ctx)
	if err != nil {
		return nil, "", davErr(err)
	}
	calID, name, err := splitPath(a.AccountID, p)
	if err != nil {
		return nil, "", davErr(err)
	}
	dc, err := b.s.resolveDAV(ctx, calID)
	if err != nil {
		return nil, "", davErr(err)
	}
	return dc, name, nil
}

func (b *davBackend) GetCalendar(ctx context.Context, p string) (*caldav.Calendar, error) {
	dc, name, err := b.resolve(ctx, p)
	if err != nil {
		return nil, err
	}
	if name != "" {
		return nil, webdav.NewHTTPError(http.StatusNotFound, nil)
	}
	c := b.calendarOf(dc)
	return &c, nil
}

// etag is an event's ETag: its revision (with its creation, so that an
// event deleted and created again under the same UID changes it).
func etag(ev eventRow) string {
	return strconv.FormatInt(ev.CreatedAt, 36) + "-" + strconv.FormatInt(ev.Revision, 10)
}

// objects returns events of a calendar as calendar objects.
func (b *davBackend) objects(dc *davCal, evs []eventRow) ([]caldav.CalendarObject, error) {
	v := b.s.viewer(dc.a)
	v.levels[dc.c.ID] = dc.level
	xs, err := b.s.icalEvents(dc.ctx, v, evs)
	if err != nil {
		return nil, davErr(err)
	}
	out := make([]caldav.CalendarObject, 0, len(xs))
	for _, x := range xs {
		cal := newVCalendar("")
		cal.Children = encodeEvents("", []icalEvent{x}).Children
		out = append(out, caldav.CalendarObject{Path: objectPath(dc.a.AccountID, dc.c.ID, x.ev.UID), ModTime: time.UnixMilli(x.ev.UpdatedAt),
			ETag: etag(x.ev), Data: cal})
	}
	return out, nil
}

// eventAt returns the event a calendar object name stands for: its UID,
// or its id.
// In the caller's personal calendar, the events they are invited to are
// found too (by UID).
func (b *davBackend) eventAt(dc *davCal, name string) (eventRow, error) {
	ev, err := eventByUID(dc.ctx, b.s.DB, dc.c.OrgID, dc.c.ID, name)
	if errors.Is(err, db.ErrNotFound) {
		ev, err = getEvent(dc.ctx, b.s.DB, dc.c.OrgID, name)
		if err == nil && ev.CalendarID != dc.c.ID {
			err = db.ErrNotFound
		}
	}
	if errors.Is(err, db.ErrNotFound) && invitesShown(dc.a, dc.c) {
		ev, err = invitedByUID(dc.ctx, b.s.DB, dc.c.OrgID, dc.a.MemberID, dc.c.ID, name)
	}
	return ev, err
}

// withInvited adds to the events of a calendar those the caller is
// invited to, when it is their personal calendar (a UID the calendar has
// already stays its own): from the range [from, to), all when to is 0.
func (b *davBackend) withInvited(dc *davCal, evs []eventRow, from, to int64) ([]eventRow, error) {
	if !invitesShown(dc.a, dc.c) {
		return evs, nil
	}
	more, err := eventsInvited(dc.ctx, b.s.DB, dc.c.OrgID, dc.a.MemberID, dc.c.ID, from, to)
	if err != nil {
		return nil, err
	}
	uids := map[string]bool{}
	for _, e := range evs {
		uids[e.UID] = true
	}
	for _, e := range more {
		if !uids[e.UID] {
			uids[e.UID] = true
			evs = append(evs, e)
		}
	}
	return evs, nil
}

func (b *davBackend) GetCalendarObject(ctx context.Context, p string, _ *caldav.CalendarCompRequest) (*caldav.CalendarObject, error) {
	dc, name, err := b.resolve(ctx, p)
	if err != nil {
		return nil, err
	}
	if name == "" {
		return nil, webdav.NewHTTPError(http.StatusNotFound, nil)
	}
	ev, err := b.eventAt(dc, name)
	if err != nil {
		return nil, davErr(err)
	}
	os, err := b.objects(dc, []eventRow{ev})
	if err != nil {
		return nil, err
	}
	return &os[0], nil
}

func (b *davBackend) ListCalendarObjects(ctx context.Context, p string, _ *caldav.CalendarCompRequest) ([]caldav.CalendarObject, error) {
	dc, _, err := b.resolve(ctx, p)
	if err != nil {
		return nil, err
	}
	evs, err := eventsOfCal(dc.ctx, b.s.DB, dc.c.OrgID, dc.c.ID)
	if err == nil {
		evs, err = b.withInvited(dc, evs, 0, 0)
	}
	if err != nil {
		return nil, davErr(err)
	}
	return b.objects(dc, evs)
}

// QueryCalendarObjects answers a calendar-query: the events with an
// occurrence in the time range of its VEVENT filter (every event without
// one), expanded in each event's time zone.
func (b *davBackend) QueryCalendarObjects(ctx context.Context, p string, q *caldav.CalendarQuery) ([]caldav.CalendarObject, error) {
	dc, _, err := b.resolve(ctx, p)
	if err != nil {
		return nil, err
	}
	var start, end time.Time
	if q != nil {
		for _, f := range q.CompFilter.Comps {
			if f.Name != ical.CompEvent {
				return nil, nil // only events here
			}
			start, end = f.Start, f.End
		}
	}
	var evs []eventRow
	if start.IsZero() && end.IsZero() {
		evs, err = eventsOfCal(dc.ctx, b.s.DB, dc.c.OrgID, dc.c.ID)
		if err == nil {
			evs, err = b.withInvited(dc, evs, 0, 0)
		}
	} else {
		if end.IsZero() {
			end = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)
		}
		var cands []eventRow
		cands, err = eventsIn(dc.ctx, b.s.DB, dc.c.OrgID, []string{dc.c.ID}, start.UnixMilli(), end.UnixMilli())
		if err == nil {
			cands, err = b.withInvited(dc, cands, start.UnixMilli(), end.UnixMilli())
		}
		if err == nil && len(cands) > 0 {
			idl := make([]string, len(cands))
			for i, e := range cands {
				idl[i] = e.ID
			}
			ovs, oerr := overridesOf(dc.ctx, b.s.DB, idl)
			if oerr != nil {
				return nil, davErr(oerr)
			}
			for _, ev := range cands {
				sr, serr := ev.series()
				if serr != nil {
					continue
				}
				if len(expand(ev, sr, ovs[ev.ID], start, end)) > 0 {
					evs = append(evs, ev)
				}
			}
		}
	}
	if err != nil {
		return nil, davErr(err)
	}
	return b.objects(dc, evs)
}

// PutCalendarObject creates or replaces the event of a calendar object
// (If-Match and If-None-Match: * checked against its ETag: 412).
func (b *davBackend) PutCalendarObject(ctx context.Context, p string, cal *ical.Calendar, opts *caldav.PutCalendarObjectOptions) (*caldav.CalendarObject, error) {
	dc, name, err := b.resolve(ctx, p)
	if err != nil {
		return nil, err
	}
	if name == "" {
		return nil, webdav.NewHTTPError(http.StatusMethodNotAllowed, nil)
	}
	if dc.level != LevelEdit {
		return nil, precondErr(http.StatusForbidden, nsDAV, "need-privileges")
	}
	if _, _, err := caldav.ValidateCalendarObject(cal); err != nil {
		return nil, precondErr(http.StatusForbidden, nsCalDAV, "valid-calendar-object-resource")
	}
	floating, err := loadZone("time_zone", dc.c.TimeZone)
	if err != nil {
		floating = time.UTC
	}
	items, errs := decodeEvents(cal, floating)
	if len(errs) > 0 || len(items) != 1 {
		return nil, precondErr(http.StatusForbidden, nsCalDAV, "valid-calendar-object-resource")
	}
	check := func(old *eventRow) error {
		if opts == nil {
			return nil
		}
		if opts.IfNoneMatch.IsWildcard() && old != nil {
			return &davError{code: http.StatusPreconditionFailed}
		}
		if opts.IfMatch.IsSet() {
			if old == nil {
				return &davError{code: http.StatusPreconditionFailed}
			}
			if !opts.IfMatch.IsWildcard() {
				want, err := opts.IfMatch.ETag()
				if err != nil || want != etag(*old) {
					return &davError{code: http.StatusPreconditionFailed}
				}
			}
		}
		return nil
	}
	// An event the caller is invited to: their answer (implicit
	// scheduling), never a copy of the event.
	if invitesShown(dc.a, dc.c) {
		if _, err := eventByUID(dc.ctx, b.s.DB, dc.c.OrgID, dc.c.ID, items[0].UID); errors.Is(err, db.ErrNotFound) {
			inv, err := invitedByUID(dc.ctx, b.s.DB, dc.c.OrgID, dc.a.MemberID, dc.c.ID, items[0].UID)
			if err == nil {
				if err := check(&inv); err != nil {
					return nil, davErr(err)
				}
				ev, err := b.s.attendeeWrite(dc.ctx, dc.a, inv, cal, items[0])
				if err != nil {
					if errors.Is(err, errAttendeeChange) {
						return nil, webdav.NewHTTPError(http.StatusForbidden, errors.New("allowed-attendee-scheduling-object-change: "+
							"only the organizer changes this event; attendees change their answer (PARTSTAT) only"))
					}
					return nil, davErr(err)
				}
				return &caldav.CalendarObject{Path: objectPath(dc.a.AccountID, dc.c.ID, ev.UID), ModTime: time.UnixMilli(ev.UpdatedAt), ETag: etag(ev)}, nil
			} else if !errors.Is(err, db.ErrNotFound) {
				return nil, davErr(err)
			}
		} else if err != nil {
			return nil, davErr(err)
		}
	}
	ev, _, err := b.s.saveImported(dc.ctx, dc.a, dc.c, items[0], check, true)
	if err != nil {
		return nil, davErr(err)
	}
	return &caldav.CalendarObject{Path: objectPath(dc.a.AccountID, dc.c.ID, ev.UID), ModTime: time.UnixMilli(ev.UpdatedAt), ETag: etag(ev)}, nil
}

// precondErr is a failed precondition for go-webdav: CalDAV's with their
// XML body (409), others as their status.
func precondErr(code int, ns, name string) error {
	if ns == nsCalDAV {
		return caldav.NewPreconditionError(caldav.PreconditionType(name))
	}
	return webdav.NewHTTPError(code, errors.New(name))
}

func (b *davBackend) DeleteCalendarObject(ctx context.Context, p string) error {
	return webdav.NewHTTPError(http.StatusMethodNotAllowed, nil) // handled by davHandler.delete
}

// delete deletes the event of a calendar object, with If-Match.
func (d *davHandler) delete(w http.ResponseWriter, r *http.Request) error {
	b := &davBackend{s: d.s}
	dc, name, err := b.resolve(r.Context(), r.URL.Path)
	if err != nil {
		return err
	}
	if name == "" {
		return &davError{code: http.StatusForbidden}
	}
	ev, err := b.eventAt(dc, name)
	if err != nil {
		return err
	}
	if m := webdav.ConditionalMatch(r.Header.Get("If-Match")); m.IsSet() && !m.IsWildcard() {
		if want, err := m.ETag(); err != nil || want != etag(ev) {
			return &davError{code: http.StatusPreconditionFailed}
		}
	}
	if ev.CalendarID != dc.c.ID {
		// An invitation deleted from the personal calendar: declined.
		if err := d.s.attendeeDelete(dc.ctx, ev); err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	if dc.level != LevelEdit && ev.OrganizerMemberID != dc.a.MemberID {
		return precondition(http.StatusForbidden, nsDAV, "need-privileges")
	}
	if err := d.s.DeleteEvent(dc.ctx, ev.ID, "", ""); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// ---- sync-collection (RFC 6578) ----

// syncToken is a calendar's sync token: a URI naming its change sequence.
func syncToken(calID string, seq int64) string {
	return "urn:atrium:sync:" + calID + ":" + strconv.FormatInt(seq, 10)
}

func parseSyncToken(calID, tok string) (int64, bool) {
	rest, ok := strings.CutPrefix(tok, "urn:atrium:sync:"+calID+":")
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(rest, 10, 64)
	return n, err == nil && n >= 0
}

type syncReq struct {
	XMLName   xml.Name  `xml:"DAV: sync-collection"`
	SyncToken string    `xml:"DAV: sync-token"`
	SyncLevel string    `xml:"DAV: sync-level"`
	Prop      *struct{} `xml:"DAV: prop"`
	Inner     []byte    `xml:",innerxml"`
}

func isSyncCollection(body []byte) bool {
	dec := xml.NewDecoder(bytes.NewReader(body))
	for {
		t, err := dec.Token()
		if err != nil {
			return false
		}
		if se, ok := t.(xml.StartElement); ok {
			return se.Name.Space == nsDAV && se.Name.Local == "sync-collection"
		}
	}
}

// syncCollection answers a sync-collection REPORT on a calendar: the
// events changed after the token's sequence (all with no token) and a 404
// response for each deleted one, then the new token.
func (d *davHandler) syncCollection(w http.ResponseWriter, r *http.Request, body []byte) error {
	var req syncReq
	if err := xml.Unmarshal(body, &req); err != nil {
		return &davError{code: http.StatusBadRequest}
	}
	b := &davBackend{s: d.s}
	dc, name, err := b.resolve(r.Context(), r.URL.Path)
	if err != nil {
		return err
	}
	if name != "" {
		return &davError{code: http.StatusForbidden}
	}
	if req.SyncLevel != "" && strings.TrimSpace(req.SyncLevel) != "1" {
		return precondition(http.StatusForbidden, nsDAV, "number-of-matches-within-limits")
	}
	wantEtag, wantData := bytes.Contains(req.Inner, []byte("getetag")), bytes.Contains(req.Inner, []byte("calendar-data"))
	var since int64
	tok := strings.TrimSpace(req.SyncToken)
	if tok != "" {
		n, ok := parseSyncToken(dc.c.ID, tok)
		if !ok || n > dc.c.Seq {
			return precondition(http.StatusForbidden, nsDAV, "valid-sync-token")
		}
		since = n
	}
	// Read the sequence first: a change committed meanwhile is sent again
	// next time rather than missed.
	c, err := getCal(dc.ctx, d.s.DB, dc.c.OrgID, dc.c.ID)
	if err != nil {
		return err
	}
	changed, deleted, err := changedSince(dc.ctx, d.s.DB, c.OrgID, c.ID, since)
	if err != nil {
		return err
	}
	var evs []eventRow
	present := map[string]bool{}
	for _, ch := range changed {
		ev, err := getEvent(dc.ctx, d.s.DB, c.OrgID, ch.EventID)
		if errors.Is(err, db.ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		evs = append(evs, ev)
		present[ev.UID] = true
	}
	// The events the caller is invited to (their personal calendar): all
	// of them on a first sync, else those changed since, each still there
	// or gone (deleted, declined, no longer invited).
	if invitesShown(dc.a, c) {
		if tok == "" {
			if evs, err = b.withInvited(dc, evs, 0, 0); err != nil {
				return err
			}
			for _, ev := range evs {
				present[ev.UID] = true
			}
		} else {
			chs, err := scheduleChangesSince(dc.ctx, d.s.DB, c.OrgID, c.ID, since)
			if err != nil {
				return err
			}
			for _, ch := range chs {
				if present[ch.UID] {
					continue
				}
				ev, err := invitedByID(dc.ctx, d.s.DB, c.OrgID, dc.a.MemberID, c.ID, ch.EventID)
				switch {
				case err == nil:
					evs = append(evs, ev)
					present[ev.UID] = true
				case errors.Is(err, db.ErrNotFound):
					deleted = append(deleted, ch.UID)
				default:
					return err
				}
			}
		}
	}
	os, err := b.objects(dc, evs)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	buf.WriteString(`<?xml version="1.0" encoding="utf-8"?>` + "\n" + `<D:multistatus xmlns:D="DAV:" xmlns:C="` + nsCalDAV + `">`)
	for _, o := range os {
		buf.WriteString("<D:response><D:href>" + xmlText(o.Path) + "</D:href><D:propstat><D:prop>")
		if wantEtag {
			buf.WriteString(`<D:getetag>"` + xmlText(o.ETag) + `"</D:getetag>`)
		}
		if wantData {
			var data bytes.Buffer
			if err := ical.NewEncoder(&data).Encode(o.Data); err != nil {
				return err
			}
			buf.WriteString("<C:calendar-data>" + xmlText(data.String()) + "</C:calendar-data>")
		}
		buf.WriteString("</D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response>")
	}
	seen := map[string]bool{}
	if tok != "" {
		for _, uid := range deleted {
			if present[uid] || seen[uid] {
				continue
			}
			seen[uid] = true
			if _, err := b.eventAt(dc, uid); err == nil {
				continue // created again since
			}
			buf.WriteString("<D:response><D:href>" + xmlText(objectPath(dc.a.AccountID, c.ID, uid)) +
				"</D:href><D:status>HTTP/1.1 404 Not Found</D:status></D:response>")
		}
	}
	buf.WriteString("<D:sync-token>" + xmlText(syncToken(c.ID, c.Seq)) + "</D:sync-token></D:multistatus>")
	w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	w.WriteHeader(http.StatusMultiStatus)
	_, err = w.Write(buf.Bytes())
	return err
}

func xmlText(s string) string {
	var b bytes.Buffer
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// ---- properties go-webdav does not know, on calendars ----

// xnode is an XML element read from a multistatus, to be written again.
type xnode struct {
	name     xml.Name
	attr     []xml.Attr
	children []*xnode
	text     string
}

func parseXNode(b []byte) (*xnode, error) {
	dec := xml.NewDecoder(bytes.NewReader(b))
	var stack []*xnode
	var root *xnode
	for {
		t, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		switch t := t.(type) {
		case xml.StartElement:
			n := &xnode{name: t.Name}
			for _, a := range t.Attr {
				if a.Name.Space != "xmlns" && a.Name.Local != "xmlns" {
					n.attr = append(n.attr, a)
				}
			}
			if len(stack) > 0 {
				p := stack[len(stack)-1]
				p.children = append(p.children, n)
			} else {
				root = n
			}
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].text += string(t)
			}
		}
	}
	if root == nil {
		return nil, errors.New("empty")
	}
	return root, nil
}

var davPrefixes = map[string]string{nsDAV: "D", nsCalDAV: "C", nsCS: "CS"}

func (n *xnode) write(b *bytes.Buffer, top bool) {
	name := n.name.Local
	if p, ok := davPrefixes[n.name.Space]; ok {
		name = p + ":" + name
	}
	b.WriteString("<" + name)
	if top {
		b.WriteString(` xmlns:D="DAV:" xmlns:C="` + nsCalDAV + `" xmlns:CS="` + nsCS + `"`)
	}
	if _, ok := davPrefixes[n.name.Space]; !ok && n.name.Space != "" {
		b.WriteString(` xmlns="` + xmlText(n.name.Space) + `"`)
	}
	for _, a := range n.attr {
		b.WriteString(" " + a.Name.Local + `="` + xmlText(a.Value) + `"`)
	}
	b.WriteString(">")
	b.WriteString(xmlText(n.text))
	for _, c := range n.children {
		c.write(b, false)
	}
	b.WriteString("</" + name + ">")
}

func (n *xnode) child(space, local string) *xnode {
	for _, c := range n.children {
		if c.name.Space == space && c.name.Local == local {
			return c
		}
	}
	return nil
}

func elem(space, local, text string, children ...*xnode) *xnode {
	return &xnode{name: xml.Name{Space: space, Local: local}, text: text, children: children}
}

// calendarProps are the properties of a calendar added here.
func (d *davHandler) calendarProps(dc *davCal) map[xml.Name]*xnode {
	privs := []string{"read", "read-current-user-privilege-set"}
	if dc.level == LevelEdit {
		privs = append(privs, "write", "write-content", "bind", "unbind")
	}
	ps := elem(nsDAV, "current-user-privilege-set", "")
	for _, p := range privs {
		ps.children = append(ps.children, elem(nsDAV, "privilege", "", elem(nsDAV, p, "")))
	}
	rs := elem(nsDAV, "supported-report-set", "")
	for _, r := range []struct{ ns, name string }{{nsCalDAV, "calendar-query"}, {nsCalDAV, "calendar-multiget"}, {nsDAV, "sync-collection"}} {
		rs.children = append(rs.children, elem(nsDAV, "supported-report", "", elem(nsDAV, "report", "", elem(r.ns, r.name, ""))))
	}
	out := map[xml.Name]*xnode{
		{Space: nsCS, Local: "getctag"}:                     elem(nsCS, "getctag", strconv.FormatInt(dc.c.Seq, 10)),
		{Space: nsDAV, Local: "sync-token"}:                 elem(nsDAV, "sync-token", syncToken(dc.c.ID, dc.c.Seq)),
		{Space: nsDAV, Local: "current-user-privilege-set"}: ps,
		{Space: nsDAV, Local: "supported-report-set"}:       rs,
		// Events here count as busy time (RFC 6638 9.1).
		{Space: nsCalDAV, Local: "schedule-calendar-transp"}: elem(nsCalDAV, "schedule-calendar-transp", "", elem(nsCalDAV, "opaque", "")),
	}
	if dc.c.Color != "" {
		out[xml.Name{Space: "http://apple.com/ns/ical/", Local: "calendar-color"}] = elem("http://apple.com/ns/ical/", "calendar-color", dc.c.Color)
	}
	return out
}

// addProps fills, in a PROPFIND answer, the properties of calendars that
// go-webdav reported missing.
func (d *davHandler) addProps(ctx context.Context, body []byte) ([]byte, error) {
	root, err := parseXNode(body)
	if err != nil {
		return nil, err
	}
	a, err := actor.Caller(ctx)
	if err != nil {
		return nil, err
	}
	changed := false
	for _, resp := range root.children {
		href := resp.child(nsDAV, "href")
		if href == nil {
			continue
		}
		p := strings.TrimSpace(href.text)
		if u, err := url.Parse(p); err == nil {
			p = u.Path
		}
		var props map[xml.Name]*xnode
		if path.Clean(p)+"/" == principalPath(a.AccountID) {
			props = d.principalProps(ctx, a)
		} else {
			calID, name, err := splitPath(a.AccountID, path.Clean(p)+"/")
			if err != nil || name != "" {
				continue
			}
			dc, err := d.s.resolveDAV(ctx, calID)
			if err != nil {
				continue
			}
			props = d.calendarProps(dc)
		}
		var ok *xnode
		for _, ps := range resp.children {
			if st := ps.child(nsDAV, "status"); ps.name.Local == "propstat" && st != nil && strings.Contains(st.text, " 200 ") {
				ok = ps.child(nsDAV, "prop")
			}
		}
		for _, ps := range slices.Clone(resp.children) {
			st := ps.child(nsDAV, "status")
			prop := ps.child(nsDAV, "prop")
			if ps.name.Local != "propstat" || st == nil || prop == nil || !strings.Contains(st.text, " 404 ") {
				continue
			}
			var keep []*xnode
			for _, c := range prop.children {
				v, found := props[c.name]
				if !found {
					keep = append(keep, c)
					continue
				}
				if ok == nil {
					ok = elem(nsDAV, "prop", "")
					resp.children = append(resp.children, elem(nsDAV, "propstat", "", ok, elem(nsDAV, "status", "HTTP/1.1 200 OK")))
				}
				ok.children = append(ok.children, v)
				changed = true
			}
			prop.children = keep
			if len(keep) == 0 {
				resp.children = slices.DeleteFunc(resp.children, func(x *xnode) bool { return x == ps })
			}
		}
	}
	if !changed {
		return body, nil
	}
	var buf bytes.Buffer
	buf.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	root.write(&buf, true)
	return buf.Bytes(), nil
}

// proppatch refuses every property change (names and colors are set in
// Atrium) with a multistatus, rather than go-webdav's 501 which some apps
// show as an error.
func (d *davHandler) proppatch(w http.ResponseWriter, r *http.Request) error {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 64<<10))
	if err != nil {
		return &davError{code: http.StatusRequestEntityTooLarge}
	}
	root, err := parseXNode(body)
	if err != nil || root.name.Space != nsDAV || root.name.Local != "propertyupdate" {
		return &davError{code: http.StatusBadRequest}
	}
	b := &davBackend{s: d.s}
	if _, _, err := b.resolve(r.Context(), r.URL.Path); err != nil {
		return err
	}
	prop := elem(nsDAV, "prop", "")
	for _, op := range root.children {
		if p := op.child(nsDAV, "prop"); p != nil {
			for _, c := range p.children {
				prop.children = append(prop.children, &xnode{name: c.name})
			}
		}
	}
	ms := elem(nsDAV, "multistatus", "", elem(nsDAV, "response", "", elem(nsDAV, "href", r.URL.Path),
		elem(nsDAV, "propstat", "", prop, elem(nsDAV, "status", "HTTP/1.1 403 Forbidden"))))
	var buf bytes.Buffer
	buf.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	ms.write(&buf, true)
	w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	w.WriteHeader(http.StatusMultiStatus)
	_, err = w.Write(buf.Bytes())
	return err
}
