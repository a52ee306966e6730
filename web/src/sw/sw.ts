// The service worker (built by vite.config.ts into dist/sw.js, served at
// the scope root): it keeps the app shell of this build for offline starts,
// keeps the latest conversations for offline reading (network first), and
// shows push notifications. Sends made offline are queued by the page
// (lib/outbox.ts), not here.
import {
  API_CACHE,
  CLEAR_API,
  formatPush,
  isShellNavigation,
  NAVIGATE,
  offlineReadable,
  parsePush,
  pickWindow,
  SHELL_PREFIX,
  safeUrl,
  staleHistories,
} from "./logic";

// Filled in at build time: the files of the build and a version derived
// from their contents.
declare const __PRECACHE__: string[];
declare const __SW_VERSION__: string;

// The few worker types used here (the app's TypeScript setup has the DOM's).
type ExtendableEvent = Event & { waitUntil(p: Promise<unknown>): void };
type FetchEvent = ExtendableEvent & {
  request: Request;
  respondWith(r: Response | Promise<Response>): void;
};
type PushEvent = ExtendableEvent & { data: { text(): string } | null };
type NotificationEvent = ExtendableEvent & { notification: Notification };
type MessageEvent = ExtendableEvent & { data: unknown };
type WindowClient = {
  url: string;
  focused: boolean;
  visibilityState: string;
  focus(): Promise<WindowClient>;
  navigate(url: string): Promise<WindowClient | null>;
  postMessage(m: unknown): void;
};
type Worker = {
  registration: ServiceWorkerRegistration;
  clients: {
    matchAll(o: { type: "window"; includeUncontrolled: boolean }): Promise<WindowClient[]>;
    openWindow(url: string): Promise<WindowClient | null>;
    claim(): Promise<void>;
  };
  skipWaiting(): Promise<void>;
  location: Location;
  navigator: Navigator;
  addEventListener(type: "install" | "activate", f: (e: ExtendableEvent) => void): void;
  addEventListener(type: "fetch", f: (e: FetchEvent) => void): void;
  addEventListener(type: "push", f: (e: PushEvent) => void): void;
  addEventListener(type: "notificationclick", f: (e: NotificationEvent) => void): void;
  addEventListener(type: "message", f: (e: MessageEvent) => void): void;
};

const sw = self as unknown as Worker;
const SHELL = SHELL_PREFIX + __SW_VERSION__;
const shellFiles = new Set(__PRECACHE__);
// API answers whose request started before the last sign-out are not kept.
let clearedAt = 0;

sw.addEventListener("install", (e) => {
  e.waitUntil(
    (async () => {
      const c = await caches.open(SHELL);
      await c.addAll(__PRECACHE__.map((u) => new Request(u, { cache: "reload" })));
      await sw.skipWaiting();
    })(),
  );
});

sw.addEventListener("activate", (e) => {
  e.waitUntil(
    (async () => {
      for (const k of await caches.keys())
        if (k.startsWith(SHELL_PREFIX) && k !== SHELL) await caches.delete(k);
      await sw.clients.claim();
    })(),
  );
});

sw.addEventListener("fetch", (e) => {
  const req = e.request;
  if (req.method !== "GET") return;
  const url = new URL(req.url);
  if (url.origin !== sw.location.origin) return;
  if (url.pathname.startsWith("/api/")) {
    if (offlineReadable(url.pathname, url.search)) e.respondWith(networkFirst(req, e));
    return;
  }
  if (req.mode === "navigate") {
    if (isShellNavigation(url.pathname)) e.respondWith(navigation(req));
    return;
  }
  if (shellFiles.has(url.pathname)) e.respondWith(fromShell(req));
});

/** navigation asks the server first (a new release shows at once), else the kept shell. */
async function navigation(req: Request): Promise<Response> {
  try {
    return await fetch(req);
  } catch (err) {
    const hit = await caches.match("/index.html", { cacheName: SHELL });
    if (hit) return hit;
    throw err;
  }
}

async function fromShell(req: Request): Promise<Response> {
  return (await caches.match(req, { cacheName: SHELL, ignoreVary: true })) ?? fetch(req);
}

/** networkFirst answers from the server and keeps the answer; offline, the kept one. */
async function networkFirst(req: Request, e: FetchEvent): Promise<Response> {
  const started = Date.now();
  let res: Response;
  try {
    res = await fetch(req);
  } catch {
    const hit = await caches.match(req, { cacheName: API_CACHE, ignoreVary: true });
    if (hit) return hit;
    return new Response(JSON.stringify({ error: { code: "offline", message: "offline" } }), {
      status: 503,
      headers: { "Content-Type": "application/json", "Cache-Control": "no-store" },
    });
  }
  if (res.ok && started > clearedAt) {
    e.waitUntil(keep(req, res.clone()));
  } else if (res.status === 401) {
    // Signed out (or the session ended): nothing of this person stays.
    e.waitUntil(clearApi());
  }
  return res;
}

async function keep(req: Request, res: Response) {
  const c = await caches.open(API_CACHE);
  await c.delete(req, { ignoreVary: true });
  await c.put(req, res);
  const urls = (await c.keys()).map((r) => r.url);
  for (const u of staleHistories(urls)) await c.delete(u, { ignoreVary: true });
}

async function clearApi() {
  clearedAt = Date.now();
  await caches.delete(API_CACHE);
}

sw.addEventListener("message", (e) => {
  const d = e.data as { type?: string } | null;
  if (d?.type === CLEAR_API) e.waitUntil(clearApi());
});

sw.addEventListener("push", (e) => {
  const n = formatPush(parsePush(e.data?.text()), sw.navigator.language);
  e.waitUntil(sw.registration.showNotification(n.title, n.options));
});

sw.addEventListener("notificationclick", (e) => {
  e.notification.close();
  const data = (e.notification.data ?? {}) as { url?: string; org_id?: string };
  e.waitUntil(open(safeUrl(data.url), data.org_id ?? ""));
});

/** open brings an open window of the app forward and shows url in it, or opens a new one. */
async function open(url: string, orgId: string) {
  const wins = await sw.clients.matchAll({ type: "window", includeUncontrolled: true });
  const w = pickWindow(wins, sw.location.origin);
  if (!w) {
    await sw.clients.openWindow(url);
    return;
  }
  let focused = w;
  try {
    focused = await w.focus();
  } catch {
    // focusing needs the click's user activation; navigate anyway
  }
  // The app moves there itself (and into the notification's
  // organization), without reloading.
  focused.postMessage({ type: NAVIGATE, url, org_id: orgId });
}
