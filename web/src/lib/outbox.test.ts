import { describe, expect, it } from "vitest";
import { ApiError } from "../api/client";
import { isNetworkError, MemoryStore, Outbox, type Queued } from "./outbox";

const q = (id: string, at: number, conv = "c1"): Queued => ({
  client_msg_id: id,
  conversation_id: conv,
  sender_id: "me",
  body: `text ${id}`,
  queued_at: at,
});

/** server stands for the chat server: one message per client id, however often it is sent. */
function server() {
  const stored = new Map<string, { id: string; body: string }>();
  let down = false;
  let calls = 0;
  return {
    stored,
    calls: () => calls,
    setDown(v: boolean) {
      down = v;
    },
    send: async (x: Queued) => {
      calls++;
      if (down) throw new TypeError("Failed to fetch");
      const old = stored.get(x.client_msg_id);
      if (old) return old;
      const m = { id: `m${stored.size + 1}`, body: x.body };
      stored.set(x.client_msg_id, m);
      return m;
    },
  };
}

describe("Outbox", () => {
  it("sends in the order written, and empties", async () => {
    const s = server();
    const box = new Outbox(new MemoryStore(), s.send);
    await box.add(q("b", 2));
    await box.add(q("a", 1));
    const done = await box.flush();
    expect(done.map((d) => d.queued.client_msg_id)).toEqual(["a", "b"]);
    expect(await box.store.all()).toEqual([]);
  });

  it("keeps everything while offline and sends each once when back", async () => {
    const s = server();
    const box = new Outbox(new MemoryStore(), s.send);
    s.setDown(true);
    await box.add(q("a", 1));
    await box.add(q("b", 2));
    expect(await box.flush()).toEqual([]);
    expect((await box.store.all()).map((x) => x.client_msg_id)).toEqual(["a", "b"]);
    s.setDown(false);
    await box.flush();
    await box.flush();
    expect(s.stored.size).toBe(2);
  });

  it("a send whose answer was lost is retried with the same client id and stored once", async () => {
    const s = server();
    let lose = true;
    const box = new Outbox(new MemoryStore(), async (x: Queued) => {
      const m = await s.send(x);
      if (lose) {
        lose = false;
        throw new TypeError("connection reset"); // the server has it; the answer never came
      }
      return m;
    });
    await box.add(q("a", 1));
    expect(await box.flush()).toEqual([]);
    const done = await box.flush();
    expect(done).toHaveLength(1);
    expect(s.calls()).toBe(2);
    expect(s.stored.size).toBe(1);
  });

  it("joins a flush already running instead of sending twice", async () => {
    const s = server();
    const box = new Outbox(new MemoryStore(), s.send);
    await box.add(q("a", 1));
    const [x, y] = await Promise.all([box.flush(), box.flush()]);
    expect(x).toBe(y);
    expect(s.calls()).toBe(1);
  });

  it("drops a message the server refuses and reports it", async () => {
    const box = new Outbox(new MemoryStore(), async (x: Queued) => {
      if (x.client_msg_id === "a") throw new ApiError(403, "not_member", "no longer a member");
      return { id: "m1" };
    });
    await box.add(q("a", 1));
    await box.add(q("b", 2));
    const done = await box.flush();
    expect(done[0].error).toBeInstanceOf(ApiError);
    expect(done[1].message).toEqual({ id: "m1" });
    expect(await box.store.all()).toEqual([]);
  });

  it("stops at a server error and keeps the order for the next try", async () => {
    let fail = true;
    const sent: string[] = [];
    const box = new Outbox(new MemoryStore(), async (x: Queued) => {
      if (fail) throw new ApiError(503, "unavailable", "restarting");
      sent.push(x.client_msg_id);
      return {};
    });
    await box.add(q("a", 1));
    await box.add(q("b", 2));
    await box.flush();
    fail = false;
    await box.flush();
    expect(sent).toEqual(["a", "b"]);
  });

  it("lists a conversation's waiting messages and forgets all on clear", async () => {
    const box = new Outbox(new MemoryStore(), async () => ({}));
    await box.add(q("a", 1, "c1"));
    await box.add(q("b", 2, "c2"));
    expect((await box.forConversation("c2")).map((x) => x.client_msg_id)).toEqual(["b"]);
    let told = 0;
    box.subscribe(() => told++);
    await box.clear();
    expect(await box.store.all()).toEqual([]);
    expect(told).toBe(1);
  });
});

describe("isNetworkError", () => {
  it("retries what met no server or a server error, not a refusal", () => {
    expect(isNetworkError(new TypeError("Failed to fetch"))).toBe(true);
    expect(isNetworkError(new ApiError(502, "http_502", "bad gateway"))).toBe(true);
    expect(isNetworkError(new ApiError(503, "offline", "offline"))).toBe(true);
    expect(isNetworkError(new ApiError(400, "invalid_field", "bad"))).toBe(false);
    expect(isNetworkError(new ApiError(404, "not_found", "gone"))).toBe(false);
  });
});
