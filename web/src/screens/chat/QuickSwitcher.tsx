import { useNavigate } from "@tanstack/react-router";
import { type KeyboardEvent, useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { Dialog } from "../../components/ui";
import { personName, usePeople } from "../../lib/people";
import type { Conversation } from "./data";
import { matchConversations, moveActive } from "./shortcuts";

/** QuickSwitcher (Ctrl/⌘+K) finds a conversation by name: type, move with the arrows, open with Enter. */
export function QuickSwitcher({
  open,
  items,
  onClose,
}: {
  open: boolean;
  items: Conversation[];
  onClose: () => void;
}) {
  const { t } = useTranslation();
  return (
    <Dialog open={open} title={t("chat.switcher.title")} onClose={onClose}>
      {open && <SwitcherBody items={items} onClose={onClose} />}
    </Dialog>
  );
}

function SwitcherBody({ items, onClose }: { items: Conversation[]; onClose: () => void }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [q, setQ] = useState("");
  const [active, setActive] = useState(0);
  const people = usePeople(items.filter((c) => c.kind === "direct").map((c) => c.peer_id ?? ""));
  const nameOf = (c: Conversation) =>
    c.kind === "direct"
      ? c.peer_id
        ? personName(t, people.get(c.peer_id))
        : t("chat.deletedAccount")
      : c.name || t("chat.unnamedGroup");
  // biome-ignore lint/correctness/useExhaustiveDependencies: nameOf reads people
  const found = useMemo(() => matchConversations(items, nameOf, q).slice(0, 20), [items, q, people]);
  const go = (c: Conversation | undefined) => {
    if (!c) return;
    onClose();
    void navigate({ to: "/chat/$id", params: { id: c.id } });
  };
  const onKey = (e: KeyboardEvent) => {
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      setActive((a) => moveActive(a, found.length, e.key));
    } else if (e.key === "Enter" && !e.nativeEvent.isComposing) {
      e.preventDefault();
      go(found[Math.min(active, found.length - 1)]);
    }
  };
  const current = Math.min(active, Math.max(found.length - 1, 0));
  return (
    <div className="switcher">
      <input
        className="input"
        // biome-ignore lint/a11y/noAutofocus: the switcher is for typing
        autoFocus
        value={q}
        placeholder={t("chat.switcher.placeholder")}
        aria-label={t("chat.switcher.placeholder")}
        role="combobox"
        aria-expanded
        aria-controls="switcher-list"
        aria-activedescendant={found.length ? `switch-${current}` : undefined}
        onChange={(e) => {
          setQ(e.target.value);
          setActive(0);
        }}
        onKeyDown={onKey}
      />
      <div id="switcher-list" className="switcher-list" role="listbox" aria-label={t("chat.conversations")}>
        {found.map((c, i) => (
          <div
            key={c.id}
            tabIndex={-1}
            id={`switch-${i}`}
            role="option"
            aria-selected={i === current}
            className={i === current ? "switcher-option active" : "switcher-option"}
            onMouseDown={(e) => {
              e.preventDefault();
              go(c);
            }}
          >
            {nameOf(c)}
            {c.unread_count > 0 && (
              <span className="unread">{c.unread_count > 99 ? "99+" : c.unread_count}</span>
            )}
          </div>
        ))}
        {found.length === 0 && <p className="muted">{t("chat.switcher.none")}</p>}
      </div>
      <p className="muted small">{t("chat.switcher.hint")}</p>
    </div>
  );
}

/** ShortcutsHelp ("?") lists the chat's keyboard shortcuts. */
export function ShortcutsHelp({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const rows: [string, string][] = [
    ["Ctrl/⌘ + K", t("chat.keys.switcher")],
    ["Enter", t("chat.keys.send")],
    ["Shift + Enter", t("chat.keys.newline")],
    ["↑", t("chat.keys.editLast")],
    ["Esc", t("chat.keys.markRead")],
    ["@", t("chat.keys.mention")],
    ["?", t("chat.keys.help")],
  ];
  return (
    <Dialog open={open} title={t("chat.keys.title")} onClose={onClose}>
      <dl className="shortcuts">
        {rows.map(([k, what]) => (
          <div key={k} className="shortcut-row">
            <dt>
              <kbd>{k}</kbd>
            </dt>
            <dd>{what}</dd>
          </div>
        ))}
      </dl>
      <div className="dialog-actions">
        <button type="button" className="btn" onClick={onClose}>
          {t("common.close")}
        </button>
      </div>
    </Dialog>
  );
}
