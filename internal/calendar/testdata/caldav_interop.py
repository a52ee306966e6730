#!/usr/bin/python3
"""CalDAV interop check of Atrium with python3-caldav (Debian, 0.11).

Run by TestCalDAVInterop: python3 caldav_interop.py URL LOGIN APP_PASSWORD.
Discovers the principal through /.well-known/caldav, lists the calendars,
creates, updates and deletes an event in the personal calendar, and checks
that sync tokens report the creation and the deletion. Prints "ok" and
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
    print("ok")


if __name__ == "__main__":
    main()
