import { useQuery } from "@tanstack/react-query";
import { useTranslation } from "react-i18next";
import { api, must } from "../../api/client";
import { Alert, Dialog, formatTime } from "../../components/ui";
import { errorText } from "../../lib/errors";
import { editsKey, type Message } from "./data";

/** EditsDialog shows a message as it reads now and each earlier version, newest first. */
export function EditsDialog({
  conversationId,
  message,
  onClose,
}: {
  conversationId: string;
  message?: Message;
  onClose: () => void;
}) {
  const { t, i18n } = useTranslation();
  const q = useQuery({
    queryKey: editsKey(conversationId, message?.id ?? ""),
    queryFn: () =>
      must(
        api.GET("/api/v1/conversations/{id}/messages/{message_id}/edits", {
          params: { path: { id: conversationId, message_id: message?.id ?? "" } },
        }),
      ),
    enabled: !!message,
  });
  // The server keeps the versions a message had before each edit; the
  // current text is the message itself.
  const earlier = (q.data?.items ?? []).slice().sort((a, b) => b.edited_at - a.edited_at);
  return (
    <Dialog open={!!message} title={t("chat.editHistory")} onClose={onClose}>
      {q.error && <Alert>{errorText(t, q.error)}</Alert>}
      {message && (
        <ol className="thread-list" data-testid="edit-history">
          <li className="thread-item">
            <div className="muted small">
              <strong>{t("chat.currentVersion")}</strong> ·{" "}
              {formatTime(message.edited_at || message.created_at, i18n.language)}
            </div>
            {message.content_erased ? (
              <div className="muted">{t("chat.erasedMessage")}</div>
            ) : (
              // biome-ignore lint/security/noDangerouslySetInnerHtml: sanitized server-side (bluemonday)
              <div className="msg-text" dangerouslySetInnerHTML={{ __html: message.html }} />
            )}
          </li>
          {earlier.map((e, i) => (
            <li key={e.id} className="thread-item">
              <div className="muted small">
                <strong>{t("chat.earlierVersion", { n: earlier.length - i })}</strong> ·{" "}
                {t("chat.replacedAt", { time: formatTime(e.edited_at, i18n.language) })}
              </div>
              {e.content_erased ? (
                <div className="muted">{t("chat.erasedMessage")}</div>
              ) : (
                // biome-ignore lint/security/noDangerouslySetInnerHtml: sanitized server-side (bluemonday)
                <div className="msg-text" dangerouslySetInnerHTML={{ __html: e.html }} />
              )}
            </li>
          ))}
        </ol>
      )}
      <div className="dialog-actions">
        <button type="button" className="btn" onClick={onClose}>
          {t("common.close")}
        </button>
      </div>
    </Dialog>
  );
}
