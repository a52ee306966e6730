import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Link, useNavigate } from "@tanstack/react-router";
import { useVirtualizer } from "@tanstack/react-virtual";
import { type DragEvent, useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { ApiError, api, must } from "../../api/client";
import { icons } from "../../components/icons";
import { Alert, Dialog } from "../../components/ui";
import { errorText } from "../../lib/errors";
import { personName, usePeople } from "../../lib/people";
import { usePresence, useRealtime, useTyping } from "../../lib/realtime";
import { useMe } from "../../lib/session";
import { Composer } from "./Composer";
import { ConversationDetails, useSetMine } from "./ConversationDetails";
import { useConversationName } from "./ConversationList";
import {
  conversationsKey,
  keepReadPositions,
  loadAround,
  loadBefore,
  loadLatest,
  type MemberList,
  type Message,
  membersKey,
  mergeMessages,
  messagesKey,
  newClientId,
  pinsKey,
  readCounts,
  type Window,
} from "./data";
import { EditsDialog } from "./EditsDialog";
import { type MessageActions, MessageItem } from "./MessageItem";
import { ThreadDialog } from "./ThreadDialog";
import { uploadFile } from "./upload";

const GROUP_GAP = 5 * 60_000;

/** ConversationView is one open conversation: header, virtualized history, composer. */
export function ConversationView({ id, at }: { id: string; at?: string }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const me = useMe().data;
  const myId = me?.id ?? "";
  const { stream, setOpen } = useRealtime();

  useEffect(() => {
    setOpen(id);
    return () => setOpen("");
  }, [id, setOpen]);

  const conv = useQuery({
    queryKey: ["conversation", id],
    queryFn: () => must(api.GET("/api/v1/conversations/{id}", { params: { path: { id } } })),
  });
  const win = useQuery({
    queryKey: messagesKey(id),
    queryFn: () => (at ? loadAround(id, at) : loadLatest(id)),
    staleTime: Number.POSITIVE_INFINITY,
  });
  const members = useQuery({
    queryKey: membersKey(id),
    queryFn: async () =>
      keepReadPositions(
        qc.getQueryData<MemberList>(membersKey(id)),
        (await must(
          api.GET("/api/v1/conversations/{id}/members", { params: { path: { id } } }),
        )) as MemberList,
      ),
  });
  const items = win.data?.items ?? [];
  const byId = useMemo(() => new Map(items.map((m) => [m.id, m])), [items]);
  const people = usePeople([
    ...items.map((m) => m.sender_id),
    ...(members.data?.items.map((m) => m.account_id) ?? []),
  ]);
  const { name } = useConversationName(conv.data);
  const direct = conv.data?.kind === "direct";
  const presence = usePresence(direct ? conv.data?.peer_id : undefined);
  const typing = useTyping(id, myId);

  useEffect(() => {
    const ids = members.data?.items.map((m) => m.account_id).filter((x) => x !== myId) ?? [];
    if (ids.length) stream.watchPresence(ids.slice(0, 500));
  }, [members.data, stream, myId]);

  // Jump to a message (from search or a reply) that is not in the window.
  const [highlight, setHighlight] = useState(at ?? "");
  useEffect(() => {
    if (!at) return;
    setHighlight(at);
    if (!qc.getQueryData<Window>(messagesKey(id))?.items.some((m) => m.id === at)) {
      void loadAround(id, at).then((w) => qc.setQueryData(messagesKey(id), w));
    }
  }, [at, id, qc]);

  // ---------- the virtualized list ----------
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
  const prevFirst = useRef<string | undefined>(undefined);
  const prevTotal = useRef(0);
  const prevLen = useRef(0);

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
    atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 80;
    if (el.scrollTop < 400) void loadOlder();
  };

  // Keep the view steady when older messages are prepended, follow new ones
  // at the bottom, and start at the bottom (or at the message jumped to).
  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el || items.length === 0) return;
    const first = items[0].id;
    const total = v.getTotalSize();
    if (prevFirst.current && first !== prevFirst.current && items.length > prevLen.current) {
      el.scrollTop += total - prevTotal.current;
    } else if (prevLen.current === 0) {
      const i = highlight ? items.findIndex((m) => m.id === highlight) : -1;
      if (i >= 0) v.scrollToIndex(i, { align: "center" });
      else v.scrollToIndex(items.length - 1, { align: "end" });
    } else if (items.length > prevLen.current) {
      const last = items[items.length - 1];
      if (atBottom.current || last.sender_id === myId || last.pending)
        v.scrollToIndex(items.length - 1, { align: "end" });
    }
    prevFirst.current = first;
    prevTotal.current = total;
    prevLen.current = items.length;
  });
  useEffect(() => {
    if (!highlight) return;
    const i = items.findIndex((m) => m.id === highlight);
    if (i >= 0) v.scrollToIndex(i, { align: "center" });
    const timer = setTimeout(() => setHighlight(""), 4000);
    return () => clearTimeout(timer);
  }, [highlight, items, v]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: id is the trigger
  useEffect(() => {
    prevLen.current = 0;
    prevFirst.current = undefined;
  }, [id]);

  // ---------- reading ----------
  const lastSeen = items.filter((m) => !m.pending).at(-1);
  useEffect(() => {
    if (!lastSeen || !conv.data || document.hidden) return;
    if (win.data?.hasAfter || lastSeen.seq <= conv.data.read_seq) return;
    const timer = setTimeout(() => {
      void must(
        api.POST("/api/v1/conversations/{id}/read", {
          params: { path: { id } },
          body: { up_to_message_id: lastSeen.id },
        }),
      )
        .then((r) => {
          qc.setQueryData<typeof conv.data>(["conversation", id], (c) =>
            c ? { ...c, read_seq: r.read_seq, unread_count: 0 } : c,
          );
          qc.setQueryData<{ items: { id: string; unread_count: number; read_seq: number }[] }>(
            conversationsKey,
            (l) =>
              l
                ? {
                    ...l,
                    items: l.items.map((c) =>
                      c.id === id ? { ...c, unread_count: 0, read_seq: r.read_seq } : c,
                    ),
                  }
                : l,
          );
        })
        .catch(() => undefined);
    }, 300);
    return () => clearTimeout(timer);
  }, [lastSeen, conv.data, win.data?.hasAfter, id, qc]);

  // ---------- sending ----------
  const [replyTo, setReplyTo] = useState<Message | undefined>();
  const [editing, setEditing] = useState<Message | undefined>();
  const [error, setError] = useState<unknown>(null);
  const put = useCallback(
    (m: Message) => {
      qc.setQueryData<Window>(messagesKey(id), (w) => (w ? { ...w, items: mergeMessages(w.items, [m]) } : w));
    },
    [id, qc],
  );

  const sendBody = useCallback(
    async (
      draft: Message,
      input: { body?: string; file_id?: string; kind?: string; reply_to_id?: string },
    ) => {
      put(draft);
      try {
        const m = await must(
          api.POST("/api/v1/conversations/{id}/messages", {
            params: { path: { id } },
            body: { client_msg_id: draft.client_msg_id, ...input },
          }),
        );
        put({ ...m, pending: false, failed: false });
      } catch (e) {
        setError(e);
        put({ ...draft, failed: true });
      }
    },
    [id, put],
  );

  const draftOf = (extra: Partial<Message>): Message => ({
    id: "",
    seq: Number.MAX_SAFE_INTEGER,
    client_msg_id: newClientId(),
    conversation_id: id,
    sender_id: myId,
    created_at: Date.now(),
    kind: "text",
    body: "",
    html: "",
    pending: true,
    ...extra,
  });

  const onSend = (body: string) => {
    setError(null);
    if (editing) {
      const target = editing;
      setEditing(undefined);
      void must(
        api.PATCH("/api/v1/conversations/{id}/messages/{message_id}", {
          params: { path: { id, message_id: target.id } },
          body: { body },
        }),
      )
        .then((m) => put(m))
        .catch(setError);
      return;
    }
    const reply = replyTo?.id;
    setReplyTo(undefined);
    void sendBody(draftOf({ body, reply_to_id: reply }), { body, reply_to_id: reply });
  };

  const onFiles = (files: File[]) => {
    setError(null);
    for (const f of files) {
      const image = f.type.startsWith("image/");
      const draft = draftOf({
        kind: image ? "image" : "file",
        body: "",
        progress: 0,
        attachment: { name: f.name, size: f.size, content_type: f.type },
      });
      put(draft);
      void uploadFile(f, (p) => put({ ...draft, progress: p }))
        .then((file) =>
          sendBody(
            { ...draft, progress: undefined },
            { file_id: file.id, kind: file.content_type.startsWith("image/") ? "image" : "file" },
          ),
        )
        .catch((e) => {
          setError(e);
          put({ ...draft, failed: true });
        });
    }
  };

  const [receiptsOf, setReceiptsOf] = useState<Message | undefined>();
  const [threadOf, setThreadOf] = useState<string | undefined>();
  const [editsOf, setEditsOf] = useState<Message | undefined>();
  const [details, setDetails] = useState(false);
  const actions: MessageActions = useMemo(
    () => ({
      reply: (m) => {
        setEditing(undefined);
        setReplyTo(m);
      },
      edit: (m) => {
        setReplyTo(undefined);
        setEditing(m);
      },
      react: (m, emoji, on) => {
        const path = { params: { path: { id, message_id: m.id, emoji } } };
        const call = on
          ? api.PUT("/api/v1/conversations/{id}/messages/{message_id}/reactions/{emoji}", path)
          : api.DELETE("/api/v1/conversations/{id}/messages/{message_id}/reactions/{emoji}", path);
        void must(call).catch(setError);
      },
      hide: (m) => {
        void must(
          api.POST("/api/v1/me/erasures/message", {
            body: { conversation_id: id, message_id: m.id, for_everyone: false },
          }),
        )
          .then(() =>
            qc.setQueryData<Window>(messagesKey(id), (w) =>
              w ? { ...w, items: w.items.filter((x) => x.id !== m.id) } : w,
            ),
          )
          .catch(setError);
      },
      remove: (m) => {
        void must(
          api.POST("/api/v1/me/erasures/message", {
            body: { conversation_id: id, message_id: m.id, for_everyone: true },
          }),
        ).catch(setError);
      },
      receipts: (m) => setReceiptsOf(m),
      thread: (rootId) => setThreadOf(rootId),
      edits: (m) => setEditsOf(m),
      pin: (m, on) => {
        const path = { params: { path: { id, message_id: m.id } } };
        const call = on
          ? api.PUT("/api/v1/conversations/{id}/messages/{message_id}/pin", path)
          : api.DELETE("/api/v1/conversations/{id}/messages/{message_id}/pin", path);
        void must(call)
          .then(() => {
            qc.setQueryData<Window>(messagesKey(id), (w) =>
              w ? { ...w, items: w.items.map((x) => (x.id === m.id ? { ...x, pinned: on } : x)) } : w,
            );
            return qc.invalidateQueries({ queryKey: pinsKey(id) });
          })
          .catch(setError);
      },
      jump: (mid) => void navigate({ to: "/chat/$id", params: { id }, search: { at: mid } }),
      retry: (m) => {
        if (m.kind === "text")
          void sendBody({ ...m, failed: false }, { body: m.body, reply_to_id: m.reply_to_id });
      },
    }),
    [id, qc, navigate, sendBody],
  );

  const setMine = useSetMine(id);

  const [dragOver, setDragOver] = useState(false);
  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setDragOver(false);
    const files = [...e.dataTransfer.files];
    if (files.length) onFiles(files);
  };

  const memberList = members.data?.items ?? [];
  const mentionable = memberList
    .filter((m) => m.account_id !== myId)
    .map((m) => ({ id: m.account_id, name: people.get(m.account_id)?.name ?? "" }))
    .filter((p) => p.name);
  const [notifyAsk, setNotifyAsk] = useState(
    typeof Notification !== "undefined" && Notification.permission === "default",
  );

  if (conv.error) {
    // Removed, left on another device, or never one's own: the same answer.
    const gone = conv.error instanceof ApiError && conv.error.status === 404;
    return (
      <section className="conversation conversation-gone">
        {gone ? (
          <p className="muted" role="status">
            {t("chat.notAvailable")}
          </p>
        ) : (
          <Alert>{errorText(t, conv.error)}</Alert>
        )}
        <Link to="/chat" className="btn">
          {t("chat.backToList")}
        </Link>
      </section>
    );
  }

  return (
    <section
      className={dragOver ? "conversation drag-over" : "conversation"}
      aria-labelledby="conv-title"
      onDragOver={(e) => {
        if (e.dataTransfer.types.includes("Files")) {
          e.preventDefault();
          setDragOver(true);
        }
      }}
      onDragLeave={() => setDragOver(false)}
      onDrop={onDrop}
    >
      <header className="conv-header">
        <Link to="/chat" className="icon-button back-button" aria-label={t("chat.backToList")}>
          ←
        </Link>
        <div className="grow conv-title-wrap">
          <h1 id="conv-title" className="conv-title">
            {name}
          </h1>
          <div className="muted small">
            {direct
              ? presence === "online"
                ? t("chat.online")
                : presence === "away"
                  ? t("chat.away")
                  : t("chat.offline")
              : t("chat.members", { count: conv.data?.member_count ?? 0 })}
            {conv.data?.topic && ` · ${conv.data.topic}`}
          </div>
        </div>
        {notifyAsk && (
          <button
            type="button"
            className="btn btn-small notify-button"
            onClick={async () => {
              await Notification.requestPermission();
              setNotifyAsk(false);
            }}
          >
            {t("chat.enableNotifications")}
          </button>
        )}
        <Link
          to="/chat/search"
          search={{ conversation: id }}
          className="icon-button"
          aria-label={t("chat.searchHere")}
        >
          {icons.search}
        </Link>
        <button
          type="button"
          className={conv.data?.pinned ? "icon-button on" : "icon-button"}
          aria-pressed={conv.data?.pinned ?? false}
          aria-label={t("chat.pinConversation")}
          onClick={() => setMine.mutate({ pinned: !conv.data?.pinned })}
        >
          {icons.pin}
        </button>
        <button
          type="button"
          className={conv.data?.muted ? "icon-button on" : "icon-button"}
          aria-pressed={conv.data?.muted ?? false}
          aria-label={t("chat.muteConversation")}
          onClick={() => setMine.mutate({ muted: !conv.data?.muted })}
        >
          {icons.mute}
        </button>
        <button
          type="button"
          className="icon-button"
          aria-label={direct ? t("chat.details.chatTitle") : t("chat.details.groupTitle")}
          aria-haspopup="dialog"
          onClick={() => setDetails(true)}
          disabled={!conv.data}
        >
          {icons.info}
        </button>
      </header>
      {conv.data?.announcement && <div className="announcement">{conv.data.announcement}</div>}
      <div
        className="messages"
        ref={scroller}
        onScroll={onScroll}
        aria-live="polite"
        aria-relevant="additions"
        data-testid="messages"
      >
        {win.data?.hasBefore && <div className="muted small history-hint">{t("chat.loadingOlder")}</div>}
        {!win.data?.hasBefore && items.length > 0 && (
          <div className="muted small history-hint">{t("chat.beginning")}</div>
        )}
        <div className="messages-inner" style={{ height: v.getTotalSize() }}>
          {v.getVirtualItems().map((vi) => {
            const m = items[vi.index];
            const prev = items[vi.index - 1];
            const showHeader =
              !prev ||
              prev.sender_id !== m.sender_id ||
              m.created_at - prev.created_at > GROUP_GAP ||
              !!m.reply_to_id;
            const reply = m.reply_to_id ? byId.get(m.reply_to_id) : undefined;
            const rc = m.sender_id === myId && memberList.length ? readCounts(m, memberList) : undefined;
            const replyPerson = reply ? people.get(reply.sender_id) : undefined;
            return (
              <div
                key={vi.key}
                data-index={vi.index}
                ref={v.measureElement}
                className="vrow"
                style={{ transform: `translateY(${vi.start}px)` }}
              >
                <MessageItem
                  m={m}
                  mine={m.sender_id === myId}
                  sender={people.get(m.sender_id)}
                  showHeader={showHeader}
                  replyTo={reply}
                  replyName={replyPerson ? personName(t, replyPerson) : undefined}
                  receipt={rc ? { ...rc, direct } : undefined}
                  highlight={m.id === highlight}
                  actions={actions}
                />
              </div>
            );
          })}
        </div>
        {win.data?.hasAfter && (
          <button
            type="button"
            className="btn btn-small jump-latest"
            onClick={() => void loadLatest(id).then((w) => qc.setQueryData(messagesKey(id), w))}
          >
            {t("chat.jumpLatest")}
          </button>
        )}
      </div>
      <div className="typing muted small" aria-live="polite">
        {typing.length > 0 &&
          t("chat.typing", {
            names: typing.map((a) => people.get(a)?.name ?? "…").join(", "),
            count: typing.length,
          })}
      </div>
      {error ? <Alert>{errorText(t, error)}</Alert> : null}
      {conv.data?.dissolved ? (
        <p className="muted composer-closed">{t("chat.dissolved")}</p>
      ) : (
        <Composer
          conversationName={name}
          people={mentionable}
          replyTo={replyTo ? { m: replyTo, name: people.get(replyTo.sender_id)?.name ?? "" } : undefined}
          editing={editing}
          onCancel={() => {
            setReplyTo(undefined);
            setEditing(undefined);
          }}
          onSend={onSend}
          onFiles={onFiles}
          onTyping={() => stream.typing(id)}
        />
      )}
      <ReceiptsDialog conversationId={id} message={receiptsOf} onClose={() => setReceiptsOf(undefined)} />
      <EditsDialog
        conversationId={id}
        message={editsOf ? (byId.get(editsOf.id) ?? editsOf) : undefined}
        onClose={() => setEditsOf(undefined)}
      />
      {conv.data && (
        <ConversationDetails
          open={details}
          conv={conv.data}
          members={memberList}
          people={people}
          myId={myId}
          name={name}
          onJump={(mid) => {
            setDetails(false);
            actions.jump(mid);
          }}
          onClose={() => setDetails(false)}
        />
      )}
      <ThreadDialog
        conversationId={id}
        rootId={threadOf}
        live={items}
        people={people}
        onClose={() => setThreadOf(undefined)}
      />
    </section>
  );
}

function ReceiptsDialog({
  conversationId,
  message,
  onClose,
}: {
  conversationId: string;
  message?: Message;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const q = useQuery({
    queryKey: ["receipts", conversationId, message?.id],
    queryFn: () =>
      must(
        api.GET("/api/v1/conversations/{id}/messages/{message_id}/receipts", {
          params: { path: { id: conversationId, message_id: message?.id ?? "" } },
        }),
      ),
    enabled: !!message,
  });
  const people = usePeople([...(q.data?.read ?? []), ...(q.data?.unread ?? [])]);
  const nameOf = (a: string) => personName(t, people.get(a));
  return (
    <Dialog open={!!message} title={t("chat.receipts")} onClose={onClose}>
      {q.error && <Alert>{errorText(t, q.error)}</Alert>}
      {q.data && (
        <div className="receipts-cols">
          <div>
            <h3>{t("chat.readList", { count: q.data.read_count })}</h3>
            <ul className="list" data-testid="read-list">
              {(q.data.read ?? []).map((a) => (
                <li key={a}>{nameOf(a)}</li>
              ))}
            </ul>
          </div>
          <div>
            <h3>{t("chat.unreadList", { count: q.data.unread_count })}</h3>
            <ul className="list" data-testid="unread-list">
              {(q.data.unread ?? []).map((a) => (
                <li key={a}>{nameOf(a)}</li>
              ))}
            </ul>
          </div>
        </div>
      )}
      <div className="dialog-actions">
        <button type="button" className="btn" onClick={onClose}>
          {t("common.close")}
        </button>
      </div>
    </Dialog>
  );
}
