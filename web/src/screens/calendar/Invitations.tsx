import { useQuery } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { useTranslation } from "react-i18next";
import { Alert } from "../../components/ui";
import { errorText } from "../../lib/errors";
import { whenText } from "./Detail";
import { type Occurrence, occurrencesQuery } from "./data";
import { RsvpButtons } from "./Rsvp";
import { CalendarTabs } from "./Tabs";
import { addDays, startOfDay } from "./time";

/** unanswered keeps one occurrence per event I have not answered (the first), by start. */
export function unanswered(items: Occurrence[]): Occurrence[] {
  const seen = new Set<string>();
  const out: Occurrence[] = [];
  for (const o of [...items].sort((a, b) => a.start_at - b.start_at)) {
    if (o.my_rsvp !== "needs_action" || o.busy_only || seen.has(o.event_id)) continue;
    seen.add(o.event_id);
    out.push(o);
  }
  return out;
}

/** Invitations lists the coming events I am invited to and have not answered, with the answer buttons. */
export function Invitations() {
  const { t, i18n } = useTranslation();
  const from = startOfDay(new Date());
  const q = useQuery(occurrencesQuery(from, addDays(from, 180)));
  const list = unanswered(q.data?.items ?? []);
  return (
    <section className="page cal-wrap" aria-labelledby="page-title">
      <h1 id="page-title">{t("calendar.title")}</h1>
      <CalendarTabs />
      <h2 className="rep-sub">{t("calendar.invitations.title")}</h2>
      {q.error && <Alert>{errorText(t, q.error)}</Alert>}
      {q.data && list.length === 0 && <p className="muted">{t("calendar.invitations.none")}</p>}
      <ul className="cal-invites">
        {list.map((o) => (
          <li key={o.event_id} className="cal-invite" data-testid="cal-invite">
            <Link
              to="/calendar/events/$id"
              params={{ id: o.event_id }}
              search={o.recurring && o.recurrence_id ? { occurrence: o.recurrence_id } : {}}
            >
              <strong>{o.title || t("calendar.untitled")}</strong>
            </Link>
            <div className="muted small">
              {whenText(i18n.language, o, o.start_at, o.end_at)}
              {o.location ? ` · ${o.location}` : ""}
            </div>
            <RsvpButtons eventId={o.event_id} mine={o.my_rsvp} compact />
          </li>
        ))}
      </ul>
    </section>
  );
}
