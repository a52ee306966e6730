import raw from "@emoji-mart/data/sets/15/native.json";
import { type KeyboardEvent, useMemo, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { useMe } from "../../lib/session";
import {
  type EmojiData,
  type EmojiEntry,
  gridMove,
  groupsOf,
  loadRecent,
  rememberEmoji,
  searchEmoji,
} from "./emoji";

const COLS = 8;
const groups = groupsOf(raw as unknown as EmojiData);

/**
 * EmojiPicker is the full emoji picker: a search field, the emoji the
 * person used lately, and every emoji by category. It is loaded on first
 * use (LazyEmojiPicker), with its data. Keyboard: type to search, Enter
 * picks the first match, ↓ enters the grid, arrows move, Escape closes.
 */
export default function EmojiPicker({ onPick, label }: { onPick: (e: string) => void; label: string }) {
  const { t } = useTranslation();
  const me = useMe().data?.id ?? "";
  const [q, setQ] = useState("");
  const [recent] = useState(() => loadRecent(me));
  const grid = useRef<HTMLDivElement>(null);
  const found = useMemo(() => searchEmoji(groups, q), [q]);
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
            {groups.map((g) => section(g.id, t(`chat.emojiCat.${g.id}`), g.emojis))}
          </>
        )}
      </div>
    </div>
  );
}
