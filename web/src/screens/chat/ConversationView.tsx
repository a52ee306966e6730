import { Link } from "@tanstack/react-router";
import { useEffect, useState } from "react";
import { useTranslation } from "react-i18next";
import { ApiError } from "../../api/client";
import { Alert } from "../../components/ui";
import { errorText } from "../../lib/errors";
import { useRealtime } from "../../lib/realtime";
import { useMe } from "../../lib/session";
import { Composer } from "./Composer";
import { ConversationDetails } from "./ConversationDetails";
import { ConversationHeader } from "./ConversationHeader";
import { useConversationName } from "./ConversationList";
import type { Message } from "./data";
import { EditsDialog } from "./EditsDialog";
import { MessageList } from "./MessageList";
import { ReceiptsDialog } from "./ReceiptsDialog";
import { ThreadDialog } from "./ThreadDialog";
import { TypingLine } from "./TypingLine";
import { useConversationData } from "./useConversationData";
import { useFileDrop } from "./useFileDrop";
import { useJumpTarget } from "./useJumpTarget";
import { useMarkRead } from "./useMarkRead";
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

  const jump = useJumpTarget(id, at);
  useMarkRead(id, conv.data, items, win.data?.hasAfter);
  const send = useSend(id, myId);
  const [receiptsOf, setReceiptsOf] = useState<Message | undefined>();
  const [threadOf, setThreadOf] = useState<string | undefined>();
  const [editsOf, setEditsOf] = useState<Message | undefined>();
  const [details, setDetails] = useState(false);
  const actions = useMessageActions(id, send, {
    receipts: setReceiptsOf,
    thread: setThreadOf,
    edits: setEditsOf,
  });
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
      <ConversationHeader id={id} conv={conv.data} name={name} onDetails={() => setDetails(true)} />
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
      />
      <TypingLine id={id} myId={myId} people={people} />
      {send.error ? <Alert>{errorText(t, send.error)}</Alert> : null}
      {conv.data?.dissolved ? (
        <p className="muted composer-closed">{t("chat.dissolved")}</p>
      ) : (
        <Composer
          conversationName={name}
          people={mentionable}
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
