// Drive previews: Ada uploads a picture, a PDF and a text file; the grid
// shows the thumbnails the server makes in the background, the preview
// pane the large one, the PDF opens in the browser's own viewer and the
// text shows as text; on a phone (375 px) too.
import { execSync } from "node:child_process";
import type { BrowserContext, Locator, Page } from "@playwright/test";
import { noSideScroll } from "../lib/api";
import { expect, pageErrors, test, watch } from "../lib/fixtures";
import { tinyPDF } from "../lib/pdf";
import { owner } from "../lib/people";
import { gradientPNG } from "../lib/png";
import { signIn } from "../lib/steps";

const run = Date.now().toString(36);
const picName = `sunrise22-${run}.png`;
const pdfName = `minutes22-${run}.pdf`;
const txtName = `readme22-${run}.txt`;
const text = "Previews: pictures, PDFs and plain text.";
const phone = { width: 375, height: 812 };

// PDF thumbnails need poppler's pdftoppm beside the server (scripts/test.sh
// installs it); without it, outside CI, the PDF checks are skipped.
const pdftoppm = (() => {
  try {
    execSync("command -v pdftoppm", { stdio: "ignore", shell: "/bin/sh" });
    return true;
  } catch {
    return false;
  }
})();
const checkPDF = pdftoppm || process.env.CI === "true";

/** loadedWidth is the natural width of a thumbnail once it has loaded (0 before). */
async function loadedWidth(thumb: Locator): Promise<number> {
  if ((await thumb.count()) === 0) return 0;
  return thumb.first().evaluate((img: HTMLImageElement) => (img.complete ? img.naturalWidth : 0));
}

test.describe
  .serial("drive previews", () => {
    let ctx: BrowserContext;
    let p: Page;

    test.beforeAll(async ({ browser }) => {
      ctx = await browser.newContext({
        locale: "en-US",
        timezoneId: "UTC",
        viewport: { width: 1280, height: 800 },
      });
      p = watch(await ctx.newPage());
      await signIn(p, owner);
    });
    test.afterEach(() => {
      expect(pageErrors(p), "console").toEqual([]);
    });
    test.afterAll(async () => {
      await ctx?.close();
    });

    test("the grid shows the thumbnails of a picture and a PDF", async () => {
      await p.goto("/drive");
      await p.getByTestId("drive-file-input").setInputFiles([
        { name: picName, mimeType: "image/png", buffer: gradientPNG(1600, 900) },
        { name: pdfName, mimeType: "application/pdf", buffer: tinyPDF("Minutes", 1) },
        { name: txtName, mimeType: "text/plain", buffer: Buffer.from(text) },
      ]);
      await expect(p.getByTestId("drive-uploads").getByText("Uploads finished")).toBeVisible();
      await p.getByRole("button", { name: "Grid view" }).click();
      const pic = p.locator(`[data-testid=drive-item][data-name="${picName}"]`);
      await pic.scrollIntoViewIfNeeded();
      await expect.poll(() => loadedWidth(pic.getByTestId("drive-thumb")), { timeout: 20_000 }).toBe(256);
      if (checkPDF) {
        const pdf = p.locator(`[data-testid=drive-item][data-name="${pdfName}"]`);
        await pdf.scrollIntoViewIfNeeded();
        // A portrait page: 256 pixels high.
        await expect
          .poll(() => loadedWidth(pdf.getByTestId("drive-thumb")), { timeout: 20_000 })
          .toBeGreaterThan(100);
      }
      // A text file keeps its icon.
      const txt = p.locator(`[data-testid=drive-item][data-name="${txtName}"]`);
      await expect(txt.locator(".drive-icon")).toBeVisible();
      await expect(txt.getByTestId("drive-thumb")).toHaveCount(0);
    });

    test("the preview pane shows the large picture, the PDF and the text", async () => {
      const sheet = p.getByTestId("drive-preview");
      await p
        .locator(`[data-testid=drive-item][data-name="${picName}"]`)
        .getByRole("button", { name: picName })
        .click();
      await expect.poll(() => loadedWidth(sheet.getByTestId("drive-thumb")), { timeout: 20_000 }).toBe(1024);
      await sheet.getByRole("button", { name: "Close" }).click();

      await p
        .locator(`[data-testid=drive-item][data-name="${pdfName}"]`)
        .getByRole("button", { name: pdfName })
        .click();
      const open = sheet.getByTestId("drive-open-pdf");
      await expect(open).toHaveAttribute("href", /inline=1/);
      const res = await p.request.get((await open.getAttribute("href")) ?? "");
      expect(res.status()).toBe(200);
      expect(res.headers()["content-type"]).toBe("application/pdf");
      expect(res.headers()["content-disposition"]).toMatch(/^inline/);
      if (checkPDF) {
        await expect
          .poll(() => loadedWidth(sheet.getByTestId("drive-thumb")), { timeout: 20_000 })
          .toBeGreaterThan(500);
      }
      await sheet.getByRole("button", { name: "Close" }).click();

      await p
        .locator(`[data-testid=drive-item][data-name="${txtName}"]`)
        .getByRole("button", { name: txtName })
        .click();
      await expect(sheet.getByTestId("drive-text")).toHaveText(text);
      await sheet.getByRole("button", { name: "Close" }).click();
    });

    test("on a phone the grid and the preview fit the screen", async ({ browser }) => {
      const pctx = await browser.newContext({
        locale: "en-US",
        timezoneId: "UTC",
        viewport: phone,
        hasTouch: true,
      });
      const m = watch(await pctx.newPage());
      try {
        await signIn(m, owner);
        await m.goto("/drive");
        await m.getByRole("button", { name: "Grid view" }).click();
        const pic = m.locator(`[data-testid=drive-item][data-name="${picName}"]`);
        await pic.scrollIntoViewIfNeeded();
        await expect.poll(() => loadedWidth(pic.getByTestId("drive-thumb")), { timeout: 20_000 }).toBe(256);
        await noSideScroll(m, "the drive's grid");
        await pic.getByRole("button", { name: picName }).click();
        const sheet = m.getByTestId("drive-preview");
        await expect
          .poll(() => loadedWidth(sheet.getByTestId("drive-thumb")), { timeout: 20_000 })
          .toBe(1024);
        expect((await sheet.boundingBox())?.width).toBe(phone.width);
        await noSideScroll(m, "the preview");
        expect(pageErrors(m), "console").toEqual([]);
      } finally {
        await pctx.close();
      }
    });
  });
