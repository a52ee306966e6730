// Sending from the composer: text, replies, edits and files, shown at once
// as pending drafts that the server's answer replaces (or marks failed).
import { useQueryClient } from "@tanstack/react-query";
import { useCallback, useState } from "react";
import { api, must } from "../../api/client";
import { isOnline, outbox } from "../../lib/offline";
import { isNetworkError } from "../../lib/outbox";
import { useStream } from "../../lib/realtime";
import { StreamLost } from "../../lib/stream";
import { type Message, mergeMessages, messagesKey, newClientId, type Window } from "./data";
import { uploadFile } from "./upload";

/** SendInput is what POST /conversations/{id}/messages takes beside the client id. */
export type SendInput = { body?: string; file_id?: string; kind?: string; reply_to_id?: string };

/** newDraft is a message as shown before the server has it: pending, last in the list. */
export function newDraft(conversationId: string, senderId: string, extra: Partial<Message> = {}): Message {
  return {
    id: "",
    seq: Number.MAX_SAFE_INTEGER,
    client_msg_id: newClientId(),
    conversation_id: conversationId,
    sender_id: senderId,
    created_at: Date.now(),
    kind: "text",
    body: "",
    html: "",
    pending: true,
    ...extra,
  };
}

/** fileKind is the message kind a file is sent as. */
export function fileKind(contentType: string): "image" | "file" {
  return contentType.startsWith("image/") ? "image" : "file";
}

/**
 * useSend holds what the composer is doing (replying to, editing) and the
 * last sending error, and sends text, edits and files to a conversation.
 */
export function useSend(id: string, myId: string) {
  const qc = useQueryClient();
  const stream = useStream();
  const [replyTo, setReplyTo] = useState<Message | undefined>();
  const [editing, setEditing] = useState<Message | undefined>();
  const [error, setError] = useState<unknown>(null);

  const put = useCallback(
    (m: Message) => {
      qc.setQueryData<Window>(messagesKey(id), (w) => (w ? { ...w, items: mergeMessages(w.items, [m]) } : w));
    },
    [id, qc],
  );

  /** queue keeps a text message for when the network is back (lib/offline.tsx sends it). */
  const queue = useCallback(
    async (draft: Message, input: SendInput) => {
      put({ ...draft, queued: true, failed: false });
      await outbox.add({
        client_msg_id: draft.client_msg_id,
        conversation_id: id,
        sender_id: draft.sender_id,
        body: input.body ?? "",
        reply_to_id: input.reply_to_id,
        queued_at: Date.now(),
      });
    },
    [id, put],
  );

  const sendBody = useCallback(
    async (draft: Message, input: SendInput) => {
      // Text written offline waits in the outbox with its client id.
      const queueable = !input.file_id && !!input.body;
      if (queueable && !isOnline()) {
        await queue(draft, input);
        return;
      }
      put(draft);
      const body = { client_msg_id: draft.client_msg_id, ...input };
      const rest = () =>
        must(api.POST("/api/v1/conversations/{id}/messages", { params: { path: { id } }, body }));
      try {
        // Over the socket when it is live; REST otherwise, and when the
        // socket's answer cannot come (the client id makes a second try safe).
        const viaStream = stream?.sendMessage(id, body);
        let m: Message;
        if (viaStream) {
          try {
            m = (await viaStream).message as Message;
          } catch (e) {
            if (!(e instanceof StreamLost)) throw e;
            m = await rest();
          }
        } else {
          m = await rest();
        }
        put({ ...m, pending: false, failed: false });
      } catch (e) {
        if (queueable && isNetworkError(e)) {
          await queue(draft, input);
          return;
        }
        setError(e);
        put({ ...draft, failed: true });
      }
    },
    [id, put, queue, stream],
  );

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
    void sendBody(newDraft(id, myId, { body, reply_to_id: reply }), { body, reply_to_id: reply });
  };

  const onFiles = (files: File[]) => {
    setError(null);
    for (const f of files) {
      const draft = newDraft(id, myId, {
        kind: fileKind(f.type),
        body: "",
        progress: 0,
        attachment: { name: f.name, size: f.size, content_type: f.type },
      });
      put(draft);
      void uploadFile(f, (p) => put({ ...draft, progress: p }))
        .then((file) =>
          sendBody(
            { ...draft, progress: undefined },
            { file_id: file.id, kind: fileKind(file.content_type) },
          ),
        )
        .catch((e) => {
          setError(e);
          put({ ...draft, failed: true });
        });
    }
  };

  /** reply and edit are exclusive: starting one ends the other. */
  const reply = useCallback((m: Message | undefined) => {
    setEditing(undefined);
    setReplyTo(m);
  }, []);
  const edit = useCallback((m: Message | undefined) => {
    setReplyTo(undefined);
    setEditing(m);
  }, []);
  const cancel = useCallback(() => {
    setReplyTo(undefined);
    setEditing(undefined);
  }, []);

  return { replyTo, editing, error, setError, sendBody, onSend, onFiles, reply, edit, cancel };
}

/** Sending is what useSend returns. */
export type Sending = ReturnType<typeof useSend>;
