// Web Push on this device: subscribe with the server's VAPID key and hand
// the subscription to the server; list and revoke the person's devices.
//
// The routes (GET /api/v1/push/config, GET/POST /api/v1/me/push-subscriptions,
// DELETE /api/v1/me/push-subscriptions/{id}) are called with plain fetch and
// the types below, which follow the server's contract; once the OpenAPI
// document lists them (`npm run gen:api`) they may move to the typed client.
import { ApiError, csrfToken } from "../api/client";

export type PushConfig = { enabled: boolean; public_key: string };
export type PushDevice = {
  id: string;
  device_name: string;
  endpoint_host: string;
  created_at: string;
  last_used_at: string | null;
};
export type PushSubscribeBody = {
  endpoint: string;
  keys: { p256dh: string; auth: string };
  device_name: string;
};

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (method !== "GET") {
    const token = csrfToken();
    if (token) headers["X-CSRF-Token"] = token;
  }
  const r = await fetch(path, {
    method,
    headers,
    credentials: "same-origin",
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!r.ok) {
    const e = (await r.json().catch(() => ({}))) as {
      error?: { code?: string; message?: string; details?: Record<string, unknown> };
    };
    throw new ApiError(
      r.status,
      e.error?.code ?? `http_${r.status}`,
      e.error?.message ?? r.statusText,
      e.error?.details,
    );
  }
  return (r.status === 204 ? undefined : await r.json()) as T;
}

export const pushConfig = () => call<PushConfig>("GET", "/api/v1/push/config");
export const listDevices = () => call<{ items: PushDevice[] }>("GET", "/api/v1/me/push-subscriptions");
export const saveDevice = (b: PushSubscribeBody) =>
  call<PushDevice>("POST", "/api/v1/me/push-subscriptions", b);
export const revokeDevice = (id: string) =>
  call<void>("DELETE", `/api/v1/me/push-subscriptions/${encodeURIComponent(id)}`);

/** urlBase64ToBytes decodes base64url (the VAPID public key's form). */
export function urlBase64ToBytes(s: string): Uint8Array<ArrayBuffer> {
  const b64 = s.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (s.length % 4)) % 4);
  const bin = atob(b64);
  const out = new Uint8Array(new ArrayBuffer(bin.length));
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/** bytesToUrlBase64 encodes bytes as unpadded base64url. */
export function bytesToUrlBase64(b: ArrayBuffer | Uint8Array | null | undefined): string {
  if (!b) return "";
  const bytes = b instanceof Uint8Array ? b : new Uint8Array(b);
  let bin = "";
  for (const x of bytes) bin += String.fromCharCode(x);
  return btoa(bin).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** deviceName names this browser for the device list: "Chrome on Android". */
export function deviceName(ua: string): string {
  const browser = /Edg\//.test(ua)
    ? "Edge"
    : /Firefox\/|FxiOS/.test(ua)
      ? "Firefox"
      : /Chrome\/|CriOS|Chromium\//.test(ua)
        ? "Chrome"
        : /Safari\//.test(ua)
          ? "Safari"
          : "Browser";
  const os = /iPhone/.test(ua)
    ? "iPhone"
    : /iPad/.test(ua)
      ? "iPad"
      : /Android/.test(ua)
        ? "Android"
        : /Windows/.test(ua)
          ? "Windows"
          : /Mac OS X|Macintosh/.test(ua)
            ? "macOS"
            : /Linux|X11/.test(ua)
              ? "Linux"
              : "";
  return os ? `${browser} on ${os}` : browser;
}

/** pushSupported says whether this browser can receive web push here. */
export function pushSupported(): boolean {
  return (
    typeof navigator !== "undefined" &&
    "serviceWorker" in navigator &&
    typeof window !== "undefined" &&
    "PushManager" in window &&
    "Notification" in window
  );
}

const DEVICE_KEY = "atrium.push";

/** thisDevice is the id the server gave this browser's subscription ("" when none). */
export function thisDevice(): string {
  try {
    return localStorage.getItem(DEVICE_KEY) ?? "";
  } catch {
    return "";
  }
}

function remember(id: string) {
  try {
    if (id) localStorage.setItem(DEVICE_KEY, id);
    else localStorage.removeItem(DEVICE_KEY);
  } catch {
    // not remembered: the list still shows the device
  }
}

async function registration(): Promise<ServiceWorkerRegistration> {
  return navigator.serviceWorker.ready;
}

/** subscribed says whether this browser holds a push subscription known to the server. */
export async function subscribed(): Promise<boolean> {
  if (!pushSupported() || !thisDevice()) return false;
  const reg = await navigator.serviceWorker.getRegistration();
  return !!(await reg?.pushManager.getSubscription());
}

/** sameKey says whether a subscription was made with this VAPID key. */
export function sameKey(a: ArrayBuffer | null | undefined, key: Uint8Array): boolean {
  if (!a) return false;
  const x = new Uint8Array(a);
  return x.length === key.length && x.every((v, i) => v === key[i]);
}

/**
 * turnOn subscribes this browser (the notification permission must already
 * be granted) and registers the subscription with the server.
 */
export async function turnOn(): Promise<PushDevice> {
  const cfg = await pushConfig();
  if (!cfg.enabled || !cfg.public_key) throw new ApiError(503, "push_disabled", "push is not set up");
  const key = urlBase64ToBytes(cfg.public_key);
  const reg = await registration();
  let sub = await reg.pushManager.getSubscription();
  if (sub && !sameKey(sub.options.applicationServerKey, key)) {
    await sub.unsubscribe();
    sub = null;
  }
  sub ??= await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key });
  const saved = await saveDevice({
    endpoint: sub.endpoint,
    keys: { p256dh: bytesToUrlBase64(sub.getKey("p256dh")), auth: bytesToUrlBase64(sub.getKey("auth")) },
    device_name: deviceName(navigator.userAgent),
  });
  remember(saved.id);
  return saved;
}

/** turnOff ends this browser's subscription, here and on the server. */
export async function turnOff(): Promise<void> {
  const id = thisDevice();
  if (id) {
    try {
      await revokeDevice(id);
    } catch (e) {
      if (!(e instanceof ApiError && e.status === 404)) throw e;
    }
  }
  remember("");
  const reg = await navigator.serviceWorker.getRegistration();
  await (await reg?.pushManager.getSubscription())?.unsubscribe();
}

/** forget drops this browser's local subscription after the server revoked it. */
export async function forgetThisDevice(): Promise<void> {
  remember("");
  const reg = await navigator.serviceWorker?.getRegistration();
  await (await reg?.pushManager.getSubscription())?.unsubscribe();
}
