import { getRouteApi } from "@tanstack/react-router";
import { useMemo } from "react";
import { CalendarScreen } from "./Calendar";
import { Calendars } from "./Calendars";
import { EventDetail } from "./Detail";
import { FindTime } from "./FindTime";
import { Invitations } from "./Invitations";
import { Rooms } from "./Rooms";

const main = getRouteApi("/shell/calendar");
const event = getRouteApi("/shell/calendar/events/$id");

export function CalendarRoute() {
  const s = main.useSearch();
  const fresh = useMemo(
    () =>
      s.new
        ? { start: s.start, end: s.end, members: s.members, room: s.room, conversation: s.conversation }
        : undefined,
    [s.new, s.start, s.end, s.members, s.room, s.conversation],
  );
  return <CalendarScreen fresh={fresh} />;
}

export function EventRoute() {
  const { id } = event.useParams();
  const { occurrence } = event.useSearch();
  return <EventDetail key={`${id}/${occurrence ?? ""}`} id={id} occurrence={occurrence} />;
}

export function InvitationsRoute() {
  return <Invitations />;
}

export function FindRoute() {
  return <FindTime />;
}

export function RoomsRoute() {
  return <Rooms />;
}

export function CalendarsRoute() {
  return <Calendars />;
}
