// The drive's file work, end to end in the browser: Rosa drops files and a
// folder onto her drive, renames, moves, selects with the keyboard, trashes,
// restores and deletes for good; a large upload cut in the middle resumes
// where it stopped; a file uploaded again under its name becomes a new
// version, and an older one is restored and downloaded; a link with a
// password and an expiry opens in a browser that is not signed in; a file
// sent to a chat reaches its members as a card; the list answers the
// arrow keys and Enter, and the drive works on a phone.
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join as joinPath } from "node:path";
import type { BrowserContext, Download, Page } from "@playwright/test";
import { call, join, noSideScroll, ok } from "../lib/api";
import { expect, pageErrors, shot, test, watch } from "../lib/fixtures";
import { owner } from "../lib/people";
import { signIn } from "../lib/steps";

type Person = { ctx: BrowserContext; page: Page };

const run = Date.now().toString(36);
const rosa = {
  name: `Rosa Drive23 ${run}`,
  email: `rosa.drive23.${run}@example.test`,
  password: "drive-twenty-three-2026",
};
const box = `Box23-${run}`;
const big = `big23-${run}.bin`;
const notes = `notes23-${run}.txt`;
const firstWords = "First words of the notes.";
const secondWords = "Second words, a longer version of the notes.";
const linkPassword = "open-sesame-23";
const phone = { width: 375, height: 812 };

const item = (p: Page, name: string) => p.locator(`[data-testid=drive-item][data-name="${name}"]`);
const opener = (p: Page, name: string) => item(p, name).getByRole("button", { name, exact: true });

/** content reads a finished download. */
async function content(d: Download): Promise<string> {
  return readFileSync((await d.path()) ?? "", "utf8");
}

/** download clicks what starts a download and answers the file's text. */
async function download(p: Page, click: () => Promise<unknown>): Promise<string> {
  const [d] = await Promise.all([p.waitForEvent("download"), click()]);
  return content(d);
}

/** uploadsDone waits until the upload list says every file arrived. */
async function uploadsDone(p: Page) {
  await expect(p.getByTestId("drive-uploads").getByText("Uploads finished")).toBeVisible({ timeout: 30_000 });
}

test.describe
  .serial("drive files", () => {
    let a: Person;
    let r: Person;
    let convId = "";
    let linkSharing = "inside";

    test.beforeAll(async ({ browser }) => {
      const actx = await browser.newContext({ locale: "en-US", timezoneId: "UTC" });
      a = { ctx: actx, page: watch(await actx.newPage()) };
      const rctx = await browser.newContext({ locale: "en-US", timezoneId: "UTC" });
      r = { ctx: rctx, page: watch(await rctx.newPage()) };
      await signIn(a.page, owner);
      // Links may leave the organization for this story; set back after it.
      linkSharing = (await ok(await call(a.page, "GET", "/api/v1/drive/settings"))).link_sharing;
      await ok(await call(a.page, "PATCH", "/api/v1/drive/settings", { link_sharing: "public" }));
      const link = await ok(await call(a.page, "POST", "/api/v1/invitations", { kind: "link" }));
      await join(r.page, rosa, new URL(link.link).searchParams.get("token") ?? "");
      const rid = (await ok(await call(r.page, "GET", "/api/v1/me"))).id;
      convId = (
        await ok(await call(a.page, "POST", "/api/v1/conversations", { kind: "direct", member_ids: [rid] }))
      ).id;
    });
    test.afterEach(() => {
      for (const p of [a, r]) expect(pageErrors(p.page), "console").toEqual([]);
    });
    test.afterAll(async () => {
      if (a) await call(a.page, "PATCH", "/api/v1/drive/settings", { link_sharing: linkSharing });
      await a?.ctx.close();
      await r?.ctx.close();
    });

    test("files and a folder dropped on the drive are uploaded with their progress", async () => {
      const p = r.page;
      const dir = mkdtempSync(joinPath(tmpdir(), "drive23-"));
      const folder = joinPath(dir, box);
      mkdirSync(joinPath(folder, "sub"), { recursive: true });
      mkdirSync(joinPath(folder, "empty"), { recursive: true });
      writeFileSync(joinPath(folder, "inner.txt"), "Inside the box.");
      writeFileSync(joinPath(folder, "sub", "deep.txt"), "Deep in the box.");
      const files = ["alpha.txt", "beta.txt", "gamma.txt", "delta.txt"].map((n) => {
        writeFileSync(joinPath(dir, n), `This is ${n}.`);
        return joinPath(dir, n);
      });
      await p.goto("/drive");
      await expect(p.getByText("This folder is empty. Drop files or folders here")).toBeVisible();
      // A real drag from the desktop: Chromium gets the paths as a drop of
      // files and a folder (DataTransferItem.webkitGetAsEntry walks it).
      const zone = await p.getByTestId("drive-drop").boundingBox();
      if (!zone) throw new Error("no drop zone");
      const at = { x: zone.x + zone.width / 2, y: zone.y + zone.height / 2 };
      const data = { items: [], files: [folder, ...files], dragOperationsMask: 1 };
      const cdp = await p.context().newCDPSession(p);
      await cdp.send("Input.dispatchDragEvent", { type: "dragEnter", ...at, data });
      await cdp.send("Input.dispatchDragEvent", { type: "dragOver", ...at, data });
      await expect(p.getByText("Drop files or folders to upload them here")).toBeVisible();
      await cdp.send("Input.dispatchDragEvent", { type: "drop", ...at, data });
      await cdp.detach();
      await uploadsDone(p);
      // Each file had its line with a progress bar, full now.
      const lines = p.getByTestId("drive-uploads").locator("li");
      await expect(lines).toHaveCount(6);
      await expect(lines.filter({ hasText: `${box}/sub/deep.txt` })).toContainText("Done");
      for (const bar of await lines.locator("progress").all()) {
        expect(await bar.evaluate((e: HTMLProgressElement) => e.value === e.max)).toBe(true);
      }
      for (const n of [box, "alpha.txt", "beta.txt", "gamma.txt", "delta.txt"])
        await expect(item(p, n)).toBeVisible();
      await shot(p, "drive-browser");
      await opener(p, box).click();
      for (const n of ["sub", "empty", "inner.txt"]) await expect(item(p, n)).toBeVisible();
      await opener(p, "sub").click();
      await expect(item(p, "deep.txt")).toBeVisible();
      await expect(p.getByRole("navigation", { name: "Folder path" })).toContainText(`${box} / sub`);
    });

    test("rename, move, select with the keyboard, trash, restore and delete for good", async () => {
      const p = r.page;
      await p.goto("/drive");
      // F2 renames the focused file.
      await opener(p, "alpha.txt").focus();
      await p.keyboard.press("F2");
      const name = p.getByRole("dialog", { name: "Rename" }).getByLabel("Name");
      await expect(name).toHaveValue("alpha.txt");
      await name.fill("alpha-renamed.txt");
      await p.keyboard.press("Enter");
      await expect(item(p, "alpha-renamed.txt")).toBeVisible();
      await expect(item(p, "alpha.txt")).toHaveCount(0);

      // Move beta.txt into the folder.
      await item(p, "beta.txt").getByRole("checkbox").check();
      await p
        .getByRole("toolbar", { name: "Selected items" })
        .getByRole("button", { name: "Move", exact: true })
        .click();
      const picker = p.getByTestId("drive-folder-picker");
      await picker.getByRole("button", { name: box }).click();
      await expect(picker.getByRole("navigation", { name: "Folder path" })).toContainText(box);
      await picker.getByRole("button", { name: "Move", exact: true }).click();
      await expect(picker).toHaveCount(0);
      await expect(item(p, "beta.txt")).toHaveCount(0);

      // Space selects, Shift+Down extends, Ctrl+click adds, Delete trashes.
      await opener(p, "alpha-renamed.txt").focus();
      await p.keyboard.press(" ");
      await expect(p.getByText("1 selected")).toBeVisible();
      await p.keyboard.press("Shift+ArrowDown");
      await expect(p.getByText("2 selected")).toBeVisible();
      await expect(item(p, "delta.txt")).toHaveAttribute("data-selected", "true");
      await opener(p, "gamma.txt").click({ modifiers: ["ControlOrMeta"] });
      await expect(p.getByText("3 selected")).toBeVisible();
      await expect(p.getByTestId("drive-preview")).toHaveCount(0);
      await p.keyboard.press("Delete");
      const confirm = p.getByRole("dialog", { name: "Move to trash" });
      await expect(confirm).toContainText("Move 3 items to the trash?");
      await confirm.getByRole("button", { name: "Move to trash" }).click();
      for (const n of ["alpha-renamed.txt", "delta.txt", "gamma.txt"])
        await expect(item(p, n)).toHaveCount(0);

      // The trash: restore one, delete one for good.
      await p.getByRole("navigation", { name: "Spaces" }).getByRole("link", { name: "Trash" }).click();
      await expect(p.getByRole("heading", { name: "Trash", level: 1 })).toBeVisible();
      const trashed = (n: string) => p.getByTestId("drive-trash-item").filter({ hasText: n });
      for (const n of ["alpha-renamed.txt", "delta.txt", "gamma.txt"]) await expect(trashed(n)).toBeVisible();
      await trashed("delta.txt").getByRole("button", { name: "Restore" }).click();
      await expect(trashed("delta.txt")).toHaveCount(0);
      await trashed("gamma.txt").getByRole("button", { name: "Delete forever" }).click();
      const forever = p.getByRole("dialog", { name: "Delete forever" });
      await expect(forever).toContainText("gamma.txt");
      await forever.getByRole("button", { name: "Delete forever" }).click();
      await expect(trashed("gamma.txt")).toHaveCount(0);
      await expect(trashed("alpha-renamed.txt")).toBeVisible();
      await p.getByRole("link", { name: "← Drive" }).click();
      await expect(item(p, "delta.txt")).toBeVisible();
      await expect(item(p, "gamma.txt")).toHaveCount(0);
      await opener(p, box).click();
      await expect(item(p, "beta.txt")).toBeVisible();
    });

    test("a large upload cut in the middle resumes where it stopped", async () => {
      test.setTimeout(120_000);
      const p = r.page;
      // 9 MiB: a chunk of 8 MiB, then one of 1 MiB, which is cut.
      const body = Buffer.alloc(9 << 20);
      for (let i = 0; i < body.length; i++) body[i] = (i * 31 + (i >> 13)) & 255;
      const sum = createHash("sha256").update(body).digest("hex");
      let chunks = 0;
      let cut = false;
      await p.route("**/api/v1/drive/uploads/*", async (route) => {
        if (route.request().method() === "PATCH" && ++chunks === 2 && !cut) {
          cut = true;
          return route.abort("connectionreset");
        }
        return route.continue();
      });
      await p.goto("/drive");
      // From a file on disk: the browser reads it itself.
      const file = joinPath(mkdtempSync(joinPath(tmpdir(), "drive23-")), big);
      writeFileSync(file, body);
      await p.getByTestId("drive-file-input").setInputFiles(file);
      const line = p.getByTestId("drive-uploads").locator("li").filter({ hasText: big });
      await expect(line).toHaveAttribute("data-status", "error", { timeout: 30_000 });
      const resume = line.getByRole("button", { name: "Resume" });
      await expect(resume).toBeVisible();
      // The cut chunk is a network error the browser logs; nothing else is.
      const errors = pageErrors(p);
      expect(errors.filter((e) => !/net::ERR_CONNECTION_RESET/.test(e))).toEqual([]);
      errors.length = 0;
      // The first chunk arrived: the bar stands between 8 MiB and the end.
      const sent = await line.locator("progress").evaluate((e: HTMLProgressElement) => e.value);
      expect(sent).toBeGreaterThanOrEqual(8 << 20);
      expect(sent).toBeLessThan(body.length);
      await resume.click();
      await uploadsDone(p);
      await p.unroute("**/api/v1/drive/uploads/*");
      // The first chunk was not sent again: the upload went on from the cut.
      expect(chunks).toBe(3);
      await expect(item(p, big)).toContainText("9.0 MB");
      const me = await ok(await call(p, "GET", "/api/v1/drive/spaces/me"));
      const kids = await ok(await call(p, "GET", `/api/v1/drive/items/${me.root_id}/children`));
      const got = kids.items.find((x: { name: string }) => x.name === big);
      expect(got.size).toBe(body.length);
      expect(got.sha256).toBe(sum);
    });

    test("a file uploaded again under its name is a new version; an older one is restored", async () => {
      const p = r.page;
      await p.goto("/drive");
      const input = p.getByTestId("drive-file-input");
      await input.setInputFiles({ name: notes, mimeType: "text/plain", buffer: Buffer.from(firstWords) });
      await uploadsDone(p);
      await expect(item(p, notes)).toBeVisible();
      // The same name again: the upload asks, Replace makes it a new version.
      await input.setInputFiles({ name: notes, mimeType: "text/plain", buffer: Buffer.from(secondWords) });
      const line = p
        .getByTestId("drive-uploads")
        .locator('li[data-status="error"]')
        .filter({ hasText: notes });
      await expect(line).toContainText("An item with that name is already in the folder.");
      await line.getByRole("button", { name: "Replace" }).click();
      await uploadsDone(p);
      await expect(item(p, notes)).toHaveCount(1);

      await opener(p, notes).click();
      const pane = p.getByTestId("drive-preview");
      await expect(pane.getByTestId("drive-text")).toHaveText(secondWords);
      const versions = pane.getByTestId("drive-version");
      await expect(versions).toHaveCount(2);
      const v1 = versions.filter({ hasText: "Version 1" });
      await expect(versions.filter({ hasText: "Version 2" })).toContainText("current");
      // Each version downloads its own bytes.
      expect(await download(p, () => v1.getByRole("link", { name: "Download" }).click())).toBe(firstWords);
      await v1.getByRole("button", { name: "Restore" }).click();
      await expect(versions).toHaveCount(3);
      await expect(versions.filter({ hasText: "Version 3" })).toContainText("current");
      await expect(pane.getByTestId("drive-text")).toHaveText(firstWords);
      expect(await download(p, () => pane.getByRole("link", { name: "Download" }).last().click())).toBe(
        firstWords,
      );
      await shot(p, "drive-versions");
    });

    test("a link with a password and an expiry opens in a browser that is not signed in", async ({
      browser,
    }) => {
      const p = r.page;
      await p.goto("/drive");
      await item(p, notes).getByRole("checkbox").check();
      await p.getByRole("toolbar", { name: "Selected items" }).getByRole("button", { name: "Share" }).click();
      const dialog = p.getByTestId("drive-share");
      await dialog.getByLabel("People with the link can").selectOption("download");
      const until = new Date(Date.now() + 10 * 86400_000).toISOString().slice(0, 10);
      await dialog.getByLabel("Expires on (optional)").fill(until);
      await dialog.getByLabel("Password").fill(linkPassword);
      await dialog.getByRole("button", { name: "Create link" }).click();
      const address = dialog.getByLabel("Link address");
      await expect(address).toHaveValue(/\/s\/[\w-]+$/);
      const url = await address.inputValue();
      const entry = dialog.getByTestId("drive-link-entry");
      await expect(entry).toContainText("password");
      await expect(entry).toContainText("expires");
      await address.scrollIntoViewIfNeeded();
      await shot(p, "drive-share-link");
      await p.keyboard.press("Escape");

      // Someone without an account opens it.
      const ctx = await browser.newContext({ locale: "en-US", timezoneId: "UTC" });
      const g = watch(await ctx.newPage());
      try {
        await g.goto(url);
        await expect(g.getByText("This link is protected by a password.")).toBeVisible();
        await g.getByLabel("Password").fill("not-the-password");
        await g.getByRole("button", { name: "Open" }).click();
        await expect(g.getByRole("alert")).toContainText("The password is not right.");
        await g.getByLabel("Password").fill(linkPassword);
        await g.getByRole("button", { name: "Open" }).click();
        const row = g.getByTestId("drive-public-item");
        await expect(row).toContainText(notes);
        await expect(g.getByText(/expires/)).toBeVisible();
        await shot(g, "drive-public-link");
        expect(await download(g, () => row.getByRole("link", { name: "Download" }).click())).toBe(firstWords);
        expect(pageErrors(g)).toEqual([]);
      } finally {
        await ctx.close();
      }
    });

    test("a file sent to a chat reaches its members as a card", async () => {
      const p = r.page;
      await p.goto("/drive");
      await item(p, notes).getByRole("checkbox").check();
      await p
        .getByRole("toolbar", { name: "Selected items" })
        .getByRole("button", { name: "Send to chat" })
        .click();
      const send = p.getByTestId("drive-send");
      await send.getByRole("searchbox").fill(owner.name);
      await send.getByRole("button", { name: owner.name }).click();
      await expect(send.getByText("Sent.")).toBeVisible();
      await send.getByRole("button", { name: "Close" }).click();

      // Ada finds it in their conversation and opens it.
      const q = a.page;
      await q.goto(`/chat/${convId}`);
      const card = q.locator("a.msg-card").filter({ hasText: notes });
      await expect(card).toBeVisible();
      await expect(card).toHaveAttribute("href", /\/s\/[\w-]+$/);
      const [tab] = await Promise.all([q.context().waitForEvent("page"), card.click()]);
      watch(tab);
      const row = tab.getByTestId("drive-public-item");
      await expect(row).toContainText(notes);
      expect(await download(tab, () => row.getByRole("link", { name: "Download" }).click())).toBe(firstWords);
      expect(pageErrors(tab)).toEqual([]);
      await tab.close();
    });

    test("the arrow keys move through the list and Enter opens", async () => {
      const p = r.page;
      await p.goto("/drive");
      // Folders first, then files by name.
      const names = [box, big, "delta.txt", notes];
      await expect(p.getByTestId("drive-item")).toHaveCount(names.length);
      expect(await p.getByTestId("drive-item").evaluateAll((es) => es.map((e) => e.dataset.name))).toEqual(
        names,
      );
      await opener(p, box).focus();
      await p.keyboard.press("ArrowDown");
      await expect(opener(p, big)).toBeFocused();
      await p.keyboard.press("ArrowDown");
      await expect(opener(p, "delta.txt")).toBeFocused();
      await p.keyboard.press("ArrowUp");
      await expect(opener(p, big)).toBeFocused();
      await p.keyboard.press("End");
      await expect(opener(p, notes)).toBeFocused();
      // Enter on a file previews it.
      await p.keyboard.press("Enter");
      await expect(p.getByTestId("drive-preview").getByTestId("drive-text")).toHaveText(firstWords);
      await p.getByTestId("drive-preview").getByRole("button", { name: "Close" }).click();
      // Home goes to the first item; Enter opens a folder.
      await opener(p, notes).focus();
      await p.keyboard.press("Home");
      await expect(opener(p, box)).toBeFocused();
      await p.keyboard.press("Enter");
      await expect(p.getByRole("navigation", { name: "Folder path" })).toContainText(box);
      await expect(item(p, "inner.txt")).toBeVisible();
      // In the grid, left and right move too.
      await p.getByRole("button", { name: "Grid view" }).click();
      await opener(p, "empty").focus();
      await p.keyboard.press("ArrowRight");
      await expect(opener(p, "sub")).toBeFocused();
      await p.keyboard.press("ArrowLeft");
      await expect(opener(p, "empty")).toBeFocused();
      await p.getByRole("button", { name: "List view" }).click();
    });

    test("on a phone: browse into a folder and preview a file", async ({ browser }) => {
      const ctx = await browser.newContext({
        locale: "en-US",
        timezoneId: "UTC",
        viewport: phone,
        hasTouch: true,
      });
      const p = watch(await ctx.newPage());
      try {
        await signIn(p, rosa);
        await p.goto("/drive");
        await expect(item(p, box)).toBeVisible();
        await noSideScroll(p, "the drive");
        await opener(p, box).tap();
        await expect(p.getByRole("navigation", { name: "Folder path" })).toContainText(box);
        await expect(item(p, "beta.txt")).toBeVisible();
        await noSideScroll(p, "a folder");
        await shot(p, "drive-phone");
        await opener(p, "inner.txt").tap();
        const sheet = p.getByTestId("drive-preview");
        await expect(sheet.getByTestId("drive-text")).toHaveText("Inside the box.");
        const b = await sheet.boundingBox();
        expect(b?.width).toBe(phone.width);
        await noSideScroll(p, "the preview");
        await sheet.getByRole("button", { name: "Close" }).click();
        await expect(sheet).toHaveCount(0);
        // Back up through the path.
        await p
          .getByRole("navigation", { name: "Folder path" })
          .getByRole("link", { name: "My files" })
          .tap();
        await expect(item(p, notes)).toBeVisible();
        expect(pageErrors(p)).toEqual([]);
      } finally {
        await ctx.close();
      }
    });
  });
