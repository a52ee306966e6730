import { useTranslation } from "react-i18next";
import type { PersonName } from "../../lib/people";
import { useTyping } from "../../lib/realtime";

/** TypingLine says who else is typing in a conversation now (announced politely). */
export function TypingLine({
  id,
  myId,
  people,
}: {
  id: string;
  myId: string;
  people: Map<string, PersonName>;
}) {
  const { t } = useTranslation();
  const typing = useTyping(id, myId);
  return (
    <div className="typing muted small" aria-live="polite">
      {typing.length > 0 &&
        t("chat.typing", {
          names: typing.map((a) => people.get(a)?.name ?? "…").join(", "),
          count: typing.length,
        })}
    </div>
  );
}
