// End-to-end tests of the web app against the real binary. scripts/test-web.sh
// builds everything, starts `atrium serve` on a fresh data directory and sets
// ATRIUM_E2E_URL (and the setup link, and the server's log file) for these
// specs. The browser is Debian's Chromium; none is ever downloaded.
import { defineConfig } from "@playwright/test";

const baseURL = process.env.ATRIUM_E2E_URL ?? "http://127.0.0.1:8080";

export default defineConfig({
  testDir: "specs",
  // The specs tell one story on one server (setup happens once), so they
  // run in order, one at a time.
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  forbidOnly: !!process.env.CI,
  reporter: [["list"], ["json", { outputFile: process.env.ATRIUM_E2E_REPORT ?? "test-results/report.json" }]],
  outputDir: "test-results",
  use: {
    baseURL,
    browserName: "chromium",
    headless: true,
    locale: "en-US",
    timezoneId: "UTC",
    viewport: { width: 1280, height: 800 },
    trace: "off",
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath: process.env.ATRIUM_CHROMIUM ?? "/usr/bin/chromium",
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
      ],
    },
  },
});
