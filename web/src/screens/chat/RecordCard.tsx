import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Dialog, formatTime } from "../../components/ui";
import { type ChatRecord, type RecordItem, recordLine, recordTitle } from "./forward";
import { formatSize } from "./upload";

function Item({ it }: { it: RecordItem }) {
  const { t, i18n } = useTranslation();
  const a = it.attachment;
  return (
    <li className="thread-item" data-testid="record-item">
      <div className="muted small">
        <strong>{it.sender_name || t("chat.someone")}</strong> · {formatTime(it.created_at, i18n.language)}
      </div>
      {it.html ? (
        // The server rendered this text (an allowlist sanitizer) when it was first sent.
        // biome-ignore lint/security/noDangerouslySetInnerHtml: sanitized server-side (bluemonday)
        <div className="msg-text" dangerouslySetInnerHTML={{ __html: it.html }} />
      ) : it.body ? (
        <div className="msg-text">{it.body}</div>
      ) : null}
      {it.kind === "record" && a?.record ? (
        <div className="msg-record nested">
          <span className="msg-record-title">{recordTitle(t, a.record)}</span>
          <ul className="muted small">
            {a.record.items.map((x, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: a record's items never move
              <li key={i}>
                {x.sender_name || t("chat.someone")}: {recordLine(t, x)}
              </li>
            ))}
          </ul>
        </div>
      ) : a && (a.name || a.title) ? (
        <div className="muted small">
          {recordLine(t, { ...it, body: "" })}
          {a.size ? ` · ${formatSize(a.size)}` : ""}
        </div>
      ) : it.kind === "location" && it.location ? (
        <div className="muted small">
          📍 {it.location.label ?? ""} {it.location.lat.toFixed(5)}, {it.location.lon.toFixed(5)}
        </div>
      ) : null}
    </li>
  );
}

/** RecordCard is a chat record in the history: its title and first lines; it opens in full. */
export function RecordCard({ record }: { record: ChatRecord }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const title = recordTitle(t, record);
  return (
    <>
      <button type="button" className="msg-record" onClick={() => setOpen(true)} data-testid="record">
        <span className="msg-record-title">{title}</span>
        {record.items.slice(0, 3).map((it, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: a record's items never move
          <span key={i} className="muted small msg-record-line">
            {it.sender_name || t("chat.someone")}: {recordLine(t, it)}
          </span>
        ))}
        <span className="muted small msg-record-foot">
          {t("chat.recordCount", { count: record.items.length })}
        </span>
      </button>
      <Dialog open={open} title={title} onClose={() => setOpen(false)}>
        <ol className="thread-list" data-testid="record-list">
          {record.items.map((it, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: a record's items never move
            <Item key={i} it={it} />
          ))}
        </ol>
        <p className="muted small">{t("chat.recordFilesNote")}</p>
      </Dialog>
    </>
  );
}
