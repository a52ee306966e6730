import { useNavigate } from "@tanstack/react-router";
import type { TFunction } from "i18next";
import { lazy, type MouseEvent, memo, Suspense, useState } from "react";
import { useTranslation } from "react-i18next";
import { icons } from "../../components/icons";
import { Avatar, formatTime } from "../../components/ui";
import { FileViewer, type ViewedFile, viewable } from "../../components/viewer/FileViewer";
import { onMenuKeys, useDismiss } from "../../lib/dismiss";
import { type PersonName, personName } from "../../lib/people";
import { eventIdOf } from "../calendar/data";
import { type Message, removedKey } from "./data";
import { forwardable } from "./forward";
import { LazyEmojiPicker } from "./LazyEmojiPicker";
import { RecordCard } from "./RecordCard";
import { formatSize } from "./upload";

// An invitation card loads the calendar's code when one is shown: the
// chat screen does not carry it.
const EventCard = lazy(() => import("../calendar/EventCard").then((m) => ({ default: m.EventCard })));

export const QUICK_REACTIONS = ["👍", "❤️", "😂", "🎉", "👀", "✅"];

export type MessageActions = {
  reply: (m: Message) => void;
  edit: (m: Message) => void;
  react: (m: Message, emoji: string, on: boolean) => void;
  hide: (m: Message) => void;
  remove: (m: Message) => void;
  receipts: (m: Message) => void;
  thread: (rootId: string) => void;
  edits: (m: Message) => void;
  pin: (m: Message, on: boolean) => void;
  /** save saves the message for me (on) or takes it out of my saved messages. */
  save: (m: Message, on: boolean) => void;
  isSaved: (m: Message) => boolean;
  jump: (id: string) => void;
  retry: (m: Message) => void;
  /** forward opens the forward dialog for one message. */
  forward?: (m: Message) => void;
  /** select starts selecting messages (to forward several), with m selected. */
  select?: (m: Message) => void;
  /** toggleSelect adds m to the selection or takes it out. */
  toggleSelect?: (m: Message) => void;
};

type Props = {
  m: Message;
  mine: boolean;
  /** canRemove: I may delete this message for everyone (mine, or I run the group). */
  canRemove?: boolean;
  sender?: PersonName;
  showHeader: boolean;
  replyTo?: Message;
  replyName?: string;
  receipt?: { read: number; unread: number; direct: boolean };
  highlight: boolean;
  actions: MessageActions;
  /** selecting: the list is in selection mode; selected: this message is picked. */
  selecting?: boolean;
  selected?: boolean;
};

/** inApp reports whether a card's link is a path in this app ("/approvals/apr_1"). */
export function inApp(url: string): boolean {
  return url.startsWith("/") && !url.startsWith("//") && !url.includes("\\");
}

/** Card is a link card: a page elsewhere (a new tab) or an object in the app (opened in place). */
function Card({ url, title, description }: { url: string; title?: string; description?: string }) {
  const navigate = useNavigate();
  const local = inApp(url);
  return (
    <a
      href={url}
      className="msg-card"
      target={local ? undefined : "_blank"}
      rel={local ? undefined : "noreferrer noopener"}
      onClick={(e) => {
        if (!local || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
        e.preventDefault();
        void navigate({ href: url });
      }}
    >
      <span className="msg-card-title">{title || url}</span>
      {description ? <span className="muted small">{description}</span> : null}
    </a>
  );
}

// Saving an attachment to the drive loads the drive's picker when asked for.
const SaveToDrive = lazy(() => import("../drive/SaveToDrive"));

function SaveButton({ fileId, name }: { fileId: string; name: string }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const [saved, setSaved] = useState(false);
  return (
    <>
      <button type="button" className="btn btn-small" onClick={() => setOpen(true)}>
        {t("chat.saveToDrive")}
      </button>
      {saved && (
        <span className="muted small" role="status" data-testid="drive-saved">
          {t("drive.savedToDrive")}
        </span>
      )}
      {open && (
        <Suspense fallback={null}>
          <SaveToDrive
            fileId={fileId}
            name={name}
            onSaved={() => setSaved(true)}
            onClose={() => setOpen(false)}
          />
        </Suspense>
      )}
    </>
  );
}

function Attachment({ m }: { m: Message }) {
  const { t } = useTranslation();
  const [viewing, setViewing] = useState<ViewedFile | null>(null);
  const a = m.attachment;
  if (!a) return null;
  if (m.kind === "card" && a.url) {
    // An event invitation: its time, the answers, and my answer buttons.
    const eventId = eventIdOf(a.url);
    if (eventId)
      return (
        <Suspense fallback={<Card url={a.url} title={a.title} description={a.description} />}>
          <EventCard id={eventId} url={a.url} title={a.title} description={a.description} />
        </Suspense>
      );
    return <Card url={a.url} title={a.title} description={a.description} />;
  }
  const url = a.file_id ? `/api/v1/files/${encodeURIComponent(a.file_id)}/content` : a.url;
  const view = (e: MouseEvent) => {
    // A plain click opens the viewer; a modified one keeps the browser's way.
    if (!url || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    setViewing({
      url,
      name: a.name || t("chat.file"),
      contentType: a.content_type ?? (m.kind === "image" ? "image/*" : ""),
    });
  };
  const viewer = viewing && <FileViewer file={viewing} onClose={() => setViewing(null)} />;
  if (m.kind === "image" && a.file_id) {
    return (
      <>
        <a href={url} target="_blank" rel="noreferrer" className="msg-image" onClick={view}>
          <img
            src={a.has_thumbnail ? `/api/v1/files/${encodeURIComponent(a.file_id)}/thumbnail` : url}
            alt={a.name || t("chat.image")}
            // Reserve the image's box so the list does not jump when it loads.
            width={a.width ? Math.min(a.width, 320) : undefined}
            height={
              a.width && a.height ? Math.round((a.height * Math.min(a.width, 320)) / a.width) : undefined
            }
          />
        </a>
        {viewer}
      </>
    );
  }
  if (m.kind === "voice" && url) {
    return (
      <div className="msg-voice">
        {/* biome-ignore lint/a11y/useMediaCaption: voice messages have no captions */}
        <audio controls src={url} preload="none" aria-label={t("chat.voice")} />
        {a.duration_ms ? <span className="muted small"> {Math.round(a.duration_ms / 1000)}s</span> : null}
      </div>
    );
  }
  return (
    <span className="msg-file-row">
      <a href={url} className="msg-file" download={a.name}>
        {icons.attach}
        <span>
          <span className="file-name">{a.name || a.title || t("chat.file")}</span>
          {a.size ? <span className="muted small"> · {formatSize(a.size)}</span> : null}
        </span>
      </a>
      {url && viewable(a.content_type) === "pdf" && (
        <a href={url} className="btn btn-small" onClick={view}>
          {t("viewer.preview")}
        </a>
      )}
      {a.file_id && <SaveButton fileId={a.file_id} name={a.name || t("chat.file")} />}
      {viewer}
    </span>
  );
}

function Body({ m }: { m: Message }) {
  const { t } = useTranslation();
  // Deleted for everyone, or its content erased: a clear line, never an empty bubble.
  const removed = removedKey(m);
  if (removed) return <p className="msg-deleted">{t(removed)}</p>;
  if (m.kind === "location") {
    const l = m.location;
    return (
      <p className="msg-location">
        📍 {l ? `${l.label ?? ""} ${l.lat.toFixed(5)}, ${l.lon.toFixed(5)}`.trim() : t("chat.location")}
      </p>
    );
  }
  if (m.kind === "record" && m.attachment?.record) return <RecordCard record={m.attachment.record} />;
  return (
    <>
      {m.html ? (
        // The server renders Markdown through an allowlist sanitizer.
        // biome-ignore lint/security/noDangerouslySetInnerHtml: sanitized server-side (bluemonday)
        <div className="msg-text" dangerouslySetInnerHTML={{ __html: m.html }} />
      ) : m.body ? (
        <div className="msg-text">{m.body}</div>
      ) : null}
      <Attachment m={m} />
    </>
  );
}

/** quoteText is the start of the message a reply quotes, or what became of it. */
function quoteText(t: TFunction, m: Message | undefined): string {
  if (!m) return "";
  const removed = removedKey(m);
  return removed ? t(removed) : m.body.slice(0, 120);
}

/** MessageItem is one message: sender, text or attachment, reply quote, reactions, receipts and actions. */
export const MessageItem = memo(function MessageItem({
  m,
  mine,
  sender,
  showHeader,
  replyTo,
  replyName,
  receipt,
  highlight,
  actions,
  canRemove,
  selecting,
  selected,
}: Props) {
  const { t, i18n } = useTranslation();
  const [picker, setPicker] = useState(false);
  const [menu, setMenu] = useState(false);
  const [fullPicker, setFullPicker] = useState(false);
  const popups = useDismiss(picker || menu || fullPicker, () => {
    setPicker(false);
    setMenu(false);
    setFullPicker(false);
  });
  const name = personName(t, sender);
  const cls = [
    "msg",
    mine ? "mine" : "",
    highlight ? "highlight" : "",
    showHeader ? "" : "cont",
    m.pending ? "pending" : "",
    selected ? "selected" : "",
  ]
    .filter(Boolean)
    .join(" ");
  return (
    <article
      className={cls}
      aria-label={t("chat.messageFrom", { name })}
      data-testid="message"
      data-id={m.id}
    >
      <div className="msg-gutter">
        {selecting ? (
          <input
            type="checkbox"
            className="msg-select"
            aria-label={t("chat.selectMessage")}
            checked={!!selected}
            disabled={!forwardable(m)}
            onChange={() => actions.toggleSelect?.(m)}
          />
        ) : (
          showHeader && (
            <Avatar name={name} gone={sender?.gone} id={m.sender_id} photo={sender?.photo ?? ""} small />
          )
        )}
      </div>
      <div className="msg-main">
        {showHeader && (
          <header className="msg-head">
            <span className={sender?.gone ? "msg-sender gone" : "msg-sender"} data-testid="sender">
              {name}
            </span>
            <time className="muted small" dateTime={new Date(m.created_at).toISOString()}>
              {formatTime(m.created_at, i18n.language, { timeStyle: "short" })}
            </time>
          </header>
        )}
        {replyTo !== undefined || m.reply_to_id ? (
          <button
            type="button"
            className="reply-quote"
            onClick={() => m.reply_to_id && actions.jump(m.reply_to_id)}
          >
            <span className="reply-name">{replyName ?? "…"}</span>{" "}
            <span className="muted">{quoteText(t, replyTo)}</span>
          </button>
        ) : null}
        <Body m={m} />
        <div className="msg-meta">
          {m.edited_at && !m.deleted && !m.content_erased ? (
            <button
              type="button"
              className="btn-link muted small"
              aria-label={t("chat.showEdits")}
              onClick={() => actions.edits(m)}
            >
              {t("chat.edited")}
            </button>
          ) : null}
          {(m.thread_replies ?? 0) > 0 && !m.thread_root_id ? (
            <button
              type="button"
              className="btn-link small thread-count"
              data-testid="thread-count"
              onClick={() => actions.thread(m.id)}
            >
              {t("chat.threadReplies", { count: m.thread_replies })}
              {m.thread_last_reply_at ? (
                <span className="muted">
                  {" · "}
                  {t("chat.lastReply", {
                    time: formatTime(m.thread_last_reply_at, i18n.language, { timeStyle: "short" }),
                  })}
                </span>
              ) : null}
            </button>
          ) : null}
          {m.thread_root_id ? (
            <button
              type="button"
              className="btn-link small"
              onClick={() => m.thread_root_id && actions.thread(m.thread_root_id)}
            >
              {t("chat.inThread")}
            </button>
          ) : null}
          {m.pinned && <span className="muted small">📌 {t("chat.pinnedMessage")}</span>}
          {m.pending && !m.failed && (
            <span className="muted small">
              {m.progress !== undefined
                ? t("chat.uploading", { pct: Math.round(m.progress * 100) })
                : m.queued
                  ? t("offline.queued")
                  : t("chat.sending")}
            </span>
          )}
          {m.pending && m.progress !== undefined && !m.failed && (
            <progress className="progress" value={m.progress} max={1} aria-label={t("chat.uploadProgress")} />
          )}
          {m.failed && (
            <button type="button" className="btn-link error-text small" onClick={() => actions.retry(m)}>
              {t("chat.failedRetry")}
            </button>
          )}
          {mine && receipt && !m.pending && !m.deleted && (
            <button
              type="button"
              className="receipt btn-link small"
              onClick={() => actions.receipts(m)}
              data-testid="receipt"
            >
              {receipt.direct
                ? receipt.read > 0
                  ? t("chat.read")
                  : t("chat.unreadOne")
                : t("chat.readBy", { read: receipt.read, unread: receipt.unread })}
            </button>
          )}
        </div>
        {(m.reactions?.length ?? 0) > 0 && (
          <div className="reactions">
            {m.reactions?.map((r) => (
              <button
                key={r.emoji}
                type="button"
                className={r.mine ? "reaction mine" : "reaction"}
                aria-pressed={r.mine}
                aria-label={t("chat.reactionCount", { emoji: r.emoji, count: r.count })}
                onClick={() => actions.react(m, r.emoji, !r.mine)}
              >
                {r.emoji} {r.count}
              </button>
            ))}
          </div>
        )}
      </div>
      {!m.pending && !m.deleted && !selecting && (
        <div className="msg-actions" ref={popups}>
          <button
            type="button"
            className="icon-button"
            aria-label={t("chat.reply")}
            onClick={() => actions.reply(m)}
          >
            {icons.reply}
          </button>
          <button
            type="button"
            className="icon-button"
            aria-label={t("chat.react")}
            aria-expanded={picker}
            onClick={() => setPicker(!picker)}
          >
            {icons.smile}
          </button>
          <button
            type="button"
            className="icon-button"
            aria-label={t("chat.more")}
            aria-expanded={menu}
            onClick={() => setMenu(!menu)}
          >
            {icons.more}
          </button>
          {picker && (
            <div className="emoji-pop" role="toolbar" aria-label={t("chat.react")}>
              {QUICK_REACTIONS.map((e) => (
                <button
                  key={e}
                  type="button"
                  className="emoji"
                  onClick={() => {
                    setPicker(false);
                    actions.react(m, e, !m.reactions?.some((r) => r.emoji === e && r.mine));
                  }}
                >
                  {e}
                </button>
              ))}
              <button
                type="button"
                className="emoji emoji-more"
                aria-label={t("chat.moreEmoji")}
                onClick={() => {
                  setPicker(false);
                  setFullPicker(true);
                }}
              >
                +
              </button>
            </div>
          )}
          {fullPicker && (
            <LazyEmojiPicker
              label={t("chat.react")}
              onPick={(e) => {
                setFullPicker(false);
                actions.react(m, e, !m.reactions?.some((r) => r.emoji === e && r.mine));
              }}
            />
          )}
          {menu && (
            <div className="menu-pop msg-menu" role="menu" tabIndex={-1} onKeyDown={onMenuKeys}>
              <button
                type="button"
                role="menuitem"
                onClick={() => {
                  setMenu(false);
                  actions.thread(m.thread_root_id || m.id);
                }}
              >
                {t("chat.replyInThread")}
              </button>
              {actions.forward && forwardable(m) && (
                <button
                  type="button"
                  role="menuitem"
                  onClick={() => {
                    setMenu(false);
                    actions.forward?.(m);
                  }}
                >
                  {t("chat.forward")}
                </button>
              )}
              {actions.select && forwardable(m) && (
                <button
                  type="button"
                  role="menuitem"
                  onClick={() => {
                    setMenu(false);
                    actions.select?.(m);
                  }}
                >
                  {t("chat.selectMessages")}
                </button>
              )}
              {mine && m.kind === "text" && !m.content_erased && (
                <button
                  type="button"
                  role="menuitem"
                  onClick={() => {
                    setMenu(false);
                    actions.edit(m);
                  }}
                >
                  {t("chat.edit")}
                </button>
              )}
              <button
                type="button"
                role="menuitem"
                onClick={() => {
                  setMenu(false);
                  actions.pin(m, !m.pinned);
                }}
              >
                {m.pinned ? t("chat.unpin") : t("chat.pin")}
              </button>
              <button
                type="button"
                role="menuitem"
                onClick={() => {
                  setMenu(false);
                  actions.save(m, !actions.isSaved(m));
                }}
              >
                {actions.isSaved(m) ? t("chat.unsave") : t("chat.save")}
              </button>
              <button
                type="button"
                role="menuitem"
                onClick={() => {
                  setMenu(false);
                  actions.hide(m);
                }}
              >
                {t("chat.deleteForMe")}
              </button>
              {canRemove && !m.deleted && (
                <button
                  type="button"
                  role="menuitem"
                  onClick={() => {
                    setMenu(false);
                    actions.remove(m);
                  }}
                >
                  {t("chat.deleteForEveryone")}
                </button>
              )}
              {mine && (
                <button
                  type="button"
                  role="menuitem"
                  onClick={() => {
                    setMenu(false);
                    actions.receipts(m);
                  }}
                >
                  {t("chat.whoRead")}
                </button>
              )}
            </div>
          )}
        </div>
      )}
    </article>
  );
});
