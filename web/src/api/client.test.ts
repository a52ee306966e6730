import { describe, expect, it } from "vitest";
import { ApiError, csrf, csrfToken, must } from "./client";

describe("csrf", () => {
  it("reads the atrium_csrf cookie", () => {
    expect(csrfToken("a=1; atrium_csrf=tok%3Dx; b=2")).toBe("tok=x");
    expect(csrfToken("a=1")).toBe("");
  });

  it("adds X-CSRF-Token to unsafe requests only", async () => {
    document.cookie = "atrium_csrf=abc";
    const run = async (method: string) => {
      const request = new Request("http://localhost/api/v1/x", { method });
      // biome-ignore lint/suspicious/noExplicitAny: the middleware's other arguments are unused
      const out = (await csrf.onRequest?.({ request } as any)) as Request;
      return out.headers.get("X-CSRF-Token");
    };
    expect(await run("POST")).toBe("abc");
    expect(await run("DELETE")).toBe("abc");
    expect(await run("GET")).toBeNull();
  });
});

describe("must", () => {
  it("returns data on success and throws the server's error code otherwise", async () => {
    const ok = await must(Promise.resolve({ data: { a: 1 }, response: new Response(null, { status: 200 }) }));
    expect(ok).toEqual({ a: 1 });
    const err = (await must(
      Promise.resolve({
        error: { error: { code: "invalid_code", message: "wrong code" } },
        response: new Response(null, { status: 400 }),
      }),
    ).catch((e: unknown) => e)) as ApiError;
    expect(err).toBeInstanceOf(ApiError);
    expect(err.code).toBe("invalid_code");
    expect(err.status).toBe(400);
  });
});
