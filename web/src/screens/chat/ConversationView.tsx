import { useQueryClient } from "@tanstack/react-query";
import { Link } from "@tanstack/react-router";
import { useCallback, useEffect, useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { ApiError, api, must } from "../../api/client";
import { Alert, ConfirmDialog } from "../../components/ui";
import { errorText } from "../../lib/errors";
import { useRealtime } from "../../lib/realtime";
import { useMe } from "../../lib/session";
import { Composer } from "./Composer";
import { ConversationDetails } from "./ConversationDetails";
import { ConversationHeader } from "./ConversationHeader";
import { useConversationName } from "./ConversationList";
import { type Conversation, conversationsKey, type Message } from "./data";
import { EditsDialog } from "./EditsDialog";
import { ForwardDialog } from "./ForwardDialog";
import { inHistoryOrder, toggleId } from "./forward";
import { MessageList } from "./MessageList";
import { ReceiptsDialog } from "./ReceiptsDialog";
import { lastOwnMessage } from "./shortcuts";
import { ThreadDialog } from "./ThreadDialog";
import { TypingLine } from "./TypingLine";
import { firstUnreadIndex } from "./unread";
import { useConversationData } from "./useConversationData";
import { useFileDrop } from "./useFileDrop";
import { useJumpTarget } from "./useJumpTarget";
import { markReadInCache, useMarkRead } from "./useMarkRead";
import { useMessageActions } from "./useMessageActions";
import { useSend } from "./useSend";

/**
 * ConversationView is one open conversation: header, virtualized history,
 * composer, and the dialogs its messages open. Each part lives in its own
 * file; this one wires them together.
 */
export function ConversationView({ id, at }: { id: string; at?: string }) {
  const { t } = useTranslation();
  const myId = useMe().data?.id ?? "";
  const { stream, setOpen } = useRealtime();
  useEffect(() => {
    setOpen(id);
    return () => setOpen("");
  }, [id, setOpen]);

  const { conv, win, members, items, byId, people } = useConversationData(id, at);
  const { name } = useConversationName(conv.data);
  const direct = conv.data?.kind === "direct";
  useEffect(() => {
    const ids = members.map((m) => m.account_id).filter((x) => x !== myId);
    if (ids.length) stream.watchPresence(ids.slice(0, 500));
  }, [members, stream, myId]);

  const qc = useQueryClient();
  const dividerSeq = useDividerSeq(id, conv.data, conv.isFetchedAfterMount);
  const unreadIndex = useMemo(
    () => (dividerSeq === undefined ? -1 : firstUnreadIndex(items, dividerSeq, myId)),
    [items, dividerSeq, myId],
  );
  const jump = useJumpTarget(id, at);
  useMarkRead(id, conv.data, items, win.data?.hasAfter);
  const send = useSend(id, myId);
  const [receiptsOf, setReceiptsOf] = useState<Message | undefined>();
  const [threadOf, setThreadOf] = useState<string | undefined>();
  const [editsOf, setEditsOf] = useState<Message | undefined>();
  const [details, setDetails] = useState(false);
  const base = useMessageActions(id, send, {
    receipts: setReceiptsOf,
    thread: setThreadOf,
    edits: setEditsOf,
  });
  // Deleting for everyone asks first.
  const [removing, setRemoving] = useState<Message | undefined>();
  const [removeError, setRemoveError] = useState("");
  // Forwarding: one message straight away, or several picked in selection mode.
  const [selection, setSelection] = useState<string[] | undefined>();
  const [forwarding, setForwarding] = useState<string[] | undefined>();
  const [forwardedNote, setForwardedNote] = useState("");
  // biome-ignore lint/correctness/useExhaustiveDependencies: another conversation starts with nothing selected
  useEffect(() => {
    setSelection(undefined);
    setForwarding(undefined);
    setForwardedNote("");
  }, [id]);
  const actions = useMemo(
    () => ({
      ...base,
      remove: (m: Message) => {
        setRemoveError("");
        setRemoving(m);
      },
      forward: (m: Message) => setForwarding([m.id]),
      select: (m: Message) => setSelection([m.id]),
      toggleSelect: (m: Message) => setSelection((s) => toggleId(s ?? [], m.id)),
    }),
    [base],
  );
  const confirmRemove = () => {
    if (!removing) return;
    void must(
      api.POST("/api/v1/me/erasures/message", {
        body: { conversation_id: id, message_id: removing.id, for_everyone: true },
      }),
    )
      .then(() => setRemoving(undefined))
      .catch((e) => setRemoveError(errorText(t, e)));
  };
  // The server's rule: the sender (within the recall window), or the
  // owner or an admin of a group.
  const runsGroup = !direct && (conv.data?.role === "owner" || conv.data?.role === "admin");
  const canRemove = useCallback((m: Message) => m.sender_id === myId || runsGroup, [myId, runsGroup]);
  const markAllRead = useCallback(() => {
    const last = items.filter((m) => !m.pending).at(-1);
    if (!last) return;
    void must(
      api.POST("/api/v1/conversations/{id}/read", {
        params: { path: { id } },
        body: { up_to_message_id: last.id },
      }),
    )
      .then((r) => markReadInCache(qc, id, r.read_seq))
      .catch(() => undefined);
  }, [items, id, qc]);
  useEffect(() => {
    const onMarkRead = () => markAllRead();
    window.addEventListener("atrium:mark-read", onMarkRead);
    return () => window.removeEventListener("atrium:mark-read", onMarkRead);
  }, [markAllRead]);
  const drop = useFileDrop(send.onFiles);

  if (conv.error) return <ConversationGone error={conv.error} />;

  const mentionable = members
    .filter((m) => m.account_id !== myId)
    .map((m) => ({ id: m.account_id, name: people.get(m.account_id)?.name ?? "" }))
    .filter((p) => p.name);
  return (
    <section
      className={drop.dragOver ? "conversation drag-over" : "conversation"}
      aria-labelledby="conv-title"
      {...drop.handlers}
    >
      <ConversationHeader
        id={id}
        conv={conv.data}
        name={name}
        onDetails={() => setDetails(true)}
        peerStatus={direct ? members.find((m) => m.account_id === conv.data?.peer_id)?.status : undefined}
      />
      {conv.data?.announcement && <div className="announcement">{conv.data.announcement}</div>}
      <MessageList
        id={id}
        items={items}
        byId={byId}
        hasBefore={!!win.data?.hasBefore}
        hasAfter={!!win.data?.hasAfter}
        members={members}
        people={people}
        myId={myId}
        direct={direct}
        highlight={jump.highlight}
        clearHighlight={jump.clear}
        actions={actions}
        unreadIndex={unreadIndex}
        canRemove={canRemove}
        selection={selection}
      />
      <TypingLine id={id} myId={myId} people={people} />
      {send.error ? <Alert>{errorText(t, send.error)}</Alert> : null}
      {forwardedNote && (
        <p className="muted small forwarded-note" role="status">
          {forwardedNote}
        </p>
      )}
      {selection ? (
        <div className="select-bar" data-testid="select-bar">
          <span className="grow">{t("chat.selectedCount", { count: selection.length })}</span>
          <button type="button" className="btn" onClick={() => setSelection(undefined)}>
            {t("common.cancel")}
          </button>
          <button
            type="button"
            className="btn btn-primary"
            disabled={inHistoryOrder(items, selection).length === 0}
            onClick={() => setForwarding(inHistoryOrder(items, selection))}
          >
            {t("chat.forward")}
          </button>
        </div>
      ) : conv.data?.dissolved ? (
        <p className="muted composer-closed">{t("chat.dissolved")}</p>
      ) : conv.data?.kind === "direct" && (conv.data.peer_gone || !conv.data.peer_id) ? (
        <p className="muted composer-closed" data-testid="peer-gone">
          {t("chat.peerGone")}
        </p>
      ) : (
        <Composer
          conversationName={name}
          people={mentionable}
          canMentionAll={!!conv.data?.can_mention_all}
          replyTo={
            send.replyTo
              ? { m: send.replyTo, name: people.get(send.replyTo.sender_id)?.name ?? "" }
              : undefined
          }
          editing={send.editing}
          onCancel={send.cancel}
          onSend={send.onSend}
          onFiles={send.onFiles}
          onTyping={() => stream.typing(id)}
          draft={myId ? { accountId: myId, conversationId: id } : undefined}
          onEditLast={() => {
            const m = lastOwnMessage(items, myId);
            if (m) send.edit(m);
          }}
          onEscape={markAllRead}
        />
      )}
      <ConfirmDialog
        open={!!removing}
        title={t("chat.confirmDeleteTitle")}
        confirm={t("chat.deleteForEveryone")}
        danger
        error={removeError || undefined}
        onConfirm={confirmRemove}
        onClose={() => setRemoving(undefined)}
      >
        <p>{t("chat.confirmDeleteBody")}</p>
      </ConfirmDialog>
      <ForwardDialog
        conversationId={id}
        messageIds={forwarding}
        onClose={() => setForwarding(undefined)}
        onDone={(n) => {
          setSelection(undefined);
          setForwardedNote(t("chat.forwardedTo", { count: n }));
        }}
      />
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
          members={members}
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

/**
 * useDividerSeq is my read position when the conversation was opened, if
 * anything was unread then: the "New messages" line stays where it was
 * while the conversation is marked read. The list's entry is current (the
 * stream keeps it); the conversation itself is waited for when not listed.
 */
function useDividerSeq(id: string, conv: Conversation | undefined, fresh: boolean): number | undefined {
  const qc = useQueryClient();
  const [seq, setSeq] = useState<number | null | undefined>(() => {
    const listed = qc
      .getQueryData<{ items: Conversation[] }>(conversationsKey)
      ?.items.find((c) => c.id === id);
    return listed ? (listed.unread_count > 0 ? listed.read_seq : null) : undefined;
  });
  useEffect(() => {
    if (seq === undefined && conv && fresh) setSeq(conv.unread_count > 0 ? conv.read_seq : null);
  }, [conv, fresh, seq]);
  return seq ?? undefined;
}

/** ConversationGone answers a conversation that cannot be opened. */
function ConversationGone({ error }: { error: unknown }) {
  const { t } = useTranslation();
  // Removed, left on another device, or never one's own: the same answer.
  const gone = error instanceof ApiError && error.status === 404;
  return (
    <section className="conversation conversation-gone">
      {gone ? (
        <p className="muted" role="status">
          {t("chat.notAvailable")}
        </p>
      ) : (
        <Alert>{errorText(t, error)}</Alert>
      )}
      <Link to="/chat" className="btn">
        {t("chat.backToList")}
      </Link>
    </section>
  );
}
