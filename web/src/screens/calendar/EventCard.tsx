import { useQuery } from "@tanstack/react-query";
import { useNavigate } from "@tanstack/react-router";
import { useTranslation } from "react-i18next";
import { icons } from "../../components/icons";
import { useCurrentOrg } from "../../lib/org";
import { whenText } from "./Detail";
import { eventQuery } from "./data";
import { RsvpButtons } from "./Rsvp";

/**
 * EventCard is how a chat shows an invitation card (a card linking to
 * /calendar/events/<id>): the event's title and time, the answers so far,
 * and my answer buttons. Someone who may not see the event gets the
 * plain card's title and description.
 */
export function EventCard({
  id,
  url,
  title,
  description,
}: {
  id: string;
  url: string;
  title?: string;
  description?: string;
}) {
  const { t, i18n } = useTranslation();
  const navigate = useNavigate();
  const q = useQuery(eventQuery(id));
  const me = useCurrentOrg()?.member_id;
  const e = q.data;
  return (
    <div className="msg-card cal-card" data-testid="cal-card">
      <a
        href={url}
        className="msg-card-title"
        onClick={(ev) => {
          if (ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey || ev.altKey) return;
          ev.preventDefault();
          void navigate({ href: url });
        }}
      >
        {icons.calendar} {e?.title || title || t("calendar.card.invitation")}
      </a>
      {e ? (
        <>
          <span className="muted small">
            {whenText(i18n.language, e, e.start_at, e.end_at)}
            {e.location ? ` · ${e.location}` : ""}
          </span>
          <span className="muted small" data-testid="cal-card-counts">
            {t("calendar.detail.counts", {
              accepted: e.counts.accepted,
              tentative: e.counts.tentative,
              declined: e.counts.declined,
              waiting: e.counts.needs_action,
            })}
          </span>
          {e.my_rsvp && e.organizer.member_id !== me && (
            <RsvpButtons eventId={e.id} mine={e.my_rsvp} compact />
          )}
        </>
      ) : description ? (
        <span className="muted small">{description}</span>
      ) : null}
    </div>
  );
}
