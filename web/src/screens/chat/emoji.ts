/** EmojiEntry is one emoji of the picker: its character and the words that find it. */
export type EmojiEntry = { native: string; name: string; keywords: string[] };

/** EmojiGroup is one category of the picker, in display order. */
export type EmojiGroup = { id: string; emojis: EmojiEntry[] };

/** MAX_RECENT is how many recently used emoji are kept per person. */
export const MAX_RECENT = 24;

const recentKey = (accountId: string) => `atrium.emoji.recent.${accountId}`;

/** addRecent puts e first in the list of recently used emoji, once, at most max long. */
export function addRecent(list: string[], e: string, max = MAX_RECENT): string[] {
  return [e, ...list.filter((x) => x !== e)].slice(0, max);
}

/** loadRecent is the emoji a person used lately on this device, most recent first. */
export function loadRecent(
  accountId: string,
  storage: Storage | undefined = globalThis.localStorage,
): string[] {
  if (!accountId || !storage) return [];
  try {
    const v: unknown = JSON.parse(storage.getItem(recentKey(accountId)) ?? "[]");
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string").slice(0, MAX_RECENT) : [];
  } catch {
    return [];
  }
}

/** rememberEmoji records that a person used e; it returns the new list. */
export function rememberEmoji(
  accountId: string,
  e: string,
  storage: Storage | undefined = globalThis.localStorage,
): string[] {
  const next = addRecent(loadRecent(accountId, storage), e);
  if (accountId && storage) {
    try {
      storage.setItem(recentKey(accountId), JSON.stringify(next));
    } catch {
      // A full or blocked storage only loses the recent list.
    }
  }
  return next;
}

/**
 * searchEmoji finds emoji whose name or keywords contain every word of q
 * (case-insensitive). The best come first: the name itself, then names
 * that start with the query or a keyword that is the query, then (for a
 * Chinese query, whose names hold no spaces) names that contain it, then
 * keywords that start with it, then the rest; for a Chinese query, shorter
 * names first within each rank (红心 before 粉红色的心). An emoji typed
 * into the search finds itself.
 */
export function searchEmoji(groups: EmojiGroup[], q: string, limit = 120): EmojiEntry[] {
  const query = q.trim().toLowerCase();
  const words = query.split(/\s+/).filter(Boolean);
  if (!words.length) return [];
  const cjk = /[\u3400-\u9fff]/.test(query);
  const ranked: EmojiEntry[][] = [[], [], [], [], []];
  const seen = new Set<string>();
  for (const g of groups) {
    for (const e of g.emojis) {
      if (seen.has(e.native)) continue;
      const name = e.name.toLowerCase();
      const keys = e.keywords.map((k) => k.toLowerCase());
      const hay = [name, ...keys];
      if (!words.every((w) => e.native === w || hay.some((h) => h.includes(w)))) continue;
      seen.add(e.native);
      const rank =
        name === query || e.native === query
          ? 0
          : name.startsWith(query) || keys.includes(query)
            ? 1
            : cjk && name.includes(query)
              ? 2
              : keys.some((k) => k.startsWith(words[0]))
                ? 3
                : 4;
      ranked[rank].push(e);
    }
  }
  if (cjk) for (const r of ranked) r.sort((a, b) => a.name.length - b.name.length);
  return ranked.flat().slice(0, limit);
}

/** EmojiData is the shape of @emoji-mart/data's sets. */
export type EmojiData = {
  categories: { id: string; emojis: string[] }[];
  emojis: Record<string, { name: string; keywords?: string[]; skins: { native: string }[] }>;
};

/** groupsOf turns @emoji-mart/data's set into the picker's categories. */
export function groupsOf(data: EmojiData): EmojiGroup[] {
  return data.categories.map((c) => ({
    id: c.id,
    emojis: c.emojis
      .map((id) => data.emojis[id])
      .filter((e) => e?.skins?.[0]?.native)
      .map((e) => ({ native: e.skins[0].native, name: e.name, keywords: e.keywords ?? [] })),
  }));
}

/** EmojiNames is, per emoji, its name and search words in another language (emoji-zh.json). */
export type EmojiNames = Record<string, string[]>;

/**
 * withNames gives the picker's emoji the names of another language: the
 * name shown becomes that language's, and its words are searched before
 * the English name and keywords, which still find the emoji.
 */
export function withNames(groups: EmojiGroup[], names: EmojiNames): EmojiGroup[] {
  return groups.map((g) => ({
    id: g.id,
    emojis: g.emojis.map((e) => {
      const n = names[e.native];
      if (!n?.length) return e;
      const [name, ...words] = n;
      return { native: e.native, name, keywords: [...words, e.name, ...e.keywords] };
    }),
  }));
}

/** gridMove is the index the focus goes to from i for an arrow key in a grid of cols columns and n cells. */
export function gridMove(i: number, key: string, cols: number, n: number): number {
  switch (key) {
    case "ArrowRight":
      return Math.min(i + 1, n - 1);
    case "ArrowLeft":
      return Math.max(i - 1, 0);
    case "ArrowDown":
      return Math.min(i + cols, n - 1);
    case "ArrowUp":
      return i - cols < 0 ? -1 : i - cols;
    case "Home":
      return 0;
    case "End":
      return n - 1;
    default:
      return i;
  }
}
