import {
  type ClipboardEvent,
  type KeyboardEvent,
  useEffect,
  useLayoutEffect,
  useMemo,
  useRef,
  useState,
} from "react";
import { useTranslation } from "react-i18next";
import { icons } from "../../components/icons";
import { useDismiss } from "../../lib/dismiss";
import type { Message } from "./data";
import { clearDraft, loadDraft, saveDraft } from "./drafts";
import { LazyEmojiPicker } from "./LazyEmojiPicker";
import { fromMarkup, type Mentionable, mentionQuery, toMarkup } from "./mentions";

type Props = {
  conversationName: string;
  people: Mentionable[];
  replyTo?: { m: Message; name: string };
  editing?: Message;
  onCancel: () => void;
  onSend: (body: string) => void;
  onFiles: (files: File[]) => void;
  onTyping: () => void;
  /** draft, when given, keeps unsent text per account and conversation (drafts.ts). */
  draft?: { accountId: string; conversationId: string };
  /** onEditLast: ↑ in the empty composer edits my last message. */
  onEditLast?: () => void;
  /** onEscape: Escape with nothing to close (marks the conversation read). */
  onEscape?: () => void;
  /** canMentionAll offers @all (@所有人) in the mention list: the server says who may. */
  canMentionAll?: boolean;
};

/** ALL is the mention list's entry for @all; it is sent as text, not as a person's markup. */
const ALL = "@all";

/**
 * Composer writes a message: Enter sends, Shift+Enter starts a new line, "@"
 * opens the mention list (arrows, Enter or Tab to pick, Escape to close),
 * files come from the button, a paste or a drop on the conversation.
 */
export function Composer({
  conversationName,
  people,
  replyTo,
  editing,
  onCancel,
  onSend,
  onFiles,
  onTyping,
  draft,
  onEditLast,
  onEscape,
  canMentionAll,
}: Props) {
  const { t } = useTranslation();
  const [initial] = useState(() => fromMarkup(draft ? loadDraft(draft.accountId, draft.conversationId) : ""));
  const [text, setText] = useState(initial.text);
  const [picked, setPicked] = useState<Mentionable[]>(initial.picked);
  const [caret, setCaret] = useState(0);
  const [active, setActive] = useState(0);
  const [dismissed, setDismissed] = useState(-1);
  const area = useRef<HTMLTextAreaElement>(null);
  const file = useRef<HTMLInputElement>(null);
  const lastTyping = useRef(0);
  const nextCaret = useRef<number | null>(null);
  const [emojiOpen, setEmojiOpen] = useState(false);
  const emojiRef = useDismiss(emojiOpen, () => setEmojiOpen(false));
  const insertEmoji = (e: string) => {
    const el = area.current;
    const start = el?.selectionStart ?? text.length;
    const end = el?.selectionEnd ?? start;
    setText(text.slice(0, start) + e + text.slice(end));
    nextCaret.current = start + e.length;
    setEmojiOpen(false);
    el?.focus();
  };

  const accountId = draft?.accountId ?? "";
  const conversationId = draft?.conversationId ?? "";
  const wasEditing = useRef(false);
  useEffect(() => {
    if (editing) {
      const { text: x, picked: p } = fromMarkup(editing.body);
      setText(x);
      setPicked(p);
    } else if (wasEditing.current) {
      // Back from editing: the draft comes back.
      const d = fromMarkup(loadDraft(accountId, conversationId));
      setText(d.text);
      setPicked(d.picked);
    }
    wasEditing.current = !!editing;
    area.current?.focus();
  }, [editing, accountId, conversationId]);
  // The draft is saved as it is typed (not while a sent message is edited).
  useEffect(() => {
    if (!editing && accountId) saveDraft(accountId, conversationId, toMarkup(text, picked));
  }, [text, picked, editing, accountId, conversationId]);
  useEffect(() => {
    if (replyTo) area.current?.focus();
  }, [replyTo]);

  const mq = mentionQuery(text, caret);
  const matches = useMemo(() => {
    if (!mq || mq.start === dismissed) return [];
    const q = mq.query.toLowerCase();
    const found = people.filter((p) => p.name.toLowerCase().includes(q)).slice(0, 8);
    const allName = t("chat.mentionAllOption");
    if (canMentionAll && ["all", "所有人", allName].some((w) => w.startsWith(q))) {
      return [{ id: ALL, name: allName }, ...found.slice(0, 7)];
    }
    return found;
  }, [mq, people, dismissed, canMentionAll, t]);

  const pick = (p: Mentionable) => {
    if (!mq) return;
    const next = `${text.slice(0, mq.start)}@${p.name} ${text.slice(caret)}`;
    setText(next);
    if (p.id !== ALL) setPicked((x) => (x.some((y) => y.id === p.id) ? x : [...x, p]));
    nextCaret.current = mq.start + p.name.length + 2;
  };
  // Put the caret after an inserted mention as soon as the text is rendered,
  // before the next key arrives.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs after each text change
  useLayoutEffect(() => {
    const pos = nextCaret.current;
    if (pos === null) return;
    nextCaret.current = null;
    area.current?.setSelectionRange(pos, pos);
    setCaret(pos);
  }, [text]);

  const send = () => {
    const body = toMarkup(text.trim(), picked);
    if (!body) return;
    onSend(body);
    setText("");
    setPicked([]);
    if (!editing && accountId) clearDraft(accountId, conversationId);
  };

  const onKey = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (matches.length > 0) {
      if (e.key === "ArrowDown" || e.key === "ArrowUp") {
        e.preventDefault();
        setActive((a) => (a + (e.key === "ArrowDown" ? 1 : matches.length - 1)) % matches.length);
        return;
      }
      if (e.key === "Enter" || e.key === "Tab") {
        e.preventDefault();
        pick(matches[Math.min(active, matches.length - 1)]);
        return;
      }
      if (e.key === "Escape") {
        e.preventDefault();
        setDismissed(mq?.start ?? -1);
        return;
      }
    }
    if (e.key === "Escape" && (editing || replyTo)) {
      e.preventDefault();
      onCancel();
      return;
    }
    if (e.key === "Escape" && onEscape) {
      e.preventDefault();
      onEscape();
      return;
    }
    if (e.key === "ArrowUp" && !text && !editing && onEditLast && !e.shiftKey && !e.altKey) {
      e.preventDefault();
      onEditLast();
      return;
    }
    if (e.key === "Enter" && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      send();
    }
  };

  const onPaste = (e: ClipboardEvent) => {
    const files = [...e.clipboardData.files];
    if (files.length) {
      e.preventDefault();
      onFiles(files);
    }
  };

  return (
    <div className="composer">
      {(replyTo || editing) && (
        <div className="composer-context">
          <span className="grow">
            {editing ? t("chat.editing") : t("chat.replyingTo", { name: replyTo?.name })}
            {replyTo && <span className="muted"> — {replyTo.m.body.slice(0, 80)}</span>}
          </span>
          <button type="button" className="icon-button" aria-label={t("common.cancel")} onClick={onCancel}>
            {icons.close}
          </button>
        </div>
      )}
      {matches.length > 0 && (
        <div className="mention-list" role="listbox" id="mention-list" aria-label={t("chat.mentionPeople")}>
          {matches.map((p, i) => (
            <div
              key={p.id}
              id={`mention-${i}`}
              role="option"
              tabIndex={-1}
              aria-selected={i === active}
              className={i === active ? "mention-option active" : "mention-option"}
              onMouseDown={(e) => {
                e.preventDefault();
                pick(p);
              }}
            >
              @{p.name}
              {p.id === ALL && <span className="muted"> — {t("chat.mentionAllHint")}</span>}
            </div>
          ))}
        </div>
      )}
      <div className="composer-row">
        <button
          type="button"
          className="icon-button"
          aria-label={t("chat.attach")}
          onClick={() => file.current?.click()}
          disabled={!!editing}
        >
          {icons.attach}
        </button>
        <div className="emoji-anchor" ref={emojiRef}>
          <button
            type="button"
            className="icon-button"
            aria-label={t("chat.emoji")}
            aria-expanded={emojiOpen}
            onClick={() => setEmojiOpen(!emojiOpen)}
          >
            {icons.smile}
          </button>
          {emojiOpen && <LazyEmojiPicker label={t("chat.emoji")} onPick={insertEmoji} />}
        </div>
        <input
          ref={file}
          type="file"
          multiple
          hidden
          data-testid="file-input"
          onChange={(e) => {
            const files = [...(e.target.files ?? [])];
            e.target.value = "";
            if (files.length) onFiles(files);
          }}
        />
        <textarea
          ref={area}
          className="composer-input"
          rows={1}
          value={text}
          placeholder={t("chat.messageTo", { name: conversationName })}
          aria-label={t("chat.messageTo", { name: conversationName })}
          aria-autocomplete="list"
          aria-controls={matches.length ? "mention-list" : undefined}
          aria-activedescendant={
            matches.length ? `mention-${Math.min(active, matches.length - 1)}` : undefined
          }
          aria-expanded={matches.length > 0}
          role="combobox"
          onChange={(e) => {
            setText(e.target.value);
            setCaret(e.target.selectionStart);
            setActive(0);
            const now = Date.now();
            if (now - lastTyping.current > 2000 && e.target.value) {
              lastTyping.current = now;
              onTyping();
            }
          }}
          onSelect={(e) => setCaret(e.currentTarget.selectionStart)}
          onKeyDown={onKey}
          onPaste={onPaste}
        />
        <button
          type="button"
          className="icon-button send"
          aria-label={t("chat.send")}
          onClick={send}
          disabled={!text.trim()}
        >
          {icons.send}
        </button>
      </div>
    </div>
  );
}
