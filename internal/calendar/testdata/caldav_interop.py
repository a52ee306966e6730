#!/usr/bin/python3
"""CalDAV interop check of Atrium with python3-caldav (Debian, 0.11).

Run by TestCalDAVInterop:
python3 caldav_interop.py URL LOGIN APP_PASSWORD ATTENDEE_LOGIN ATTENDEE_APP_PASSWORD.
Discovers the principal through /.well-known/caldav, lists the calendars,
creates, updates and deletes an event in the personal calendar, and checks
that sync tokens report the creation and the deletion. Then scheduling
(RFC 6638): the DAV header, the principal's calendar-user-address-set,
inbox and outbox; the first person invites the second with
save_with_invites; the second finds the invitation in their own calendar,
accepts it with change_attendee_status (the organizer's copy shows it), may
not change its title, and asks the outbox for free/busy. Prints "ok" and
exits 0 when everything holds; any failure raises (exit 1).
"""
import sys
import uuid
from datetime import datetime
from urllib.parse import unquote

import caldav


def check(cond, msg):
    if not cond:
        raise AssertionError(msg)


def main():
    base, login, password = sys.argv[1:4]
    client = caldav.DAVClient(url=base + "/.well-known/caldav", username=login, password=password)
    principal = client.principal()
    check("/caldav/" in str(principal.url), "principal url %s" % principal.url)
    calendars = principal.calendars()
    names = [c.name for c in calendars]
    print("calendars:", names)
    check(len(calendars) >= 2, "expected the personal and the team calendar, got %r" % names)
    personal = [c for c in calendars if c.name and c.name.startswith("Personal")]
    check(personal, "no personal calendar in %r" % names)
    cal = personal[0]
    team = [c for c in calendars if c.name and c.name.startswith("Team")]
    check(team, "no team calendar in %r" % names)

    start = cal.objects_by_sync_token()
    token0 = start.sync_token
    check(token0, "no sync token")

    uid = "interop-%s@example.com" % uuid.uuid4()
    ics = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//interop//EN\r\n"
        "BEGIN:VEVENT\r\nUID:%s\r\nDTSTAMP:20270101T000000Z\r\n"
        "DTSTART;TZID=Europe/Berlin:20270308T090000\r\nDTEND;TZID=Europe/Berlin:20270308T100000\r\n"
        "RRULE:FREQ=WEEKLY;COUNT=5\r\nSUMMARY:Interop planning\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n" % uid
    )
    ev = cal.save_event(ics)
    # Created: found by a date search and by the sync since the first token.
    found = cal.date_search(start=datetime(2027, 3, 15), end=datetime(2027, 3, 16), expand=False)
    check(any(uid in f.data for f in found), "date search did not find the event")
    updated, deleted = start.sync()
    check(any(uid in (o.data or "") for o in updated), "sync after create: %r" % [str(o.url) for o in updated])
    check(not deleted, "sync after create deleted %r" % deleted)

    # Updated: the new title comes back.
    ev.load()
    ev.data = ev.data.replace("SUMMARY:Interop planning", "SUMMARY:Interop review")
    ev.save()
    again = cal.event_by_uid(uid)
    check("SUMMARY:Interop review" in again.data, "update not kept: %s" % again.data)
    updated, deleted = start.sync()
    check(any(uid in (o.data or "") for o in updated), "sync after update")

    # Writing to the team calendar (viewed only) is refused.
    try:
        team[0].save_event(ics.replace(uid, "team-" + uid))
        raise AssertionError("a write to a calendar only viewed was accepted")
    except caldav.lib.error.DAVError:
        pass

    # Deleted: the sync reports it gone.
    again.delete()
    updated, deleted = start.sync()
    check(any(uid in unquote(str(o.url)) for o in deleted), "sync after delete: deleted %r" % [str(o.url) for o in deleted])
    check(all(uid not in (o.data or "") for o in start.objects), "the event is still listed")
    scheduling(base, login, password, sys.argv[4], sys.argv[5])
    print("ok")


def personal_of(principal):
    cals = [c for c in principal.calendars() if c.name and c.name.startswith("Personal")]
    check(cals, "no personal calendar")
    return cals[0]


def scheduling(base, login, password, blogin, bpassword):
    client = caldav.DAVClient(url=base + "/.well-known/caldav", username=login, password=password)
    check(client.check_scheduling_support(), "no calendar-auto-schedule in the DAV header")
    principal = client.principal()
    addresses = principal.calendar_user_address_set()
    print("addresses:", addresses)
    check(addresses[0] == "mailto:" + login, "preferred address %r" % addresses)
    check(any(a.startswith("urn:atrium:member:") for a in addresses), "no member address in %r" % addresses)
    check("/inbox/" in str(principal.schedule_inbox().url), "inbox")
    check("/outbox/" in str(principal.schedule_outbox().url), "outbox")
    cal = personal_of(principal)

    uid = "invite-%s@example.com" % uuid.uuid4()
    ics = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//interop//EN\r\n"
        "BEGIN:VEVENT\r\nUID:%s\r\nDTSTAMP:20270101T000000Z\r\n"
        "DTSTART;TZID=Europe/Berlin:20270614T150000\r\nDTEND;TZID=Europe/Berlin:20270614T160000\r\n"
        "SUMMARY:Interop meeting\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n" % uid
    )
    cal.save_with_invites(ics, ["mailto:" + blogin, "mailto:erin@example.com"])

    # The attendee finds it in their own calendar, not yet answered.
    bclient = caldav.DAVClient(url=base + "/.well-known/caldav", username=blogin, password=bpassword)
    bprincipal = bclient.principal()
    bcal = personal_of(bprincipal)
    bev = bcal.event_by_uid(uid)
    check("SUMMARY:Interop meeting" in bev.data, "attendee's copy: %s" % bev.data)
    check("NEEDS-ACTION" in bev.data, "attendee's copy is answered: %s" % bev.data)
    found = bcal.date_search(start=datetime(2027, 6, 14), end=datetime(2027, 6, 15), expand=False)
    check(any(uid in f.data for f in found), "date search in the attendee's calendar did not find the invitation")

    # They accept: the organizer's copy shows it.
    bev.change_attendee_status(partstat="ACCEPTED")
    bev.save()
    mine = [l for l in cal.event_by_uid(uid).data.replace("\r\n", "\n").replace("\n ", "").splitlines() if blogin in l and l.startswith("ATTENDEE")]
    check(mine and "PARTSTAT=ACCEPTED" in mine[0], "organizer's copy after the answer: %r" % mine)

    # They may not change the title.
    bev = bcal.event_by_uid(uid)
    bev.data = bev.data.replace("SUMMARY:Interop meeting", "SUMMARY:Hijacked")
    try:
        bev.save()
        raise AssertionError("an attendee changed the title")
    except caldav.lib.error.DAVError:
        pass
    check("SUMMARY:Interop meeting" in cal.event_by_uid(uid).data, "title changed")

    # Free/busy of the organizer through the attendee's outbox.
    fb = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//interop//EN\r\nMETHOD:REQUEST\r\n"
        "BEGIN:VFREEBUSY\r\nUID:fb-%s\r\nDTSTAMP:20270101T000000Z\r\n"
        "DTSTART:20270614T000000Z\r\nDTEND:20270615T000000Z\r\nORGANIZER:mailto:%s\r\n"
        "ATTENDEE:mailto:%s\r\nEND:VFREEBUSY\r\nEND:VCALENDAR\r\n" % (uuid.uuid4(), blogin, login)
    )
    resp = bclient.post(str(bprincipal.schedule_outbox().url), fb, headers={"Content-Type": "text/calendar; charset=utf-8"})
    raw = resp.raw.decode() if isinstance(resp.raw, bytes) else resp.raw
    check(resp.status == 200, "free/busy: %s" % resp.status)
    check("2.0;Success" in raw and "FREEBUSY;FBTYPE=BUSY:20270614T130000Z/20270614T140000Z" in raw, "free/busy: %s" % raw)
    print("scheduling ok")


if __name__ == "__main__":
    main()
