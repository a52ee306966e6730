package calendar

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/emersion/go-ical"

	"github.com/atrium-hq/atrium/internal/platform/actor"
	"github.com/atrium-hq/atrium/internal/platform/apperr"
)

// CalDAV scheduling (RFC 6638) in front of go-webdav: the principal's
// calendar-user-address-set, calendar-user-type, schedule-inbox-URL,
// schedule-outbox-URL and schedule-default-calendar-URL; the schedule
// inbox (always empty: invitations go straight into the personal calendar,
// implicit scheduling) and outbox (POST of a VFREEBUSY request answers the
// members' busy time); "calendar-auto-schedule" in the DAV header.

func inboxPath(accountID string) string  { return principalPath(accountID) + "inbox/" }
func outboxPath(accountID string) string { return principalPath(accountID) + "outbox/" }

// mailbox names the schedule mailbox at a path: "inbox", "outbox" or "".
func mailbox(accountID, p string) string {
	switch strings.TrimSuffix(p, "/") + "/" {
	case inboxPath(accountID):
		return "inbox"
	case outboxPath(accountID):
		return "outbox"
	}
	return ""
}

// withScheduleCaps adds calendar-auto-schedule to the DAV header of an
// OPTIONS answer.
func withScheduleCaps(h http.Header) {
	if v := h.Get("DAV"); v != "" && !strings.Contains(v, "calendar-auto-schedule") {
		h.Set("DAV", v+", calendar-auto-schedule")
	}
}

func href(p string) *xnode { return elem(nsDAV, "href", p) }

// principalProps are the scheduling properties of the caller's principal.
func (d *davHandler) principalProps(ctx context.Context, a *actor.Actor) map[xml.Name]*xnode {
	ms := []Membership{{OrgID: a.OrgID, MemberID: a.MemberID}}
	if d.s.Memberships != nil {
		if all, err := d.s.Memberships(ctx); err == nil {
			// The current organization first: its work email is the
			// preferred address.
			slices.SortStableFunc(all, func(x, y Membership) int {
				if x.OrgID == a.OrgID {
					return -1
				}
				if y.OrgID == a.OrgID {
					return 1
				}
				return 0
			})
			ms = all
		}
	}
	var mailtos, others []string
	for _, m := range ms {
		if m.MemberID == "" {
			continue
		}
		for _, x := range d.s.addresses(ctx, m.OrgID, a.AccountID, m.MemberID) {
			if strings.HasPrefix(x, "mailto:") {
				if !slices.Contains(mailtos, x) {
					mailtos = append(mailtos, x)
				}
			} else if !slices.Contains(others, x) {
				others = append(others, x)
			}
		}
	}
	set := elem(nsCalDAV, "calendar-user-address-set", "")
	for i, x := range append(mailtos, others...) {
		h := href(x)
		if i == 0 {
			h.attr = append(h.attr, xml.Attr{Name: xml.Name{Local: "preferred"}, Value: "1"})
		}
		set.children = append(set.children, h)
	}
	p := principalPath(a.AccountID)
	if d.s.BaseURL != "" {
		p = strings.TrimRight(d.s.BaseURL, "/") + p
	}
	set.children = append(set.children, href(p))
	out := map[xml.Name]*xnode{
		{Space: nsCalDAV, Local: "calendar-user-address-set"}: set,
		{Space: nsCalDAV, Local: "schedule-inbox-URL"}:        elem(nsCalDAV, "schedule-inbox-URL", "", href(inboxPath(a.AccountID))),
		{Space: nsCalDAV, Local: "schedule-outbox-URL"}:       elem(nsCalDAV, "schedule-outbox-URL", "", href(outboxPath(a.AccountID))),
		{Space: nsCalDAV, Local: "calendar-user-type"}:        elem(nsCalDAV, "calendar-user-type", "INDIVIDUAL"),
	}
	// The name and personal calendar of the first organization (the
	// current one when the caller has one).
	for _, m := range ms {
		if m.MemberID == "" {
			continue
		}
		oa := &actor.Actor{AccountID: a.AccountID, SessionID: a.SessionID, Via: a.Via, OrgID: m.OrgID, MemberID: m.MemberID}
		octx := actor.With(ctx, oa)
		if n := d.s.Directory.Name(octx, m.OrgID, a.AccountID); n != "" {
			out[xml.Name{Space: nsDAV, Local: "displayname"}] = elem(nsDAV, "displayname", n)
		}
		if c, err := d.s.personal(octx, oa); err == nil {
			out[xml.Name{Space: nsCalDAV, Local: "schedule-default-calendar-URL"}] = elem(nsCalDAV, "schedule-default-calendar-URL", "",
				href(calPath(a.AccountID, c.ID)))
		}
		break
	}
	return out
}

// mailboxProps are the properties of the schedule inbox or outbox.
func (d *davHandler) mailboxProps(ctx context.Context, a *actor.Actor, box string) map[xml.Name]*xnode {
	kind := "schedule-inbox"
	privs := []*xnode{elem(nsDAV, "privilege", "", elem(nsDAV, "read", "")), elem(nsDAV, "privilege", "", elem(nsCalDAV, "schedule-deliver", ""))}
	if box == "outbox" {
		kind = "schedule-outbox"
		privs = []*xnode{elem(nsDAV, "privilege", "", elem(nsDAV, "read", "")), elem(nsDAV, "privilege", "", elem(nsCalDAV, "schedule-send", ""))}
	}
	out := map[xml.Name]*xnode{
		{Space: nsDAV, Local: "resourcetype"}:               elem(nsDAV, "resourcetype", "", elem(nsDAV, "collection", ""), elem(nsCalDAV, kind, "")),
		{Space: nsDAV, Local: "displayname"}:                elem(nsDAV, "displayname", map[string]string{"inbox": "Inbox", "outbox": "Outbox"}[box]),
		{Space: nsDAV, Local: "current-user-principal"}:     elem(nsDAV, "current-user-principal", "", href(principalPath(a.AccountID))),
		{Space: nsDAV, Local: "current-user-privilege-set"}: elem(nsDAV, "current-user-privilege-set", "", privs...),
		{Space: nsDAV, Local: "sync-token"}:                 elem(nsDAV, "sync-token", "urn:atrium:sync:"+box+":0"),
		{Space: nsCS, Local: "getctag"}:                     elem(nsCS, "getctag", "0"),
	}
	if box == "inbox" {
		pp := d.principalProps(ctx, a)
		n := xml.Name{Space: nsCalDAV, Local: "schedule-default-calendar-URL"}
		if v, ok := pp[n]; ok {
			out[n] = v
		}
	}
	return out
}

// serveMailbox answers requests to the schedule inbox and outbox.
func (d *davHandler) serveMailbox(w http.ResponseWriter, r *http.Request, a *actor.Actor, box string) error {
	switch r.Method {
	case http.MethodOptions:
		w.Header().Set("DAV", "1, 3, calendar-access, calendar-auto-schedule")
		allow := "OPTIONS, PROPFIND, REPORT"
		if box == "outbox" {
			allow += ", POST"
		}
		w.Header().Set("Allow", allow)
		w.WriteHeader(http.StatusNoContent)
		return nil
	case "PROPFIND":
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 64<<10))
		if err != nil {
			return &davError{code: http.StatusRequestEntityTooLarge}
		}
		var req *xnode
		if len(bytes.TrimSpace(body)) > 0 {
			if req, err = parseXNode(body); err != nil {
				return &davError{code: http.StatusBadRequest}
			}
		}
		p := inboxPath(a.AccountID)
		if box == "outbox" {
			p = outboxPath(a.AccountID)
		}
		return writeMultistatus(w, propfindResponse(p, d.mailboxProps(r.Context(), a, box), req))
	case "REPORT":
		// Nothing is ever delivered to the inbox: an empty listing.
		return writeMultistatus(w, elem(nsDAV, "sync-token", "urn:atrium:sync:"+box+":0"))
	case http.MethodPost:
		if box != "outbox" {
			return &davError{code: http.StatusMethodNotAllowed}
		}
		return d.freeBusyRequest(w, r, a)
	}
	return &davError{code: http.StatusMethodNotAllowed}
}

// propfindResponse answers a PROPFIND of one resource from its properties:
// those asked (all with allprop or no body) that it has, and 404 for the
// others.
func propfindResponse(p string, props map[xml.Name]*xnode, req *xnode) *xnode {
	ok, missing := elem(nsDAV, "prop", ""), elem(nsDAV, "prop", "")
	var asked *xnode
	if req != nil {
		asked = req.child(nsDAV, "prop")
	}
	if asked == nil {
		names := make([]xml.Name, 0, len(props))
		for n := range props {
			names = append(names, n)
		}
		slices.SortFunc(names, func(x, y xml.Name) int { return strings.Compare(x.Space+x.Local, y.Space+y.Local) })
		for _, n := range names {
			ok.children = append(ok.children, props[n])
		}
	} else {
		for _, c := range asked.children {
			if v, found := props[c.name]; found {
				ok.children = append(ok.children, v)
			} else {
				missing.children = append(missing.children, &xnode{name: c.name})
			}
		}
	}
	resp := elem(nsDAV, "response", "", href(p))
	if len(ok.children) > 0 {
		resp.children = append(resp.children, elem(nsDAV, "propstat", "", ok, elem(nsDAV, "status", "HTTP/1.1 200 OK")))
	}
	if len(missing.children) > 0 {
		resp.children = append(resp.children, elem(nsDAV, "propstat", "", missing, elem(nsDAV, "status", "HTTP/1.1 404 Not Found")))
	}
	return resp
}

func writeMultistatus(w http.ResponseWriter, children ...*xnode) error {
	var buf bytes.Buffer
	buf.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	elem(nsDAV, "multistatus", "", children...).write(&buf, true)
	w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	w.WriteHeader(http.StatusMultiStatus)
	_, err := w.Write(buf.Bytes())
	return err
}

// maxFreeBusyRecipients bounds the attendees of one free/busy request.
const maxFreeBusyRecipients = 50

// freeBusyRequest answers a VFREEBUSY request POSTed to the outbox (RFC
// 6638 5.1): for each ATTENDEE that is a member of one of the caller's
// organizations (or one of its meeting rooms, urn:atrium:room:), their
// busy time over the range (busy blocks only); 3.7 for addresses that name
// no one. Only free/busy requests are accepted:
// invitations are sent by writing the event (implicit scheduling).
func (d *davHandler) freeBusyRequest(w http.ResponseWriter, r *http.Request, a *actor.Actor) error {
	cal, err := parseICS(http.MaxBytesReader(w, r.Body, maxDAVObject))
	if err != nil {
		return &davError{code: http.StatusBadRequest}
	}
	if !strings.EqualFold(textOf(cal.Component, ical.PropMethod), "REQUEST") {
		return precondition(http.StatusForbidden, nsCalDAV, "valid-scheduling-message")
	}
	var fb *ical.Component
	for _, c := range cal.Children {
		if c.Name == ical.CompFreeBusy {
			fb = c
		}
	}
	if fb == nil {
		return precondition(http.StatusForbidden, nsCalDAV, "valid-scheduling-message")
	}
	start, _, _, err1 := icalTime(fb.Props.Get(ical.PropDateTimeStart), time.UTC)
	end, _, _, err2 := icalTime(fb.Props.Get(ical.PropDateTimeEnd), time.UTC)
	if err1 != nil || err2 != nil || checkRange(start, end) != nil {
		return precondition(http.StatusForbidden, nsCalDAV, "valid-scheduling-message")
	}
	ms := []Membership{{OrgID: a.OrgID, MemberID: a.MemberID}}
	if d.s.Memberships != nil {
		if ms, err = d.s.Memberships(r.Context()); err != nil {
			return err
		}
	}
	// The organizer must be the caller.
	if org := fb.Props.Get(ical.PropOrganizer); org != nil {
		mine := false
		for _, m := range ms {
			if slices.Contains(d.s.addresses(r.Context(), m.OrgID, a.AccountID, m.MemberID), normAddress(org.Value)) {
				mine = true
			}
		}
		if !mine {
			return precondition(http.StatusForbidden, nsCalDAV, "organizer-allowed")
		}
	}
	atts := fb.Props.Values(ical.PropAttendee)
	if len(atts) == 0 || len(atts) > maxFreeBusyRecipients {
		return precondition(http.StatusForbidden, nsCalDAV, "recipient-specified")
	}
	resp := elem(nsCalDAV, "schedule-response", "")
	for _, at := range atts {
		x := elem(nsCalDAV, "response", "", elem(nsCalDAV, "recipient", "", href(at.Value)))
		data, err := d.busyReply(r.Context(), a, ms, fb, at, start, end)
		switch {
		case err == nil:
			x.children = append(x.children, elem(nsCalDAV, "request-status", "2.0;Success"), elem(nsCalDAV, "calendar-data", data))
		case errors.Is(err, errNoRecipient):
			x.children = append(x.children, elem(nsCalDAV, "request-status", "3.7;Invalid calendar user"))
		default:
			return err
		}
		resp.children = append(resp.children, x)
	}
	var buf bytes.Buffer
	buf.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	resp.write(&buf, true)
	w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	_, err = w.Write(buf.Bytes())
	return err
}

var errNoRecipient = errors.New("no such calendar user")

// busyReply is the VFREEBUSY reply for one attendee of a request.
func (d *davHandler) busyReply(ctx context.Context, a *actor.Actor, ms []Membership, req *ical.Component, at ical.Prop, start, end time.Time) (string, error) {
	for _, m := range ms {
		if m.MemberID == "" {
			continue
		}
		oa := &actor.Actor{AccountID: a.AccountID, SessionID: a.SessionID, Via: a.Via, OrgID: m.OrgID, MemberID: m.MemberID}
		octx := actor.With(ctx, oa)
		var blocks [][2]int64
		if v := strings.TrimSpace(at.Value); strings.HasPrefix(v, roomURI) {
			// A meeting room: its bookings.
			bs, err := d.s.RoomBookings(octx, strings.TrimPrefix(v, roomURI), start, end)
			if apperr.IsNotFound(err) {
				continue
			}
			if err != nil {
				return "", err
			}
			for _, b := range bs.Items {
				blocks = append(blocks, [2]int64{b.StartAt, b.EndAt})
			}
		} else {
			id := d.s.memberOfAddress(octx, m.OrgID, v)
			if id == "" {
				continue
			}
			fb, err := d.s.FreeBusy(octx, []string{id}, start, end)
			if err != nil {
				if apperr.KindOf(err) == apperr.KindInvalid {
					continue
				}
				return "", err
			}
			for _, p := range fb.People {
				for _, b := range p.Busy {
					blocks = append(blocks, [2]int64{b.StartAt, b.EndAt})
				}
			}
		}
		cal := newVCalendar("")
		cal.Props.SetText(ical.PropMethod, "REPLY")
		c := ical.NewComponent(ical.CompFreeBusy)
		if uid := textOf(req, ical.PropUID); uid != "" {
			c.Props.SetText(ical.PropUID, uid)
		}
		utcProp(c.Props, ical.PropDateTimeStamp, d.s.now())
		utcProp(c.Props, ical.PropDateTimeStart, start.UnixMilli())
		utcProp(c.Props, ical.PropDateTimeEnd, end.UnixMilli())
		if org := req.Props.Get(ical.PropOrganizer); org != nil {
			c.Props.Set(org)
		}
		ap := ical.NewProp(ical.PropAttendee)
		ap.Value = at.Value
		c.Props.Set(ap)
		for _, b := range blocks {
			fp := ical.NewProp(ical.PropFreeBusy)
			fp.Params.Set(ical.ParamFreeBusyType, "BUSY")
			fp.Value = time.UnixMilli(b[0]).UTC().Format("20060102T150405Z") + "/" + time.UnixMilli(b[1]).UTC().Format("20060102T150405Z")
			c.Props.Add(fp)
		}
		cal.Children = append(cal.Children, c)
		var buf bytes.Buffer
		if err := ical.NewEncoder(&buf).Encode(cal); err != nil {
			return "", apperr.Internal(err)
		}
		return buf.String(), nil
	}
	return "", errNoRecipient
}
