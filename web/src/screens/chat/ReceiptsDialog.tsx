import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { api, must } from "../../api/client";
import { Alert, Dialog } from "../../components/ui";
import { errorText } from "../../lib/errors";
import { personName, usePeople } from "../../lib/people";
import type { Message } from "./data";

/** ReceiptsDialog lists who has read one of my messages in a group, and who has not yet. */
export function ReceiptsDialog({
  conversationId,
  message,
  onClose,
}: {
  conversationId: string;
  message?: Message;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const q = useQuery({
    queryKey: ["receipts", conversationId, message?.id],
    queryFn: () =>
      must(
        api.GET("/api/v1/conversations/{id}/messages/{message_id}/receipts", {
          params: { path: { id: conversationId, message_id: message?.id ?? "" } },
        }),
      ),
    enabled: !!message,
  });
  const people = usePeople([...(q.data?.read ?? []), ...(q.data?.unread ?? [])]);
  const nameOf = (a: string) => personName(t, people.get(a));
  return (
    <Dialog open={!!message} title={t("chat.receipts")} onClose={onClose}>
      {q.error && <Alert>{errorText(t, q.error)}</Alert>}
      {q.data && (
        <div className="receipts-cols">
          <div>
            <h3>{t("chat.readList", { count: q.data.read_count })}</h3>
            <ul className="list" data-testid="read-list">
              {(q.data.read ?? []).map((a) => (
                <li key={a}>{nameOf(a)}</li>
              ))}
            </ul>
          </div>
          <div>
            <h3>{t("chat.unreadList", { count: q.data.unread_count })}</h3>
            <ul className="list" data-testid="unread-list">
              {(q.data.unread ?? []).map((a) => (
                <li key={a}>{nameOf(a)}</li>
              ))}
            </ul>
          </div>
        </div>
      )}
      <div className="dialog-actions">
        <button type="button" className="btn" onClick={onClose}>
          {t("common.close")}
        </button>
      </div>
    </Dialog>
  );
}
