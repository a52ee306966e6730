import { describe, expect, it } from "vitest";
import { bytesToUrlBase64, deviceName, sameKey, urlBase64ToBytes } from "./push";

describe("push helpers", () => {
  it("decodes and encodes base64url keys", () => {
    const key = new Uint8Array(65).map((_, i) => (i * 37) % 256);
    key[0] = 4;
    const s = bytesToUrlBase64(key);
    expect(s).not.toMatch(/[+/=]/);
    expect(Array.from(urlBase64ToBytes(s))).toEqual(Array.from(key));
    expect(sameKey(key.buffer, urlBase64ToBytes(s))).toBe(true);
    expect(sameKey(new Uint8Array(65).buffer, key)).toBe(false);
    expect(sameKey(null, key)).toBe(false);
  });

  it("names the device by browser and system", () => {
    expect(
      deviceName(
        "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/130.0 Mobile Safari/537.36",
      ),
    ).toBe("Chrome on Android");
    expect(
      deviceName(
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 Version/17.4 Mobile/15E148 Safari/604.1",
      ),
    ).toBe("Safari on iPhone");
    expect(
      deviceName(
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/130 Safari/537.36 Edg/130",
      ),
    ).toBe("Edge on Windows");
    expect(deviceName("Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0")).toBe(
      "Firefox on Linux",
    );
    expect(deviceName("curl/8")).toBe("Browser");
  });
});
