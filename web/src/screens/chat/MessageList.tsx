import { useQueryClient } from "@tanstack/react-query";
import { useMemo } from "react";
import { useTranslation } from "react-i18next";
import { type PersonName, personName } from "../../lib/people";
import { loadLatest, type Member, type Message, messagesKey, readCounts } from "./data";
import { type MessageActions, MessageItem } from "./MessageItem";
import { receiptRunEnds } from "./receipts";
import { useListScroll } from "./useListScroll";

/** Messages of one sender closer together than this share one header. */
export const GROUP_GAP = 5 * 60_000;

/** startsGroup says whether m shows its sender's name and avatar (a new sender, a pause, or a reply). */
export function startsGroup(prev: Message | undefined, m: Message): boolean {
  return (
    !prev || prev.sender_id !== m.sender_id || m.created_at - prev.created_at > GROUP_GAP || !!m.reply_to_id
  );
}

type Props = {
  id: string;
  items: Message[];
  byId: Map<string, Message>;
  hasBefore: boolean;
  hasAfter: boolean;
  members: Member[];
  people: Map<string, PersonName>;
  myId: string;
  direct: boolean;
  highlight: string;
  clearHighlight: () => void;
  actions: MessageActions;
  /** unreadIndex is where the "New messages" line goes (-1: none). */
  unreadIndex: number;
  /** canRemove says whether I may delete a message for everyone. */
  canRemove: (m: Message) => boolean;
  /** selection: the ids picked in selection mode (undefined: not selecting). */
  selection?: string[];
};

/** MessageList is a conversation's history window, virtualized, with read receipts on my messages. */
export function MessageList({
  id,
  items,
  byId,
  hasBefore,
  hasAfter,
  members,
  people,
  myId,
  direct,
  highlight,
  clearHighlight,
  actions,
  unreadIndex,
  canRemove,
  selection,
}: Props) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  // One receipt per run of my consecutive messages, on its last one.
  const runEnds = useMemo(() => receiptRunEnds(items, myId), [items, myId]);
  const { scroller, v, onScroll } = useListScroll(id, items, myId, highlight, clearHighlight, unreadIndex);
  return (
    <div
      className="messages"
      ref={scroller}
      onScroll={onScroll}
      aria-live="polite"
      aria-relevant="additions"
      data-testid="messages"
    >
      {hasBefore && <div className="muted small history-hint">{t("chat.loadingOlder")}</div>}
      {!hasBefore && items.length > 0 && (
        <div className="muted small history-hint">{t("chat.beginning")}</div>
      )}
      <div className="messages-inner" style={{ height: v.getTotalSize() }}>
        {v.getVirtualItems().map((vi) => {
          const m = items[vi.index];
          const reply = m.reply_to_id ? byId.get(m.reply_to_id) : undefined;
          const rc = runEnds.has(m.id) && members.length ? readCounts(m, members) : undefined;
          const replyPerson = reply ? people.get(reply.sender_id) : undefined;
          return (
            <div
              key={vi.key}
              data-index={vi.index}
              ref={v.measureElement}
              className="vrow"
              style={{ transform: `translateY(${vi.start}px)` }}
            >
              {vi.index === unreadIndex && (
                <div className="unread-divider" data-testid="new-messages">
                  <span>{t("chat.newMessages")}</span>
                </div>
              )}
              <MessageItem
                m={m}
                mine={m.sender_id === myId}
                sender={people.get(m.sender_id)}
                showHeader={startsGroup(items[vi.index - 1], m)}
                replyTo={reply}
                replyName={replyPerson ? personName(t, replyPerson) : undefined}
                receipt={rc ? { ...rc, direct } : undefined}
                highlight={m.id === highlight}
                actions={actions}
                canRemove={canRemove(m)}
                selecting={!!selection}
                selected={selection?.includes(m.id)}
              />
            </div>
          );
        })}
      </div>
      {hasAfter && (
        <button
          type="button"
          className="btn btn-small jump-latest"
          onClick={() => void loadLatest(id).then((w) => qc.setQueryData(messagesKey(id), w))}
        >
          {t("chat.jumpLatest")}
        </button>
      )}
    </div>
  );
}
