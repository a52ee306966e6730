// The installed app's side of the service worker (src/sw/sw.ts): register
// it, follow the pages it asks a window to show (a tapped notification),
// and forget the kept API answers when signing out.
import { API_CACHE, CLEAR_API, NAVIGATE } from "../sw/logic";

/** registerServiceWorker installs /sw.js for the whole app (built apps only: the dev server has none). */
export function registerServiceWorker(): Promise<ServiceWorkerRegistration | undefined> {
  if (!import.meta.env.PROD || typeof navigator === "undefined" || !("serviceWorker" in navigator)) {
    return Promise.resolve(undefined);
  }
  return navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => undefined);
}

/** NavigateMessage is what the service worker sends a window for a tapped notification. */
export type NavigateMessage = { type: typeof NAVIGATE; url: string; org_id?: string };

/** isNavigateMessage checks a message from the service worker. */
export function isNavigateMessage(d: unknown): d is NavigateMessage {
  const m = d as Partial<NavigateMessage> | null;
  return (
    !!m &&
    m.type === NAVIGATE &&
    typeof m.url === "string" &&
    m.url.startsWith("/") &&
    !m.url.startsWith("//")
  );
}

/** onNavigate calls go for each page the service worker asks this window to show. */
export function onNavigate(go: (url: string, orgId: string) => void): () => void {
  if (typeof navigator === "undefined" || !("serviceWorker" in navigator)) return () => {};
  const f = (e: MessageEvent) => {
    if (isNavigateMessage(e.data)) go(e.data.url, e.data.org_id ?? "");
  };
  navigator.serviceWorker.addEventListener("message", f);
  return () => navigator.serviceWorker.removeEventListener("message", f);
}

/**
 * clearApiCache deletes the API answers kept for offline reading (signing
 * out: no conversation stays on a shared device), here and in the worker.
 */
export async function clearApiCache(): Promise<void> {
  try {
    navigator.serviceWorker?.controller?.postMessage({ type: CLEAR_API });
  } catch {
    // no worker
  }
  try {
    if (typeof caches !== "undefined") await caches.delete(API_CACHE);
  } catch {
    // storage unavailable
  }
}
