import type { Message } from "./data";

/** receiptShown says whether a message of mine can carry a read receipt (sent, not deleted). */
function receiptShown(m: Message): boolean {
  return !m.pending && !m.failed && !m.deleted && !!m.id;
}

/**
 * receiptRunEnds is the ids of the messages that show the read receipt: in
 * each run of my consecutive messages, the last one sent. Read positions
 * only move forward, so its receipt speaks for the whole run.
 */
export function receiptRunEnds(items: Message[], myId: string): Set<string> {
  const out = new Set<string>();
  let last = "";
  for (const m of items) {
    if (m.sender_id !== myId) {
      if (last) out.add(last);
      last = "";
      continue;
    }
    if (receiptShown(m)) last = m.id;
  }
  if (last) out.add(last);
  return out;
}
