import type { TFunction } from "i18next";
import type { Schemas } from "../../api/client";
import type { Message } from "./data";

export type ChatRecord = Schemas["ChatRecord"];
export type RecordItem = Schemas["ChatRecordItem"];

/** The server's limits on one forward. */
export const MAX_FORWARD_MESSAGES = 100;
export const MAX_FORWARD_TARGETS = 20;

/** toggleId adds id to a selection or takes it out; a full selection takes no more. */
export function toggleId(sel: string[], id: string, max = MAX_FORWARD_MESSAGES): string[] {
  if (sel.includes(id)) return sel.filter((x) => x !== id);
  return sel.length >= max ? sel : [...sel, id];
}

/** forwardable says whether a message can be forwarded: sent, and not deleted or erased. */
export function forwardable(m: Message): boolean {
  return !m.pending && !m.failed && !m.deleted && !m.content_erased && !!m.id;
}

/** inHistoryOrder is the selected ids in the order of the history (oldest first), dropping what cannot be forwarded. */
export function inHistoryOrder(items: Message[], sel: string[]): string[] {
  const want = new Set(sel);
  return items.filter((m) => want.has(m.id) && forwardable(m)).map((m) => m.id);
}

/** recordNames is who wrote a chat record's messages, each once, in order of first appearance. */
export function recordNames(items: RecordItem[], unknown: string): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const it of items) {
    if (seen.has(it.sender_id)) continue;
    seen.add(it.sender_id);
    out.push(it.sender_name || unknown);
  }
  return out;
}

/** recordTitle is a chat record's title: "Chat history of A and B" (two names at most). */
export function recordTitle(t: TFunction, rec: ChatRecord | null | undefined): string {
  const names = recordNames(rec?.items ?? [], t("chat.someone"));
  if (names.length === 0) return t("chat.record");
  if (names.length === 1) return t("chat.recordTitleOne", { a: names[0] });
  if (names.length === 2) return t("chat.recordTitleTwo", { a: names[0], b: names[1] });
  return t("chat.recordTitleMore", { a: names[0], b: names[1] });
}

/** recordLine is one line of a record's preview: the text, or what kind of message it was. */
export function recordLine(t: TFunction, it: RecordItem): string {
  const text = it.body?.replace(/@\[([^\]]*)\]\([^)]*\)/g, "@$1").trim();
  if (text) return text.length > 80 ? `${text.slice(0, 80)}…` : text;
  switch (it.kind) {
    case "image":
      return t("chat.preview.image");
    case "voice":
      return t("chat.preview.voice");
    case "location":
      return t("chat.preview.location");
    case "record":
      return t("chat.record");
    case "card":
      return it.attachment?.title || t("chat.preview.link");
    default:
      return it.attachment?.name ? `${t("chat.preview.file")} ${it.attachment.name}` : t("chat.preview.file");
  }
}
