// Shared helpers for the e2e specs: a page that fails the test on any
// console error or uncaught exception, TOTP codes, codes from the server's
// log (emails are written there when no SMTP server is configured), and
// screenshots for the docs.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Browser, type BrowserContext, test as base, expect, type Page } from "@playwright/test";
import { TOTP } from "otpauth";

export { expect };

const here = dirname(fileURLToPath(import.meta.url));
// Screenshots go to e2e/test-results/screenshots, so that a test run never
// touches committed files; `make screenshots` sets ATRIUM_SCREENSHOTS=docs to
// refresh the ones in docs/screenshots.
export const SCREENSHOTS =
  process.env.ATRIUM_SCREENSHOTS === "docs"
    ? join(here, "..", "..", "docs", "screenshots")
    : join(here, "..", "test-results", "screenshots");

// Chromium reports every 4xx response as a console error ("Failed to load
// resource"); a wrong password or a signed-out check is an expected answer,
// not an error of the app. Server errors (5xx) still fail the test.
const EXPECTED = /Failed to load resource: the server responded with a status of 4\d\d/;

/** watch fails the current test when page logs a console error or throws. */
export function watch(page: Page): Page {
  const errors: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error" && !EXPECTED.test(m.text())) errors.push(`console.error: ${m.text()}`);
  });
  page.on("pageerror", (e) => errors.push(`page error: ${e.message}`));
  (page as Page & { __errors?: string[] }).__errors = errors;
  return page;
}

export function pageErrors(page: Page): string[] {
  return (page as Page & { __errors?: string[] }).__errors ?? [];
}

/** newPerson opens a separate browser context (another person) with a watched page. */
export async function newPerson(
  browser: Browser,
  lang = "en-US",
): Promise<{ ctx: BrowserContext; page: Page }> {
  const ctx = await browser.newContext({
    locale: lang,
    timezoneId: "UTC",
    viewport: { width: 1280, height: 800 },
  });
  const page = watch(await ctx.newPage());
  return { ctx, page };
}

export const test = base.extend<{ page: Page }>({
  page: async ({ page }, use) => {
    watch(page);
    await use(page);
    expect(pageErrors(page), "console errors or page errors").toEqual([]);
  },
});

/** totp returns the current 6-digit code for a base32 secret. */
export function totp(secret: string): string {
  return new TOTP({ secret, digits: 6, period: 30, algorithm: "SHA1" }).generate();
}

/** serverLog returns what the server under test has logged so far. */
export function serverLog(): string {
  const p = process.env.ATRIUM_E2E_LOG;
  return p ? readFileSync(p, "utf8") : "";
}

/**
 * lastCode returns the last 6-digit code the server mailed to `to` (emails
 * go to the log when no SMTP server is configured), waiting for it to appear.
 */
export async function lastCode(to: string, after = 0): Promise<string> {
  for (let i = 0; i < 50; i++) {
    const log = serverLog();
    const lines = log
      .split("\n")
      .slice(after)
      .filter((l) => l.includes(to));
    for (let j = lines.length - 1; j >= 0; j--) {
      const m = lines[j].match(/\b(\d{6})\b/);
      if (m) return m[1];
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no code mailed to ${to} in the server log`);
}

/** logLines is the number of lines logged so far (to look only at later ones). */
export function logLines(): number {
  return serverLog().split("\n").length - 1;
}

/** shot saves a screenshot of page (SCREENSHOTS/name.png: docs/screenshots with `make screenshots`). */
export async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: false, animations: "disabled" });
}

/** setupURL is the one-time setup link the server printed at first start. */
export function setupURL(): string {
  const u = process.env.ATRIUM_E2E_SETUP_URL;
  if (!u) throw new Error("ATRIUM_E2E_SETUP_URL is not set: the server printed no setup link");
  return u;
}
