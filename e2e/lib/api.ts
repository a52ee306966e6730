// Helpers the specs share: API calls as the person signed in on a page,
// joining with an invitation link, and the phone-width check.
import type { APIResponse, Page } from "@playwright/test";
import { expect, lastCode, logLines } from "./fixtures";

/** call sends an API request as the person signed in on page, with the CSRF header. */
export async function call(page: Page, method: string, path: string, data?: unknown): Promise<APIResponse> {
  const cookies = await page.context().cookies();
  const csrf = cookies.find((c) => c.name === "atrium_csrf")?.value ?? "";
  return page.request.fetch(path, { method, data, headers: { "X-CSRF-Token": decodeURIComponent(csrf) } });
}

/** ok expects a successful answer and returns its JSON body. */
export async function ok(r: APIResponse) {
  expect(r.ok(), await r.text()).toBeTruthy();
  return r.json();
}

/** join registers a person and has them join the organization with an invitation link's token. */
export async function join(p: Page, who: { name: string; email: string; password: string }, token: string) {
  const from = logLines();
  let r = await p.request.post("/api/v1/auth/register", { data: who });
  expect(r.status()).toBe(202);
  r = await p.request.post("/api/v1/auth/verify", {
    data: { email: who.email, code: await lastCode(who.email, from), password: who.password },
  });
  expect(r.ok()).toBeTruthy();
  await ok(await call(p, "POST", "/api/v1/join", { token }));
}

/** noSideScroll fails when the page, or its main region, scrolls sideways (at phone width). */
export async function noSideScroll(p: Page, what: string) {
  const over = await p.evaluate(() => {
    const main = document.getElementById("main");
    return Math.max(
      document.documentElement.scrollWidth - window.innerWidth,
      main ? main.scrollWidth - main.clientWidth : 0,
    );
  });
  expect(over, `${what} scrolls sideways at 375 px`).toBeLessThanOrEqual(0);
}
