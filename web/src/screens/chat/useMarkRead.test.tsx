import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { renderHook, waitFor } from "@testing-library/react";
import type { ReactNode } from "react";
import { afterEach, describe, expect, it } from "vitest";
import { fakeApi } from "../../test/fakeApi";
import { type Conversation, conversationsKey, type Message } from "./data";
import { markReadInCache, readTarget, useMarkRead } from "./useMarkRead";

const msg = (seq: number, extra: Partial<Message> = {}): Message => ({
  id: `msg_${seq}`,
  seq,
  body: "x",
  html: "x",
  client_msg_id: `c${seq}`,
  conversation_id: "cnv_1",
  created_at: seq,
  kind: "text",
  sender_id: "acc_b",
  ...extra,
});
const conv = (readSeq: number) =>
  ({ id: "cnv_1", read_seq: readSeq, unread_count: 2 }) as unknown as Conversation;

let restore = () => {};
afterEach(() => restore());

describe("readTarget", () => {
  it("is the newest message the server has, past the read position", () => {
    const items = [msg(1), msg(2), msg(3), { ...msg(4), pending: true }];
    expect(readTarget(items, conv(1), false)?.id).toBe("msg_3");
  });
  it("is nothing when all is read, the window stops short of the end, or nothing is loaded", () => {
    expect(readTarget([msg(1), msg(2)], conv(2), false)).toBeUndefined();
    expect(readTarget([msg(1), msg(2)], conv(0), true)).toBeUndefined();
    expect(readTarget([msg(1)], undefined, false)).toBeUndefined();
    expect(readTarget([{ ...msg(5), pending: true }], conv(0), false)).toBeUndefined();
  });
  it("is the newest message of a conversation I marked unread, though all is read", () => {
    const marked = { ...conv(2), marked_unread: true };
    expect(readTarget([msg(1), msg(2)], marked, false)?.id).toBe("msg_2");
    expect(readTarget([msg(1), msg(2)], marked, true)).toBeUndefined();
  });
});

describe("markReadInCache", () => {
  it("clears the unread count of the conversation and of its row in the list", () => {
    const qc = new QueryClient();
    qc.setQueryData(["conversation", "cnv_1"], conv(1));
    qc.setQueryData(conversationsKey, {
      items: [
        { id: "cnv_1", unread_count: 2, read_seq: 1, marked_unread: true },
        { id: "cnv_2", unread_count: 5, read_seq: 1 },
      ],
    });
    markReadInCache(qc, "cnv_1", 3);
    expect(qc.getQueryData(["conversation", "cnv_1"])).toMatchObject({ read_seq: 3, unread_count: 0 });
    expect(qc.getQueryData(conversationsKey)).toEqual({
      items: [
        { id: "cnv_1", unread_count: 0, read_seq: 3, marked_unread: false },
        { id: "cnv_2", unread_count: 5, read_seq: 1 },
      ],
    });
  });
});

describe("useMarkRead", () => {
  it("tells the server the newest message was read, and updates the caches", async () => {
    const f = fakeApi(() => ({ status: 200, body: { read_seq: 3 } }));
    restore = f.restore;
    const qc = new QueryClient();
    qc.setQueryData(["conversation", "cnv_1"], conv(1));
    const wrapper = ({ children }: { children: ReactNode }) => (
      <QueryClientProvider client={qc}>{children}</QueryClientProvider>
    );
    renderHook(() => useMarkRead("cnv_1", conv(1), [msg(2), msg(3)], false), { wrapper });
    await waitFor(() => expect(qc.getQueryData(["conversation", "cnv_1"])).toMatchObject({ read_seq: 3 }));
    expect(f.calls).toEqual([
      { method: "POST", path: "/api/v1/conversations/cnv_1/read", body: { up_to_message_id: "msg_3" } },
    ]);
  });
});
