// The signed-in person, as the app knows it: GET /api/v1/me, cached by
// TanStack Query under ["me"]. null means signed out.
import { queryOptions, useQuery } from "@tanstack/react-query";
import { ApiError, api, csrfToken, must, type Schemas } from "../api/client";
import { outbox } from "./offline";
import { thisDevice, turnOff } from "./push";
import { clearApiCache } from "./pwa";
import { queryClient } from "./query";

export type Account = Schemas["IdentityAccount"];

async function fetchMe(): Promise<Account | null> {
  // The session cookie is HttpOnly; its CSRF companion is not. Without it
  // there is no session, and asking would only log a 401.
  if (!csrfToken()) return null;
  try {
    return await must(api.GET("/api/v1/me"));
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return null;
    throw e;
  }
}

export const meQuery = queryOptions({ queryKey: ["me"], queryFn: fetchMe, staleTime: 5 * 60_000 });

export function useMe() {
  return useQuery(meQuery);
}

/** signedIn records the account after a successful sign-in. */
export function signedIn(account: Account) {
  queryClient.setQueryData(meQuery.queryKey, account);
}

/**
 * signOut ends the session on the server and forgets every cached answer:
 * those in memory, those the service worker kept for offline reading, and
 * messages still waiting for the network (nothing stays on a shared device).
 */
export async function signOut() {
  // This device stops receiving the person's notifications.
  if (thisDevice()) await turnOff().catch(() => undefined);
  try {
    await must(api.POST("/api/v1/auth/logout"));
  } catch {
    // the session may already be gone; forget it here either way
  }
  await clearApiCache();
  await outbox.clear().catch(() => undefined);
  queryClient.clear();
  queryClient.setQueryData(meQuery.queryKey, null);
}

const DEVICE_KEY = "atrium.device";

/** deviceId is a random id of this browser, so sign-ins from it are recognized. */
export function deviceId(): string {
  try {
    let id = localStorage.getItem(DEVICE_KEY);
    if (!id) {
      id = `web-${crypto.randomUUID()}`;
      localStorage.setItem(DEVICE_KEY, id);
    }
    return id;
  } catch {
    return "";
  }
}
