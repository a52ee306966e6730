import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { act, renderHook, waitFor } from "@testing-library/react";
import type { ReactNode } from "react";
import { afterEach, describe, expect, it } from "vitest";
import { fakeApi } from "../../test/fakeApi";
import { type Message, messagesKey, type Window } from "./data";
import { fileKind, newDraft, useSend } from "./useSend";

const sent = (extra: Partial<Message> = {}): Message => ({
  id: "msg_9",
  seq: 9,
  body: "hello",
  html: "<p>hello</p>",
  client_msg_id: "c9",
  conversation_id: "cnv_1",
  created_at: 9,
  kind: "text",
  sender_id: "acc_me",
  ...extra,
});

function setup() {
  const qc = new QueryClient();
  qc.setQueryData<Window>(messagesKey("cnv_1"), { items: [], hasBefore: false, hasAfter: false });
  const wrapper = ({ children }: { children: ReactNode }) => (
    <QueryClientProvider client={qc}>{children}</QueryClientProvider>
  );
  const hook = renderHook(() => useSend("cnv_1", "acc_me"), { wrapper });
  const items = () => qc.getQueryData<Window>(messagesKey("cnv_1"))?.items ?? [];
  return { qc, hook, items };
}

let restore = () => {};
afterEach(() => restore());

describe("newDraft and fileKind", () => {
  it("makes a pending draft last in the list, with a fresh client id", () => {
    const a = newDraft("cnv_1", "acc_me", { body: "hi" });
    const b = newDraft("cnv_1", "acc_me");
    expect(a).toMatchObject({
      id: "",
      conversation_id: "cnv_1",
      sender_id: "acc_me",
      body: "hi",
      pending: true,
    });
    expect(a.seq).toBe(Number.MAX_SAFE_INTEGER);
    expect(a.client_msg_id).not.toBe(b.client_msg_id);
  });
  it("sends images as images and anything else as files", () => {
    expect(fileKind("image/png")).toBe("image");
    expect(fileKind("application/pdf")).toBe("file");
    expect(fileKind("")).toBe("file");
  });
});

describe("useSend", () => {
  it("shows a reply as pending at once, then as the server's message", async () => {
    let release = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const f = fakeApi(async (c) => {
      await gate;
      return {
        status: 201,
        body: sent({ client_msg_id: (c.body as Message).client_msg_id, reply_to_id: "msg_1" }),
      };
    });
    restore = f.restore;
    const { hook, items } = setup();
    act(() => hook.result.current.reply(sent({ id: "msg_1" })));
    expect(hook.result.current.replyTo?.id).toBe("msg_1");
    act(() => hook.result.current.onSend("hello"));
    expect(hook.result.current.replyTo).toBeUndefined();
    expect(items()).toHaveLength(1);
    expect(items()[0]).toMatchObject({ pending: true, body: "hello", reply_to_id: "msg_1" });
    release();
    await waitFor(() => expect(items()[0].id).toBe("msg_9"));
    expect(items()).toHaveLength(1);
    expect(items()[0].pending).toBe(false);
    expect(f.calls[0]).toMatchObject({ method: "POST", path: "/api/v1/conversations/cnv_1/messages" });
    expect(f.calls[0].body).toMatchObject({ body: "hello", reply_to_id: "msg_1" });
  });

  it("marks a refused send failed and keeps the error", async () => {
    const f = fakeApi(() => ({ status: 403, body: { error: { code: "forbidden", message: "no" } } }));
    restore = f.restore;
    const { hook, items } = setup();
    act(() => hook.result.current.onSend("hello"));
    await waitFor(() => expect(items()[0].failed).toBe(true));
    expect(hook.result.current.error).toBeTruthy();
  });

  it("edits instead of sending while editing, and replying ends editing", async () => {
    const f = fakeApi(() => ({ status: 200, body: sent({ body: "fixed", edited_at: 10 }) }));
    restore = f.restore;
    const { hook, items } = setup();
    act(() => hook.result.current.edit(sent()));
    act(() => hook.result.current.reply(sent({ id: "msg_1" })));
    expect(hook.result.current.editing).toBeUndefined();
    act(() => hook.result.current.edit(sent()));
    expect(hook.result.current.replyTo).toBeUndefined();
    act(() => hook.result.current.onSend("fixed"));
    expect(hook.result.current.editing).toBeUndefined();
    await waitFor(() => expect(items()[0]?.body).toBe("fixed"));
    expect(f.calls[0]).toMatchObject({ method: "PATCH", path: "/api/v1/conversations/cnv_1/messages/msg_9" });
  });
});

describe("useSend offline", () => {
  it("queues a message written offline with its client id, and sends it once when back online", async () => {
    const { outbox, flushOutbox } = await import("../../lib/offline");
    await outbox.clear();
    const posts: { client_msg_id: string }[] = [];
    const api = fakeApi((c) => {
      const b = c.body as { client_msg_id: string; body: string };
      posts.push(b);
      return { status: 201, body: sent({ client_msg_id: b.client_msg_id, body: b.body }) };
    });
    restore = api.restore;
    const online = Object.getOwnPropertyDescriptor(Navigator.prototype, "onLine");
    Object.defineProperty(navigator, "onLine", { configurable: true, get: () => false });
    const { qc, hook, items } = setup();
    try {
      act(() => hook.result.current.onSend("written on the train"));
      await waitFor(() => expect(items()[0]).toMatchObject({ queued: true, pending: true }));
      expect(posts).toHaveLength(0);
      const [q] = await outbox.store.all();
      expect(q).toMatchObject({ conversation_id: "cnv_1", body: "written on the train" });
      expect(q.client_msg_id).toBe(items()[0].client_msg_id);
    } finally {
      if (online) Object.defineProperty(navigator, "onLine", online);
      else delete (navigator as { onLine?: boolean }).onLine;
    }
    await Promise.all([flushOutbox(qc), flushOutbox(qc)]);
    expect(posts).toHaveLength(1);
    expect(await outbox.store.all()).toEqual([]);
    expect(items()).toHaveLength(1);
    expect(items()[0]).toMatchObject({ id: "msg_9", pending: false, queued: false });
  });
});
