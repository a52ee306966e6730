// Keyboard shortcuts of the chat screen: Ctrl/⌘+K opens the quick
// switcher, "?" the list of shortcuts, Escape marks the open conversation
// read. Keys typed into a field stay the field's, except Ctrl/⌘+K.
import type { Conversation } from "./data";

export type Shortcut = "switcher" | "help" | "markRead";

export type KeyInput = {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  /** inField: the key went to a text field, select or editable element. */
  inField: boolean;
  /** inDialog: a dialog or menu is open and Escape belongs to it. */
  inDialog: boolean;
};

/** shortcutFor says which shortcut a key press is, if any. */
export function shortcutFor(e: KeyInput): Shortcut | undefined {
  if ((e.ctrlKey || e.metaKey) && !e.altKey && e.key.toLowerCase() === "k") return "switcher";
  if (e.ctrlKey || e.metaKey || e.altKey || e.inField || e.inDialog) return undefined;
  if (e.key === "?") return "help";
  if (e.key === "Escape") return "markRead";
  return undefined;
}

/** isField reports whether key presses on target type text. */
export function isField(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el?.tagName) return false;
  return /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName) || el.isContentEditable;
}

/** matchConversations filters conversations by name (case-insensitive), best matches first. */
export function matchConversations<T extends Pick<Conversation, "id">>(
  items: T[],
  nameOf: (c: T) => string,
  query: string,
): T[] {
  const q = query.trim().toLowerCase();
  if (!q) return items;
  const scored: { c: T; score: number; i: number }[] = [];
  items.forEach((c, i) => {
    const n = nameOf(c).toLowerCase();
    const at = n.indexOf(q);
    if (at >= 0) scored.push({ c, score: at === 0 ? 0 : 1, i });
  });
  return scored.sort((a, b) => a.score - b.score || a.i - b.i).map((x) => x.c);
}

/** moveActive moves a highlighted row up or down a list of n rows, wrapping around. */
export function moveActive(active: number, n: number, key: string): number {
  if (n === 0) return 0;
  if (key === "ArrowDown") return (active + 1) % n;
  if (key === "ArrowUp") return (active - 1 + n) % n;
  return Math.min(active, n - 1);
}

/** lastOwnMessage is the newest text message of mine that can be edited (for ↑ in an empty composer). */
export function lastOwnMessage<
  M extends {
    sender_id: string;
    kind: string;
    deleted?: boolean;
    pending?: boolean;
    content_erased?: boolean;
  },
>(items: M[], myId: string): M | undefined {
  for (let i = items.length - 1; i >= 0; i--) {
    const m = items[i];
    if (m.sender_id === myId && m.kind === "text" && !m.deleted && !m.pending && !m.content_erased) return m;
  }
  return undefined;
}
