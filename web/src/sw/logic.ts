// What the service worker decides, as plain functions (sw.ts wires them to
// the worker's events; the unit tests call them directly).

/** Cache names: the app shell of one build, and the API answers kept for offline reading. */
export const SHELL_PREFIX = "atrium-shell-";
export const API_CACHE = "atrium-api";

/** MAX_CONVERSATIONS is how many conversations' recent messages are kept for offline reading. */
export const MAX_CONVERSATIONS = 20;

// GET routes answered from the cache when the network is gone: who is
// signed in and where (the shell needs them to open), the conversation
// list, and the conversations viewed with their latest messages.
const OFFLINE_ROUTES: RegExp[] = [
  /^\/api\/v1\/me$/,
  /^\/api\/v1\/me\/orgs$/,
  /^\/api\/v1\/me\/permissions$/,
  /^\/api\/v1\/me\/policies$/,
  /^\/api\/v1\/me\/guardian-consent$/,
  /^\/api\/v1\/people\/[^/]+$/,
  /^\/api\/v1\/conversations$/,
  /^\/api\/v1\/conversations\/[^/]+$/,
  /^\/api\/v1\/conversations\/[^/]+\/members$/,
  /^\/api\/v1\/conversations\/[^/]+\/messages$/,
];

/** offlineReadable says whether a GET of this path and query is kept for offline reading. */
export function offlineReadable(pathname: string, search = ""): boolean {
  if (!OFFLINE_ROUTES.some((r) => r.test(pathname))) return false;
  // Of a conversation's history, only the latest window (no paging, no thread).
  if (pathname.endsWith("/messages")) {
    const q = new URLSearchParams(search);
    return !q.has("before") && !q.has("after") && !q.has("around") && !q.has("thread_root_id");
  }
  return true;
}

/** conversationOf is the conversation id of a cached message-history URL, or "". */
export function conversationOf(pathname: string): string {
  const m = pathname.match(/^\/api\/v1\/conversations\/([^/]+)\/messages$/);
  return m ? m[1] : "";
}

/**
 * staleHistories returns the history URLs to drop so that only the max most
 * recently kept conversations stay (urls in the order they were last stored).
 */
export function staleHistories(urls: string[], max = MAX_CONVERSATIONS): string[] {
  const histories = urls.filter((u) => conversationOf(new URL(u).pathname) !== "");
  return histories.slice(0, Math.max(0, histories.length - max));
}

/** isShellNavigation says whether a navigation to this path gets the app's page when offline. */
export function isShellNavigation(pathname: string): boolean {
  return !pathname.startsWith("/api/") && pathname !== "/sw.js";
}

export type PushKind = "direct" | "mention" | "approval" | "invitation" | "reminder" | "handover";

const PUSH_KINDS: PushKind[] = ["direct", "mention", "approval", "invitation", "reminder", "handover"];

/** PushPayload is what the server's push message carries (docs: PUSH payload v1). */
export type PushPayload = {
  v: number;
  kind: PushKind;
  org_id?: string;
  url?: string;
  tag?: string;
  title?: string;
  body?: string;
};

const GENERIC: Record<"en" | "zh", Record<PushKind, string> & { app: string }> = {
  en: {
    direct: "New message",
    mention: "You were mentioned",
    approval: "Approval waiting",
    invitation: "New event invitation",
    reminder: "Event starting soon",
    handover: "Files handed over to you",
    app: "Atrium",
  },
  zh: {
    direct: "新消息",
    mention: "有人@了你",
    approval: "待你审批",
    invitation: "新的日程邀请",
    reminder: "日程即将开始",
    handover: "有文件移交给你",
    app: "Atrium",
  },
};

/** pushLang picks the generic texts' language from the browser's: Chinese or English. */
export function pushLang(language: string | undefined): "en" | "zh" {
  return (language ?? "").toLowerCase().startsWith("zh") ? "zh" : "en";
}

/** parsePush reads a push message's data; anything unreadable becomes a plain "new message". */
export function parsePush(text: string | null | undefined): PushPayload {
  try {
    const d = JSON.parse(text ?? "") as Partial<PushPayload>;
    if (d && typeof d === "object") {
      const kind: PushKind = PUSH_KINDS.includes(d.kind as PushKind) ? (d.kind as PushKind) : "direct";
      const str = (v: unknown) => (typeof v === "string" ? v : "");
      return {
        v: typeof d.v === "number" ? d.v : 1,
        kind,
        org_id: str(d.org_id),
        url: str(d.url),
        tag: str(d.tag),
        title: str(d.title),
        body: str(d.body),
      };
    }
  } catch {
    // not JSON: show the generic text
  }
  return { v: 1, kind: "direct" };
}

/** Shown is a notification to show: its title and options. */
export type Shown = {
  title: string;
  options: {
    body: string;
    tag?: string;
    renotify: boolean;
    icon: string;
    badge: string;
    lang: string;
    data: { url: string; org_id: string };
  };
};

/**
 * formatPush turns a payload into the notification to show. Without a title
 * (the organization hides the content) the title is the generic text of
 * the kind; with a sender but no text, the generic text is the body.
 */
export function formatPush(p: PushPayload, language: string | undefined): Shown {
  const lang = pushLang(language);
  const generic = GENERIC[lang][p.kind] ?? GENERIC[lang].direct;
  const title = p.title?.trim() ? p.title.trim() : generic;
  const body = p.body?.trim() ? p.body.trim() : p.title?.trim() ? generic : "";
  const tag = p.tag || undefined;
  return {
    title,
    options: {
      body,
      tag,
      // A new message in the same conversation replaces the old
      // notification and still alerts.
      renotify: !!tag,
      icon: "/icons/icon-192.png",
      badge: "/icons/icon-192.png",
      lang: lang === "zh" ? "zh-CN" : "en",
      data: { url: safeUrl(p.url), org_id: p.org_id ?? "" },
    },
  };
}

/** safeUrl keeps a path of this app (never another site); anything else opens the chat. */
export function safeUrl(url: string | undefined): string {
  if (!url?.startsWith("/") || url.startsWith("//") || url.startsWith("/\\")) return "/chat";
  return url;
}

/** WindowLike is what pickWindow needs of a window client. */
export type WindowLike = { url: string; focused: boolean; visibilityState: string };

/**
 * pickWindow chooses the open window of the app to bring forward for a
 * tapped notification: the focused one, else a visible one, else any; null
 * means open a new window.
 */
export function pickWindow<W extends WindowLike>(windows: readonly W[], origin: string): W | null {
  const mine = windows.filter((w) => {
    try {
      return new URL(w.url).origin === origin;
    } catch {
      return false;
    }
  });
  return mine.find((w) => w.focused) ?? mine.find((w) => w.visibilityState === "visible") ?? mine[0] ?? null;
}

/** NAVIGATE is the message a window gets to show a tapped notification's page. */
export const NAVIGATE = "atrium:navigate";
/** CLEAR_API is the message that empties the API cache (signing out). */
export const CLEAR_API = "atrium:clear-api";
