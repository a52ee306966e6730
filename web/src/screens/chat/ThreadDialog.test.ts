import { describe, expect, it } from "vitest";
import type { Message } from "./data";
import { threadItems } from "./ThreadDialog";

const msg = (id: string, seq: number, root?: string): Message => ({
  id,
  seq,
  body: id,
  html: id,
  client_msg_id: id,
  conversation_id: "cnv_1",
  created_at: seq,
  kind: "text",
  sender_id: "acc_1",
  thread_root_id: root,
});

describe("threadItems", () => {
  it("merges fetched and live replies of one thread, once each, oldest first", () => {
    const fetched = [msg("r2", 5, "root"), msg("r1", 3, "root")];
    const live = [
      msg("root", 1),
      msg("r1", 3, "root"),
      msg("other", 4, "x"),
      msg("r3", 7, "root"),
      msg("", 9, "root"),
    ];
    expect(threadItems("root", fetched, live).map((m) => m.id)).toEqual(["r1", "r2", "r3"]);
  });
});
