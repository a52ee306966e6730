// The short plain-text line a conversation list shows for a conversation's
// last message: Markdown and mention markup taken away, a marker for a
// message without text. The server sends one with the list; new messages
// from the stream are previewed here the same way.
import type { TFunction } from "i18next";
import type { Conversation, Message } from "./data";

export type LastMessage = NonNullable<Conversation["last_message"]>;

/** PREVIEW_MAX is how many characters of text a list shows. */
export const PREVIEW_MAX = 120;

/**
 * previewText is Markdown source as plain text: "@[Name](acc_…)" reads
 * "@Name", a link its text, emphasis, code, headings, quotes and list
 * markers go, white space folds, and a long text ends with "…".
 */
export function previewText(body: string, max = PREVIEW_MAX): string {
  const s = body
    .replace(/@\[([^\]\n]+)\]\(acc_[^)]*\)/g, "@$1")
    .replace(/```[^\n]*\n?/g, " ")
    .replace(/\[([^\]\n]*)\]\([^)\s]*\)/g, "$1")
    .replace(/^\s{0,3}(#{1,6}\s+|>\s?|[-*+]\s+|\d+[.)]\s+)/gm, "")
    .replace(/(\*\*|__|~~|`)/g, "")
    .replace(/(^|[\s(])[*_]([^*_\s][^*_]*?)[*_](?=$|[\s).,!?:;])/g, "$1$2")
    .replace(/\s+/g, " ")
    .trim();
  return [...s].length > max
    ? `${[...s]
        .slice(0, max - 1)
        .join("")
        .trimEnd()}…`
    : s;
}

/** MARKERS are the server's previews of messages without text. */
const MARKERS: Record<string, string> = {
  "[Image]": "chat.preview.image",
  "[File]": "chat.preview.file",
  "[Voice]": "chat.preview.voice",
  "[Location]": "chat.preview.location",
  "[Link]": "chat.preview.link",
  "[Chat history]": "chat.preview.record",
};

/** lastFromMessage is the list's last message for a message that just arrived. */
export function lastFromMessage(m: Message): LastMessage {
  let preview = previewText(m.body ?? "");
  if (!preview && !m.deleted) {
    if (m.kind === "image") preview = "[Image]";
    else if (m.kind === "file") preview = "[File]";
    else if (m.kind === "voice") preview = "[Voice]";
    else if (m.kind === "location") preview = "[Location]";
    else if (m.kind === "card") preview = m.attachment?.title || "[Link]";
    else if (m.kind === "record") preview = "[Chat history]";
  }
  return {
    id: m.id,
    sender_id: m.sender_id,
    sender_name: "",
    kind: m.kind,
    preview,
    deleted: !!m.deleted,
    created_at: m.created_at,
  };
}

/** previewLine is what the list shows of a last message, in the reader's language. */
export function previewLine(t: TFunction, lm: LastMessage): string {
  if (lm.deleted) return t("chat.preview.deleted");
  if (lm.content_erased) return t("chat.preview.erased");
  const marker = MARKERS[lm.preview];
  return marker ? t(marker) : lm.preview;
}

/**
 * relativeTime says how long ago a time was: "now", "5m", "3h", then the
 * weekday within a week, then the date.
 */
export function relativeTime(at: number, now: number, lang: string): string {
  const diff = Math.max(0, now - at);
  const rtf = new Intl.RelativeTimeFormat(lang, { numeric: "auto", style: "narrow" });
  if (diff < 60_000) return rtf.format(0, "second");
  if (diff < 3_600_000) return rtf.format(-Math.floor(diff / 60_000), "minute");
  if (diff < 86_400_000) return rtf.format(-Math.floor(diff / 3_600_000), "hour");
  const d = new Date(at);
  if (diff < 7 * 86_400_000) return d.toLocaleDateString(lang, { weekday: "short" });
  return d.toLocaleDateString(lang, { dateStyle: "short" });
}
