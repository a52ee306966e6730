// Messages written while offline wait here (IndexedDB, so a reload or a
// closed tab keeps them) with the client message id chosen when they were
// written, and go out in order once the network is back. The server keeps
// one message per sender and client message id, so a send retried after a
// lost answer is stored once, never twice.
import { ApiError } from "../api/client";

/** Queued is one message waiting for the network. */
export type Queued = {
  client_msg_id: string;
  conversation_id: string;
  sender_id: string;
  body: string;
  reply_to_id?: string;
  queued_at: number;
};

/** OutboxStore keeps the queue: IndexedDB in browsers, memory in tests. */
export interface OutboxStore {
  all(): Promise<Queued[]>;
  put(q: Queued): Promise<void>;
  remove(clientMsgId: string): Promise<void>;
  clear(): Promise<void>;
}

export class MemoryStore implements OutboxStore {
  private items = new Map<string, Queued>();
  async all() {
    return [...this.items.values()].sort((a, b) => a.queued_at - b.queued_at);
  }
  async put(q: Queued) {
    this.items.set(q.client_msg_id, q);
  }
  async remove(id: string) {
    this.items.delete(id);
  }
  async clear() {
    this.items.clear();
  }
}

const DB = "atrium-outbox";
const STORE = "messages";

function req<T>(r: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

/** IdbStore keeps the queue in IndexedDB. */
export class IdbStore implements OutboxStore {
  private db: Promise<IDBDatabase> | null = null;
  private open(): Promise<IDBDatabase> {
    this.db ??= new Promise((resolve, reject) => {
      const r = indexedDB.open(DB, 1);
      r.onupgradeneeded = () => r.result.createObjectStore(STORE, { keyPath: "client_msg_id" });
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
    return this.db;
  }
  private async store(mode: IDBTransactionMode) {
    return (await this.open()).transaction(STORE, mode).objectStore(STORE);
  }
  async all() {
    const items = (await req((await this.store("readonly")).getAll())) as Queued[];
    return items.sort((a, b) => a.queued_at - b.queued_at);
  }
  async put(q: Queued) {
    await req((await this.store("readwrite")).put(q));
  }
  async remove(id: string) {
    await req((await this.store("readwrite")).delete(id));
  }
  async clear() {
    await req((await this.store("readwrite")).clear());
  }
}

/** Outcome of one queued message's send. */
export type Sent<M> = { queued: Queued; message?: M; error?: unknown };

/**
 * isNetworkError says whether a failed send may succeed later unchanged:
 * no answer at all (offline, connection lost) or a server error. A refusal
 * (4xx) will not change by retrying.
 */
export function isNetworkError(e: unknown): boolean {
  return !(e instanceof ApiError) || e.status >= 500 || e.code === "offline";
}

/**
 * Outbox sends the queue in order. flush stops at the first message that
 * meets no network (the rest keep their order for the next try); a message
 * the server refuses leaves the queue and is reported failed.
 */
export class Outbox<M> {
  private running: Promise<Sent<M>[]> | null = null;
  private subs = new Set<() => void>();
  constructor(
    readonly store: OutboxStore,
    private send: (q: Queued) => Promise<M>,
  ) {}

  subscribe(f: () => void): () => void {
    this.subs.add(f);
    return () => this.subs.delete(f);
  }
  private changed() {
    for (const f of this.subs) f();
  }

  async add(q: Queued) {
    await this.store.put(q);
    this.changed();
  }

  async forConversation(id: string): Promise<Queued[]> {
    return (await this.store.all()).filter((q) => q.conversation_id === id);
  }

  async clear() {
    await this.store.clear();
    this.changed();
  }

  /** flush sends what waits; a flush already running is joined, not doubled. */
  flush(): Promise<Sent<M>[]> {
    this.running ??= this.run().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async run(): Promise<Sent<M>[]> {
    const out: Sent<M>[] = [];
    for (const q of await this.store.all()) {
      try {
        const message = await this.send(q);
        await this.store.remove(q.client_msg_id);
        out.push({ queued: q, message });
      } catch (error) {
        if (isNetworkError(error)) break;
        await this.store.remove(q.client_msg_id);
        out.push({ queued: q, error });
      }
    }
    if (out.length) this.changed();
    return out;
  }
}
