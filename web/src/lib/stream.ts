// The real-time stream (GET /api/v1/stream, docs/api.md "Real-time stream"):
// one WebSocket per tab. It says hello with the last position applied,
// receives replayed and live events, reconnects with jittered exponential
// back-off and resumes from the last position, and relays typing and
// presence signals.

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
  | { type: "error"; code: string; message?: string };

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
