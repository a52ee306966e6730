// What can be done to one message from the list: reply, edit, react, pin, save,
// delete for me or for everyone, and open its receipts, thread or edits.
import { useQueryClient } from "@tanstack/react-query";
import { useNavigate } from "@tanstack/react-router";
import { useMemo } from "react";
import { api, must } from "../../api/client";
import { type Message, messagesKey, pinsKey, type Window } from "./data";
import type { MessageActions } from "./MessageItem";
import { savedKey, useSavedIds } from "./Saved";
import type { Sending } from "./useSend";

/** The dialogs a message action opens, kept by the conversation view. */
export type MessageDialogs = {
  receipts: (m: Message) => void;
  thread: (rootId: string) => void;
  edits: (m: Message) => void;
};

/** useMessageActions binds the actions of MessageItem to one conversation. */
export function useMessageActions(
  id: string,
  send: Pick<Sending, "reply" | "edit" | "sendBody" | "setError">,
  dialogs: MessageDialogs,
): MessageActions {
  const qc = useQueryClient();
  const navigate = useNavigate();
  const { reply, edit, sendBody, setError } = send;
  const { receipts, thread, edits } = dialogs;
  const saved = useSavedIds();
  return useMemo(
    () => ({
      reply,
      edit,
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
      receipts,
      thread,
      edits,
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
      save: (m, on) => {
        const path = { params: { path: { id, message_id: m.id } } };
        const call = on
          ? api.PUT("/api/v1/conversations/{id}/messages/{message_id}/saved", path)
          : api.DELETE("/api/v1/conversations/{id}/messages/{message_id}/saved", path);
        void must(call)
          .then(() => qc.invalidateQueries({ queryKey: savedKey }))
          .catch(setError);
      },
      isSaved: (m) => saved.has(m.id),
      jump: (mid) => void navigate({ to: "/chat/$id", params: { id }, search: { at: mid } }),
      retry: (m) => {
        if (m.kind === "text")
          void sendBody({ ...m, failed: false }, { body: m.body, reply_to_id: m.reply_to_id });
      },
    }),
    [id, qc, navigate, reply, edit, sendBody, setError, receipts, thread, edits, saved],
  );
}
