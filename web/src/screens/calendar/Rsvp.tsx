import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { Alert } from "../../components/ui";
import { errorText } from "../../lib/errors";
import { calendarKey, RSVPS, rsvp } from "./data";

/** RsvpButtons answers an invitation: accept, maybe, decline; the current answer is pressed. */
export function RsvpButtons({
  eventId,
  mine,
  compact,
}: {
  eventId: string;
  mine?: string;
  compact?: boolean;
}) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const answer = useMutation({
    mutationFn: (s: (typeof RSVPS)[number]) => rsvp(eventId, s),
    onSuccess: (e) => {
      qc.setQueryData([...calendarKey, "event", eventId], e);
      qc.invalidateQueries({ queryKey: calendarKey });
    },
  });
  return (
    <div className="cal-rsvp">
      <fieldset className={compact ? "row cal-rsvp-row compact" : "row cal-rsvp-row"}>
        <legend className="sr-only">{t("calendar.rsvp.yourAnswer")}</legend>
        {RSVPS.map((s) => (
          <button
            key={s}
            type="button"
            className={mine === s ? "btn btn-small btn-primary" : "btn btn-small"}
            aria-pressed={mine === s}
            disabled={answer.isPending}
            onClick={() => answer.mutate(s)}
          >
            {t(`calendar.rsvp.${s}`)}
          </button>
        ))}
      </fieldset>
      {answer.error && <Alert>{errorText(t, answer.error)}</Alert>}
    </div>
  );
}
