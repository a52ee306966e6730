// A passworded drive link: Ada makes one to a file, opens the link page,
// gives the password, and the file downloads through a plain link (the
// server's short-lived grant, no copy in the page's memory); ranges work
// with the grant; the link's access log in the share dialog reads what
// happened.
import { readFileSync } from "node:fs";
import type { BrowserContext, Page } from "@playwright/test";
import { call, ok } from "../lib/api";
import { expect, pageErrors, test, watch } from "../lib/fixtures";
import { owner } from "../lib/people";
import { signIn } from "../lib/steps";

const run = Date.now().toString(36);
const fileName = `handout21-${run}.txt`;
const text = "Room plan for the launch: hall B, 40 seats, two screens.";
const password = "link-password-21";

test.describe
  .serial("drive link", () => {
    let ctx: BrowserContext;
    let p: Page;
    let token = "";

    test.beforeAll(async ({ browser }) => {
      ctx = await browser.newContext({
        locale: "en-US",
        timezoneId: "UTC",
        viewport: { width: 1280, height: 800 },
      });
      p = watch(await ctx.newPage());
      await signIn(p, owner);
      const me = await ok(await call(p, "GET", "/api/v1/drive/spaces/me"));
      const csrf = decodeURIComponent(
        (await ctx.cookies()).find((c) => c.name === "atrium_csrf")?.value ?? "",
      );
      const f = await ok(
        await p.request.fetch(`/api/v1/drive/items/${me.root_id}/files?name=${fileName}`, {
          method: "POST",
          data: Buffer.from(text),
          headers: { "Content-Type": "text/plain", "X-CSRF-Token": csrf },
        }),
      );
      const l = await ok(
        await call(p, "POST", `/api/v1/drive/items/${f.id}/links`, { permission: "download", password }),
      );
      token = l.token;
    });
    test.afterEach(() => {
      expect(pageErrors(p), "console").toEqual([]);
    });
    test.afterAll(async () => {
      await ctx?.close();
    });

    test("the password unlocks a plain download with ranges", async () => {
      await p.goto(`/s/${token}`);
      await p.getByLabel("Password").fill(password);
      await p.getByRole("button", { name: "Open" }).click();
      const anchor = p.getByTestId("drive-public-download");
      await expect(anchor).toHaveAttribute("data-granted", "true");
      await expect(anchor).toHaveAttribute("href", /\/api\/v1\/drive\/public\/.+\/content/);
      const grant = (await ctx.cookies()).find((c) => c.name === "atrium_link_grant");
      expect(grant?.httpOnly).toBe(true);
      expect(grant?.sameSite).toBe("Strict");
      expect(grant?.path).toBe(`/api/v1/drive/public/${token}`);
      const [dl] = await Promise.all([p.waitForEvent("download"), anchor.click()]);
      expect(dl.suggestedFilename()).toBe(fileName);
      expect(readFileSync((await dl.path()) ?? "", "utf8")).toBe(text);
      // The grant alone serves ranges, no password header.
      const r = await p.request.get(`/api/v1/drive/public/${token}/content`, {
        headers: { Range: "bytes=0-3" },
      });
      expect(r.status()).toBe(206);
      expect(await r.text()).toBe("Room");
    });

    test("the share dialog reads the link's access log", async () => {
      await p.goto("/drive");
      const row = p.locator(`[data-testid=drive-item][data-name="${fileName}"]`);
      await row.getByRole("checkbox").check();
      await p.getByRole("toolbar", { name: "Selected items" }).getByRole("button", { name: "Share" }).click();
      const dialog = p.getByTestId("drive-share");
      await dialog.getByTestId("drive-link-entry").getByRole("button", { name: "Access log" }).click();
      const entries = dialog.getByTestId("drive-access-entry");
      await expect(entries.filter({ hasText: "Gave the password" }).first()).toContainText("OK");
      await expect(entries.filter({ hasText: "Downloaded" }).first()).toContainText("Signed in");
      await expect(entries.first()).toContainText(/Network /);
    });
  });
