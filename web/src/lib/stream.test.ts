import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ApiError } from "../api/client";
import { SEND_TIMEOUT, Stream, type StreamFrame, StreamLost } from "./stream";

// FakeSocket stands in for the browser's WebSocket.
class FakeSocket {
  static all: FakeSocket[] = [];
  readyState = 0;
  sent: unknown[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((m: { data: string }) => void) | null = null;
  onclose: ((e: { code: number }) => void) | null = null;
  constructor(readonly url: string) {
    FakeSocket.all.push(this);
  }
  send(s: string) {
    this.sent.push(JSON.parse(s));
  }
  close() {}
  open() {
    this.readyState = 1;
    this.onopen?.();
  }
  recv(f: unknown) {
    this.onmessage?.({ data: JSON.stringify(f) });
  }
  drop(code: number) {
    this.readyState = 3;
    this.onclose?.({ code });
  }
}

const ev = (pos: number): StreamFrame => ({
  type: "event",
  pos,
  event: "message.created",
  scope_kind: "conversation",
  scope_id: "cnv_1",
  data: {},
  created_at: 0,
});

describe("Stream", () => {
  beforeEach(() => {
    vi.useFakeTimers();
    FakeSocket.all = [];
  });
  afterEach(() => vi.useRealTimers());

  function make(extra = {}) {
    const seen: StreamFrame[] = [];
    const resyncs = vi.fn();
    const s = new Stream({
      url: "ws://x/api/v1/stream",
      socket: FakeSocket as never,
      onResync: resyncs,
      random: () => 0,
      ...extra,
    });
    s.on((f) => seen.push(f));
    s.start();
    return { s, seen, resyncs };
  }

  it("says hello, loads the snapshot after ready, and resumes from the last position", () => {
    const { s, seen, resyncs } = make();
    const a = FakeSocket.all[0];
    a.open();
    expect(a.sent[0]).toEqual({ type: "hello" });
    a.recv({ type: "ready", pos: 10 });
    expect(resyncs).toHaveBeenCalledTimes(1);
    expect(s.status).toBe("live");
    // Coalesced frames arrive as an array.
    a.recv([ev(11), ev(14)]);
    expect(s.position).toBe(14);
    a.drop(1001);
    expect(s.status).toBe("offline");
    vi.advanceTimersByTime(300);
    const b = FakeSocket.all[1];
    b.open();
    expect(b.sent[0]).toEqual({ type: "hello", last_pos: 14 });
    // A replayed duplicate is ignored.
    b.recv([ev(14), ev(15), { type: "ready", pos: 15 }]);
    expect(seen.filter((f) => f.type === "event").map((f) => (f as { pos: number }).pos)).toEqual([
      11, 14, 15,
    ]);
    expect(resyncs).toHaveBeenCalledTimes(1);
  });

  it("reloads state when told to resync", () => {
    const { resyncs } = make();
    const a = FakeSocket.all[0];
    a.open();
    a.recv({ type: "ready", pos: 5 });
    a.recv([
      { type: "resync", min_pos: 100 },
      { type: "ready", pos: 120 },
    ]);
    expect(resyncs).toHaveBeenCalledTimes(2);
  });

  it("backs off exponentially and stops when the session ends", () => {
    const signedOut = vi.fn();
    const { s } = make({ onSignedOut: signedOut });
    FakeSocket.all[0].drop(1011);
    vi.advanceTimersByTime(249);
    expect(FakeSocket.all).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(FakeSocket.all).toHaveLength(2);
    FakeSocket.all[1].drop(1011);
    vi.advanceTimersByTime(499);
    expect(FakeSocket.all).toHaveLength(2);
    vi.advanceTimersByTime(1);
    expect(FakeSocket.all).toHaveLength(3);
    FakeSocket.all[2].drop(4001);
    expect(signedOut).toHaveBeenCalled();
    expect(s.status).toBe("signed_out");
    vi.advanceTimersByTime(60_000);
    expect(FakeSocket.all).toHaveLength(3);
  });

  it("reports a connection refused before it opened, not one that dropped later", () => {
    const refused = vi.fn();
    make({ onRefused: refused });
    FakeSocket.all[0].drop(1006); // e.g. 403 at the handshake: the gate
    expect(refused).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(300);
    const b = FakeSocket.all[1];
    b.open();
    b.recv({ type: "ready", pos: 1 });
    b.drop(1001);
    expect(refused).toHaveBeenCalledTimes(1);
  });

  it("relays typing and presence once live", () => {
    const { s } = make();
    const a = FakeSocket.all[0];
    a.open();
    s.typing("cnv_1"); // not live yet: dropped
    s.watchPresence(["acc_1", "acc_1", "acc_2"]);
    a.recv({ type: "ready", pos: 1 });
    s.typing("cnv_1");
    expect(a.sent).toEqual([
      { type: "hello" },
      { type: "presence_subscribe", account_ids: ["acc_1", "acc_2"] },
      { type: "typing", conversation_id: "cnv_1" },
    ]);
  });
  it("sends messages over the socket when live, with answers matched by ref", async () => {
    const { s } = make();
    const a = FakeSocket.all[0];
    // Not live yet: the caller uses REST.
    expect(s.sendMessage("cnv_1", { client_msg_id: "c1", body: "hi" })).toBeNull();
    a.open();
    a.recv({ type: "ready", pos: 1 });
    const one = s.sendMessage("cnv_1", { client_msg_id: "c1", body: "hi" });
    const two = s.sendMessage("cnv_2", { client_msg_id: "c2", body: "no" });
    expect(a.sent.slice(1)).toEqual([
      { type: "send", ref: "s1", conversation_id: "cnv_1", message: { client_msg_id: "c1", body: "hi" } },
      { type: "send", ref: "s2", conversation_id: "cnv_2", message: { client_msg_id: "c2", body: "no" } },
    ]);
    // Answers may come in any order, among other frames.
    a.recv([
      ev(2),
      { type: "error", ref: "s2", http_status: 404, code: "not_found", message: "no such conversation" },
      { type: "ack", ref: "s1", http_status: 201, message: { id: "msg_1" } },
    ]);
    await expect(one).resolves.toEqual({ status: 201, message: { id: "msg_1" } });
    const err = await two?.catch((e) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(404);
    expect((err as ApiError).code).toBe("not_found");
  });

  it("gives up on a send whose answer cannot come: the socket closed, or no answer in time", async () => {
    const { s } = make();
    const a = FakeSocket.all[0];
    a.open();
    a.recv({ type: "ready", pos: 1 });
    const lost = s.sendMessage("cnv_1", { client_msg_id: "c1" });
    a.drop(1006);
    await expect(lost).rejects.toBeInstanceOf(StreamLost);
    vi.advanceTimersByTime(300);
    const b = FakeSocket.all[1];
    b.open();
    b.recv({ type: "ready", pos: 1 });
    const slow = s.sendMessage("cnv_1", { client_msg_id: "c2" });
    vi.advanceTimersByTime(SEND_TIMEOUT + 1);
    await expect(slow).rejects.toBeInstanceOf(StreamLost);
    // A late answer is ignored.
    b.recv({ type: "ack", ref: "s2", http_status: 201, message: {} });
  });
});
