import raw from "@emoji-mart/data/sets/15/native.json";
import { type KeyboardEvent, use, useMemo, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { useMe } from "../../lib/session";
import {
  type EmojiData,
  type EmojiEntry,
  type EmojiGroup,
  type EmojiNames,
  gridMove,
  groupsOf,
  loadRecent,
  rememberEmoji,
  searchEmoji,
  withNames,
} from "./emoji";

const COLS = 8;
const groups = groupsOf(raw as unknown as EmojiData);

// The Chinese names and search words (some 40 KB gzipped) load with the
// picker, only when the interface is in Chinese; English words still find.
let zhGroups: Promise<EmojiGroup[]> | undefined;
const groupsIn = (lang: string): EmojiGroup[] | Promise<EmojiGroup[]> => {
  if (!lang.startsWith("zh")) return groups;
  zhGroups ??= import("./emoji-zh.json").then(
    (m) => withNames(groups, m.default as EmojiNames),
    () => groups,
  );
  return zhGroups;
};

/**
 * EmojiPicker is the full emoji picker: a search field, the emoji the
 * person used lately, and every emoji by category. It is loaded on first
 * use (LazyEmojiPicker), with its data. Keyboard: type to search, Enter
 * picks the first match, ↓ enters the grid, arrows move, Escape closes.
 */
export default function EmojiPicker({ onPick, label }: { onPick: (e: string) => void; label: string }) {
  const { t, i18n } = useTranslation();
  const g = groupsIn(i18n.language);
  const shown = Array.isArray(g) ? g : use(g);
  const me = useMe().data?.id ?? "";
  const [q, setQ] = useState("");
  const [recent] = useState(() => loadRecent(me));
  const grid = useRef<HTMLDivElement>(null);
  const found = useMemo(() => searchEmoji(shown, q), [shown, q]);
  const pick = (e: string) => {
    rememberEmoji(me, e);
    onPick(e);
  };
  const cells = () => [...(grid.current?.querySelectorAll<HTMLButtonElement>("button.emoji") ?? [])];
  const onGridKey = (e: KeyboardEvent<HTMLDivElement>) => {
    const all = cells();
    const i = all.indexOf(document.activeElement as HTMLButtonElement);
    if (i < 0) return;
    const j = gridMove(i, e.key, COLS, all.length);
    if (j === i) return;
    e.preventDefault();
    if (j < 0) grid.current?.parentElement?.querySelector<HTMLInputElement>("input")?.focus();
    else all[j]?.focus();
  };
  const cell = (e: EmojiEntry | string) => {
    const native = typeof e === "string" ? e : e.native;
    const name = typeof e === "string" ? e : e.name;
    return (
      <button
        key={native}
        type="button"
        className="emoji"
        title={name}
        aria-label={name}
        tabIndex={-1}
        onClick={() => pick(native)}
      >
        {native}
      </button>
    );
  };
  const section = (id: string, title: string, list: (EmojiEntry | string)[]) =>
    list.length ? (
      <section key={id} aria-label={title}>
        <h3 className="emoji-cat muted small">{title}</h3>
        <div className="emoji-grid">{list.map(cell)}</div>
      </section>
    ) : null;
  return (
    <div className="emoji-picker" role="dialog" aria-label={label} data-testid="emoji-picker">
      <input
        type="search"
        className="emoji-search"
        // biome-ignore lint/a11y/noAutofocus: the picker opens to be searched
        autoFocus
        placeholder={t("chat.emojiSearch")}
        aria-label={t("chat.emojiSearch")}
        value={q}
        onChange={(e) => setQ(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === "Enter") {
            e.preventDefault();
            const first = q.trim() ? found[0]?.native : recent[0];
            if (first) pick(first);
          } else if (e.key === "ArrowDown") {
            e.preventDefault();
            cells()[0]?.focus();
          }
        }}
      />
      {/* biome-ignore lint/a11y/noStaticElementInteractions: arrow keys move among the emoji buttons */}
      <div className="emoji-scroll" ref={grid} onKeyDown={onGridKey}>
        {q.trim() ? (
          found.length ? (
            section("found", t("chat.emojiResults"), found)
          ) : (
            <p className="muted small">{t("chat.noResults")}</p>
          )
        ) : (
          <>
            {section("recent", t("chat.emojiRecent"), recent)}
            {shown.map((c) => section(c.id, t(`chat.emojiCat.${c.id}`), c.emojis))}
          </>
        )}
      </div>
    </div>
  );
}
