import { describe, expect, it } from "vitest";
import {
  browserFamily,
  type Env,
  getPosition,
  needsHomeScreen,
  permissionState,
  requestPermission,
} from "./permissions";

const geo = (code: number | null): Geolocation =>
  ({
    getCurrentPosition: (yes: PositionCallback, no?: PositionErrorCallback | null) =>
      code === null
        ? yes({ coords: { latitude: 1, longitude: 2 } } as GeolocationPosition)
        : no?.({ code, message: "" } as GeolocationPositionError),
  }) as unknown as Geolocation;

describe("permissionState", () => {
  it("maps the notification permission, default meaning the browser would ask", async () => {
    const n = (permission: string): Env => ({
      Notification: { permission, requestPermission: async () => permission },
    });
    expect(await permissionState("notifications", n("default"))).toBe("prompt");
    expect(await permissionState("notifications", n("granted"))).toBe("granted");
    expect(await permissionState("notifications", n("denied"))).toBe("denied");
    expect(await permissionState("notifications", {})).toBe("unsupported");
  });

  it("asks the Permissions API for location and camera, and assumes a prompt when it cannot tell", async () => {
    const env = (state: string | Error): Env => ({
      navigator: {
        geolocation: geo(null),
        mediaDevices: { getUserMedia: async () => ({ getTracks: () => [] }) as unknown as MediaStream },
        permissions: {
          query: async () => {
            if (state instanceof Error) throw state;
            return { state };
          },
        },
      },
    });
    expect(await permissionState("geolocation", env("granted"))).toBe("granted");
    expect(await permissionState("geolocation", env("denied"))).toBe("denied");
    expect(await permissionState("camera", env("prompt"))).toBe("prompt");
    expect(await permissionState("camera", env(new TypeError("camera is not a permission name")))).toBe(
      "prompt",
    );
    expect(await permissionState("camera", { navigator: {} })).toBe("unsupported");
    expect(await permissionState("geolocation", { navigator: {} })).toBe("unsupported");
  });
});

describe("requestPermission", () => {
  it("returns the person's answer to the notification prompt", async () => {
    const env: Env = { Notification: { permission: "default", requestPermission: async () => "denied" } };
    expect(await requestPermission("notifications", env)).toBe("denied");
    env.Notification = { permission: "default", requestPermission: async () => "default" };
    expect(await requestPermission("notifications", env)).toBe("prompt");
  });

  it("reads a refused position as denied, and a missing fix as allowed", async () => {
    expect(await requestPermission("geolocation", { navigator: { geolocation: geo(1) } })).toBe("denied");
    expect(await requestPermission("geolocation", { navigator: { geolocation: geo(2) } })).toBe("granted");
    expect(await requestPermission("geolocation", { navigator: { geolocation: geo(null) } })).toBe("granted");
  });

  it("turns the camera off at once, and reads a refusal as denied", async () => {
    let stopped = 0;
    const ok: Env = {
      navigator: {
        mediaDevices: {
          getUserMedia: async () =>
            ({ getTracks: () => [{ stop: () => stopped++ }] }) as unknown as MediaStream,
        },
      },
    };
    expect(await requestPermission("camera", ok)).toBe("granted");
    expect(stopped).toBe(1);
    const refused: Env = {
      navigator: {
        mediaDevices: {
          getUserMedia: async () => {
            throw Object.assign(new Error("no"), { name: "NotAllowedError" });
          },
        },
      },
    };
    expect(await requestPermission("camera", refused)).toBe("denied");
  });
});

describe("getPosition", () => {
  it("rejects with why no position came", async () => {
    await expect(getPosition(1000, { navigator: { geolocation: geo(1) } })).rejects.toBe("denied");
    await expect(getPosition(1000, { navigator: { geolocation: geo(3) } })).rejects.toBe("timeout");
    await expect(getPosition(1000, { navigator: {} })).rejects.toBe("unavailable");
  });
});

describe("browserFamily", () => {
  it("tells whose settings to describe", () => {
    const iphone =
      "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1";
    expect(browserFamily(iphone)).toBe("ios");
    expect(
      browserFamily("Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/130 Mobile Safari/537.36"),
    ).toBe("android");
    expect(browserFamily("Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0")).toBe(
      "firefox",
    );
    expect(browserFamily("Mozilla/5.0 (Windows NT 10.0) AppleWebKit/537.36 Chrome/130 Safari/537.36")).toBe(
      "chromium",
    );
    expect(browserFamily("Mozilla/5.0 (Macintosh) AppleWebKit/605.1.15 Version/17.4 Safari/605.1.15")).toBe(
      "safari",
    );
    expect(needsHomeScreen(iphone, false)).toBe(true);
    expect(needsHomeScreen(iphone, true)).toBe(false);
  });
});
