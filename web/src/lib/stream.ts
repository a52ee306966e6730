// The real-time stream (GET /api/v1/stream, docs/api.md "Real-time stream"):
// one WebSocket per tab. It says hello with the last position applied,
// receives replayed and live events, reconnects with jittered exponential
// back-off and resumes from the last position, and relays typing and
// presence signals. Messages may be sent over it (sendMessage): the
// server answers each with an ack after commit, or the REST error.
import { ApiError } from "../api/client";

/** StreamEvent is one event of the log, as delivered by the stream. */
export type StreamEvent = {
  type: "event";
  pos: number;
  event: string;
  scope_kind: "account" | "org" | "conversation";
  scope_id: string;
  org_id?: string;
  data: Record<string, unknown>;
  created_at: number;
};

export type StreamFrame =
  | StreamEvent
  | { type: "ready"; pos: number }
  | { type: "resync"; min_pos: number }
  | { type: "typing"; conversation_id: string; account_id: string }
  | { type: "presence"; account_id: string; status: "online" | "away" | "offline" }
  | { type: "pong" }
  | { type: "ack"; ref: string; http_status: number; message: unknown }
  | {
      type: "error";
      code: string;
      message?: string;
      ref?: string;
      http_status?: number;
      details?: Record<string, unknown>;
    };

/** StreamLost rejects a send whose answer will not come (the socket closed, or no answer in time): send again over REST. */
export class StreamLost extends Error {
  constructor() {
    super("stream lost");
    this.name = "StreamLost";
  }
}

/** SendAck is the server's answer to a send: 201 new, 200 already sent, and the message. */
export type SendAck = { status: number; message: unknown };

type PendingSend = {
  resolve: (a: SendAck) => void;
  reject: (e: unknown) => void;
  timer: ReturnType<typeof setTimeout>;
};

/** SEND_TIMEOUT is how long a send over the stream waits for its answer before REST takes over. */
export const SEND_TIMEOUT = 10_000;

export type StreamStatus = "connecting" | "live" | "offline" | "signed_out";

type Listener = (f: StreamFrame) => void;

export type StreamOptions = {
  url?: string;
  /** WebSocket constructor (tests pass a fake). */
  socket?: typeof WebSocket;
  /** Called after "ready" when the client must reload its state (first connect or resync). */
  onResync?: () => void;
  /** Called when a connection closed before it opened (refused, or the server unreachable). */
  onRefused?: () => void;
  /** Called when the session ended (close code 4001): sign in again. */
  onSignedOut?: () => void;
  random?: () => number;
};

const MIN_DELAY = 500;
const MAX_DELAY = 30_000;

export class Stream {
  private ws: WebSocket | null = null;
  private lastPos: number | null = null;
  private listeners = new Set<Listener>();
  private statusListeners = new Set<(s: StreamStatus) => void>();
  private attempt = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private stopped = true;
  private needResync = true;
  private watched: string[] = [];
  private pending = new Map<string, PendingSend>();
  private refs = 0;
  status: StreamStatus = "offline";

  constructor(private opts: StreamOptions = {}) {}

  /** position is the highest log position applied so far (null before the first ready). */
  get position(): number | null {
    return this.lastPos;
  }

  start() {
    if (!this.stopped) return;
    this.stopped = false;
    this.connect();
  }

  stop() {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const ws = this.ws;
    this.ws = null;
    ws?.close(1000);
    this.dropPending();
    this.setStatus("offline");
  }

  on(l: Listener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  onStatus(l: (s: StreamStatus) => void): () => void {
    this.statusListeners.add(l);
    return () => this.statusListeners.delete(l);
  }

  typing(conversationId: string) {
    this.send({ type: "typing", conversation_id: conversationId });
  }

  setAway(away: boolean) {
    this.send({ type: "presence", status: away ? "away" : "online" });
  }

  /** watchPresence replaces the list of accounts whose presence this tab follows. */
  watchPresence(accountIds: string[]) {
    this.watched = [...new Set(accountIds)].slice(0, 500);
    this.send({ type: "presence_subscribe", account_ids: this.watched });
  }

  /**
   * sendMessage sends a message (the body of POST /conversations/{id}/messages)
   * over the socket, or returns null when the stream is not live. The
   * promise resolves with the ack, rejects with an ApiError for a refusal,
   * and with StreamLost when no answer can come: the caller sends again
   * over REST (the client id makes that safe).
   */
  sendMessage(
    conversationId: string,
    message: Record<string, unknown>,
    timeout = SEND_TIMEOUT,
  ): Promise<SendAck> | null {
    const ws = this.ws;
    if (ws?.readyState !== 1 || this.status !== "live") return null;
    const ref = `s${++this.refs}`;
    return new Promise<SendAck>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(ref);
        reject(new StreamLost());
      }, timeout);
      this.pending.set(ref, { resolve, reject, timer });
      ws.send(JSON.stringify({ type: "send", ref, conversation_id: conversationId, message }));
    });
  }

  /** dropPending rejects the sends waiting for an answer that will not come. */
  private dropPending() {
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(new StreamLost());
    }
    this.pending.clear();
  }

  private send(m: unknown) {
    if (this.ws && this.ws.readyState === 1 && this.status === "live") this.ws.send(JSON.stringify(m));
  }

  private url(): string {
    if (this.opts.url) return this.opts.url;
    const l = window.location;
    return `${l.protocol === "https:" ? "wss:" : "ws:"}//${l.host}/api/v1/stream`;
  }

  private setStatus(s: StreamStatus) {
    if (this.status === s) return;
    this.status = s;
    for (const l of this.statusListeners) l(s);
  }

  private connect() {
    const WS = this.opts.socket ?? WebSocket;
    this.setStatus("connecting");
    const ws = new WS(this.url());
    this.ws = ws;
    let opened = false;
    ws.onopen = () => {
      opened = true;
      ws.send(
        JSON.stringify(this.lastPos === null ? { type: "hello" } : { type: "hello", last_pos: this.lastPos }),
      );
    };
    ws.onmessage = (m: MessageEvent) => {
      if (this.ws !== ws) return;
      let parsed: unknown;
      try {
        parsed = JSON.parse(String(m.data));
      } catch {
        return;
      }
      for (const f of Array.isArray(parsed) ? parsed : [parsed]) this.handle(f as StreamFrame);
    };
    ws.onclose = (e: CloseEvent) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.dropPending();
      if (e.code === 4001) {
        this.stopped = true;
        this.setStatus("signed_out");
        this.opts.onSignedOut?.();
        return;
      }
      if (e.code === 4400) this.lastPos = null;
      this.setStatus("offline");
      if (!opened) this.opts.onRefused?.();
      this.schedule();
    };
  }

  private schedule() {
    if (this.stopped) return;
    const base = Math.min(MAX_DELAY, MIN_DELAY * 2 ** this.attempt);
    const delay = base / 2 + (this.opts.random ?? Math.random)() * (base / 2);
    this.attempt++;
    this.timer = setTimeout(() => {
      this.timer = null;
      if (!this.stopped) this.connect();
    }, delay);
  }

  private handle(f: StreamFrame) {
    if ((f.type === "ack" || f.type === "error") && f.ref) {
      const p = this.pending.get(f.ref);
      if (p) {
        this.pending.delete(f.ref);
        clearTimeout(p.timer);
        if (f.type === "ack") p.resolve({ status: f.http_status, message: f.message });
        else p.reject(new ApiError(f.http_status ?? 400, f.code, f.message ?? f.code, f.details));
        return;
      }
    }
    switch (f.type) {
      case "event":
        if (this.lastPos !== null && f.pos <= this.lastPos) return; // already applied
        this.lastPos = f.pos;
        break;
      case "resync":
        this.needResync = true;
        break;
      case "ready":
        this.attempt = 0;
        if (this.lastPos === null || f.pos > this.lastPos) this.lastPos = f.pos;
        this.setStatus("live");
        if (this.watched.length) this.send({ type: "presence_subscribe", account_ids: this.watched });
        if (this.needResync) {
          this.needResync = false;
          this.opts.onResync?.();
        }
        break;
    }
    for (const l of this.listeners) l(f);
  }
}
