// Asking the browser for a permission, once for the whole app: in context
// (only when the person taps the thing that needs it, after saying why),
// and with a way back when they refused (the browser will not ask again:
// only its settings can). Used by push notifications (settings), the
// attendance check-in (geolocation) and, next, QR scanning (camera).

export type PermissionKind = "notifications" | "geolocation" | "camera";

/** PermissionState is where a permission stands; "prompt" means the browser would ask. */
export type PermissionState = "granted" | "denied" | "prompt" | "unsupported";

/** Env is the part of the browser the functions use (a stand-in in tests). */
export type Env = {
  Notification?: { permission: string; requestPermission(): Promise<string> };
  navigator?: {
    permissions?: { query(d: { name: string }): Promise<{ state: string }> };
    geolocation?: Geolocation;
    mediaDevices?: { getUserMedia?(c: MediaStreamConstraints): Promise<MediaStream> };
    userAgent?: string;
  };
};

function browser(): Env {
  return {
    Notification: typeof Notification !== "undefined" ? Notification : undefined,
    navigator: typeof navigator !== "undefined" ? navigator : undefined,
  };
}

function normalize(s: string): PermissionState {
  if (s === "granted" || s === "denied") return s;
  return "prompt"; // "default" (notifications), "prompt"
}

/** isSupported says whether this browser has the capability at all. */
export function isSupported(kind: PermissionKind, env: Env = browser()): boolean {
  switch (kind) {
    case "notifications":
      return !!env.Notification;
    case "geolocation":
      return !!env.navigator?.geolocation;
    case "camera":
      return typeof env.navigator?.mediaDevices?.getUserMedia === "function";
  }
}

/** permissionState tells where a permission stands without asking the person. */
export async function permissionState(kind: PermissionKind, env: Env = browser()): Promise<PermissionState> {
  if (!isSupported(kind, env)) return "unsupported";
  if (kind === "notifications") return normalize(env.Notification?.permission ?? "default");
  try {
    const st = await env.navigator?.permissions?.query({ name: kind });
    return normalize(st?.state ?? "prompt");
  } catch {
    // Some browsers cannot query this one: they ask when it is used.
    return "prompt";
  }
}

/** GeoFailure is why no position came: refused, unavailable (no sensor, no fix) or timed out. */
export type GeoFailure = "denied" | "unavailable" | "timeout";

/** getPosition asks for a fresh position (never a cached one); rejects with a GeoFailure. */
export function getPosition(timeout = 10_000, env: Env = browser()): Promise<GeolocationPosition> {
  return new Promise((resolve, reject) => {
    const geo = env.navigator?.geolocation;
    if (!geo) {
      reject("unavailable" satisfies GeoFailure);
      return;
    }
    geo.getCurrentPosition(
      resolve,
      (e) =>
        reject((e.code === 1 ? "denied" : e.code === 3 ? "timeout" : "unavailable") satisfies GeoFailure),
      { enableHighAccuracy: true, timeout, maximumAge: 0 },
    );
  });
}

/**
 * requestPermission asks the browser (call it from the person's tap): the
 * notification prompt, a position, or the camera (turned off at once).
 */
export async function requestPermission(
  kind: PermissionKind,
  env: Env = browser(),
): Promise<PermissionState> {
  if (!isSupported(kind, env)) return "unsupported";
  switch (kind) {
    case "notifications":
      return normalize((await env.Notification?.requestPermission()) ?? "default");
    case "geolocation":
      try {
        await getPosition(10_000, env);
        return "granted";
      } catch (e) {
        // Allowed, but no fix right now: still allowed.
        return e === "denied" ? "denied" : "granted";
      }
    case "camera":
      try {
        const s = await env.navigator?.mediaDevices?.getUserMedia?.({ video: true });
        for (const tr of s?.getTracks() ?? []) tr.stop();
        return "granted";
      } catch (e) {
        const name = (e as { name?: string })?.name;
        if (name === "NotAllowedError" || name === "SecurityError") return "denied";
        return "unsupported";
      }
  }
}

/** Browser is the family whose settings the re-enable steps describe. */
export type Browser = "ios" | "android" | "safari" | "firefox" | "chromium" | "other";

/** browserFamily reads the family from a user agent string. */
export function browserFamily(ua: string): Browser {
  if (/iPhone|iPad|iPod/.test(ua)) return "ios";
  if (/Android/.test(ua)) return "android";
  if (/Firefox\//.test(ua)) return "firefox";
  if (/Chrome\/|Chromium\/|Edg\//.test(ua)) return "chromium";
  if (/Safari\//.test(ua)) return "safari";
  return "other";
}

/**
 * needsHomeScreen says whether web push needs the app added to the home
 * screen first (iOS and iPadOS 16.4+: only installed web apps may).
 */
export function needsHomeScreen(ua: string, standalone: boolean): boolean {
  return browserFamily(ua) === "ios" && !standalone;
}
