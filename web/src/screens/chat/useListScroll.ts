// Scrolling the virtualized history: load older messages near the top,
// keep the view steady when they are prepended, follow new messages at the
// bottom, start at the bottom (or at the message jumped to), and bring a
// highlighted message into view.
import { useQueryClient } from "@tanstack/react-query";
import { useVirtualizer } from "@tanstack/react-virtual";
import { useCallback, useEffect, useLayoutEffect, useRef } from "react";
import { loadBefore, type Message, mergeMessages, messagesKey, type Window } from "./data";

/** Within this many pixels of the end the list counts as at the bottom (and follows). */
export const BOTTOM_SLACK = 80;
/** Closer than this many pixels to the top, older messages are loaded. */
export const OLDER_AT = 400;

/** ListShape is what the list looked like at the previous render. */
export type ListShape = { first?: string; total: number; length: number };

/** ScrollStep is how the list moves after a render. */
export type ScrollStep =
  | { kind: "none" }
  | { kind: "by"; delta: number } // older messages were prepended: keep the view
  | { kind: "to"; index: number; align: "center" | "end" | "start" };

/**
 * scrollStep decides how the list moves when its items change: keep the
 * visible messages in place when older ones arrive above, start at the
 * highlighted message, the first unread one or the bottom, and follow a new message at the bottom
 * when the reader was there or sent it.
 */
export function scrollStep(
  prev: ListShape,
  items: Message[],
  total: number,
  ctx: { highlight: string; atBottom: boolean; myId: string; unreadIndex?: number },
): ScrollStep {
  if (items.length === 0) return { kind: "none" };
  if (prev.first && items[0].id !== prev.first && items.length > prev.length) {
    return { kind: "by", delta: total - prev.total };
  }
  if (prev.length === 0) {
    const i = ctx.highlight ? items.findIndex((m) => m.id === ctx.highlight) : -1;
    if (i >= 0) return { kind: "to", index: i, align: "center" };
    // Opened with unread messages: start at the first of them.
    const u = ctx.unreadIndex ?? -1;
    if (u >= 0) return { kind: "to", index: u, align: "start" };
    return { kind: "to", index: items.length - 1, align: "end" };
  }
  if (items.length > prev.length) {
    const last = items[items.length - 1];
    if (ctx.atBottom || last.sender_id === ctx.myId || last.pending)
      return { kind: "to", index: items.length - 1, align: "end" };
  }
  return { kind: "none" };
}

/** useListScroll virtualizes a conversation's window of messages and steers its scrolling. */
export function useListScroll(
  id: string,
  items: Message[],
  myId: string,
  highlight: string,
  clearHighlight: () => void,
  unreadIndex = -1,
) {
  const qc = useQueryClient();
  const scroller = useRef<HTMLDivElement>(null);
  const v = useVirtualizer({
    count: items.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => 72,
    overscan: 12,
    getItemKey: (i) => items[i]?.id || items[i]?.client_msg_id || i,
  });
  const atBottom = useRef(true);
  const loadingOlder = useRef(false);
  const prev = useRef<ListShape>({ total: 0, length: 0 });

  const loadOlder = useCallback(async () => {
    const w = qc.getQueryData<Window>(messagesKey(id));
    if (!w?.hasBefore || loadingOlder.current || w.items.length === 0) return;
    loadingOlder.current = true;
    try {
      const h = await loadBefore(id, w.items[0].seq);
      qc.setQueryData<Window>(messagesKey(id), (x) =>
        x ? { ...x, items: mergeMessages(x.items, h.items), hasBefore: h.has_before } : x,
      );
    } finally {
      loadingOlder.current = false;
    }
  }, [id, qc]);

  const onScroll = () => {
    const el = scroller.current;
    if (!el) return;
    atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < BOTTOM_SLACK;
    if (el.scrollTop < OLDER_AT) void loadOlder();
  };

  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el || items.length === 0) return;
    const total = v.getTotalSize();
    const step = scrollStep(prev.current, items, total, {
      highlight,
      atBottom: atBottom.current,
      myId,
      unreadIndex,
    });
    if (step.kind === "by") el.scrollTop += step.delta;
    else if (step.kind === "to") v.scrollToIndex(step.index, { align: step.align });
    prev.current = { first: items[0].id, total, length: items.length };
  });
  useEffect(() => {
    if (!highlight) return;
    const i = items.findIndex((m) => m.id === highlight);
    if (i >= 0) v.scrollToIndex(i, { align: "center" });
    const timer = setTimeout(clearHighlight, 4000);
    return () => clearTimeout(timer);
  }, [highlight, items, v, clearHighlight]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: id is the trigger
  useEffect(() => {
    prev.current = { ...prev.current, first: undefined, length: 0 };
  }, [id]);

  return { scroller, v, onScroll };
}
