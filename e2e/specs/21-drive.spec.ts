// The drive: Ada uploads a folder (with a sub-folder) into her files and
// shares it with a department; a colleague of that department opens it on
// a phone (375 px), previews a file in a full-screen sheet, and saves a
// chat attachment Ada sent her to her own drive.
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join as joinPath } from "node:path";
import type { BrowserContext, Page } from "@playwright/test";
import { call, join, noSideScroll, ok } from "../lib/api";
import { expect, pageErrors, test, watch } from "../lib/fixtures";
import { owner } from "../lib/people";
import { signIn } from "../lib/steps";

type Person = { ctx: BrowserContext; page: Page };

const run = Date.now().toString(36);
const quinn = {
  name: `Quinn Drive21 ${run}`,
  email: `quinn.drive21.${run}@example.test`,
  password: "drive-twenty-one-2026",
};
const deptName = `Design 21 ${run}`;
const folderName = `Plans21-${run}`;
const noteText = "Launch checklist: print the posters, book the hall.";
const attachmentName = `brief21-${run}.txt`;
const phone = { width: 375, height: 812 };

test.describe
  .serial("drive", () => {
    let a: Person;
    let q: Person;
    let convId = "";

    test.beforeAll(async ({ browser }) => {
      const actx = await browser.newContext({
        locale: "en-US",
        timezoneId: "UTC",
        viewport: { width: 1280, height: 800 },
      });
      a = { ctx: actx, page: watch(await actx.newPage()) };
      const qctx = await browser.newContext({
        locale: "en-US",
        timezoneId: "UTC",
        viewport: phone,
        hasTouch: true,
      });
      q = { ctx: qctx, page: watch(await qctx.newPage()) };
      await signIn(a.page, owner);
      const dept = await ok(await call(a.page, "POST", "/api/v1/departments", { name: deptName }));
      const link = await ok(await call(a.page, "POST", "/api/v1/invitations", { kind: "link" }));
      await join(q.page, quinn, new URL(link.link).searchParams.get("token") ?? "");
      const qm = await ok(await call(q.page, "GET", "/api/v1/members/me"));
      await ok(await call(a.page, "PATCH", `/api/v1/members/${qm.id}`, { department_ids: [dept.id] }));
      const qid = (await ok(await call(q.page, "GET", "/api/v1/me"))).id;
      convId = (
        await ok(await call(a.page, "POST", "/api/v1/conversations", { kind: "direct", member_ids: [qid] }))
      ).id;
      // Ada sends Quinn a file in their chat.
      const cookies = await a.ctx.cookies();
      const csrf = decodeURIComponent(cookies.find((c) => c.name === "atrium_csrf")?.value ?? "");
      const f = await ok(
        await a.page.request.fetch(`/api/v1/files?name=${attachmentName}`, {
          method: "POST",
          data: Buffer.from("The brief, in one page."),
          headers: { "Content-Type": "text/plain", "X-CSRF-Token": csrf },
        }),
      );
      await ok(
        await call(a.page, "POST", `/api/v1/conversations/${convId}/messages`, {
          client_msg_id: `drive21-${run}`,
          kind: "file",
          file_id: f.id,
        }),
      );
    });
    test.afterEach(() => {
      for (const p of [a, q]) expect(pageErrors(p.page), "console").toEqual([]);
    });
    test.afterAll(async () => {
      await a?.ctx.close();
      await q?.ctx.close();
    });

    test("Ada uploads a folder with a sub-folder and shares it with a department", async () => {
      const p = a.page;
      const dir = mkdtempSync(joinPath(tmpdir(), "drive21-"));
      const root = joinPath(dir, folderName);
      mkdirSync(joinPath(root, "drafts"), { recursive: true });
      writeFileSync(joinPath(root, "notes.txt"), noteText);
      writeFileSync(joinPath(root, "drafts", "v1.txt"), "first draft");
      await p.goto("/drive");
      await expect(p.getByRole("heading", { name: "Drive", level: 1 })).toBeVisible();
      await expect(p.getByTestId("drive-quota")).toBeVisible();
      await p.getByTestId("drive-folder-input").setInputFiles(root);
      const uploads = p.getByTestId("drive-uploads");
      await expect(uploads.getByText("Uploads finished")).toBeVisible();
      const row = p.locator(`[data-testid=drive-item][data-name="${folderName}"]`);
      await expect(row).toBeVisible();
      // Its contents arrived in their folders.
      await row.getByRole("button", { name: folderName }).click();
      await expect(p.locator('[data-testid=drive-item][data-name="notes.txt"]')).toBeVisible();
      await expect(p.locator('[data-testid=drive-item][data-name="drafts"]')).toBeVisible();
      await expect(p.getByRole("navigation", { name: "Folder path" })).toContainText(folderName);
      // Keyboard: Ctrl+A selects both items.
      await p.locator('[data-testid=drive-item][data-name="drafts"]').getByRole("button").focus();
      await p.keyboard.press("Control+a");
      await expect(p.getByText("2 selected")).toBeVisible();
      await p.keyboard.press("Escape");

      // Back to My files; share the folder with the department.
      await p
        .getByRole("navigation", { name: "Folder path" })
        .getByRole("link", { name: "My files" })
        .click();
      await row.getByRole("checkbox").check();
      await p.getByRole("toolbar", { name: "Selected items" }).getByRole("button", { name: "Share" }).click();
      const dialog = p.getByTestId("drive-share");
      await dialog.getByRole("group", { name: "Departments" }).getByLabel(deptName).check();
      await dialog.getByRole("button", { name: "Share", exact: true }).click();
      await expect(dialog.getByTestId("drive-share-entry").filter({ hasText: deptName })).toBeVisible();
      await expect(dialog.getByTestId("drive-share-entry")).toContainText("Can view");
    });

    test("a colleague of that department opens it on a phone and previews a file", async () => {
      const p = q.page;
      await p.goto("/drive?shared=1");
      const row = p.locator(`[data-testid=drive-item][data-name="${folderName}"]`);
      await expect(row).toBeVisible();
      await noSideScroll(p, "the drive");
      await row.getByRole("button", { name: folderName }).click();
      const note = p.locator('[data-testid=drive-item][data-name="notes.txt"]');
      await expect(note).toBeVisible();
      // A viewer has no upload or new-folder buttons.
      await expect(p.getByRole("button", { name: "Upload files" })).toHaveCount(0);
      await note.getByRole("button", { name: "notes.txt" }).click();
      const sheet = p.getByTestId("drive-preview");
      await expect(sheet.getByTestId("drive-text")).toHaveText(noteText);
      // The preview covers the phone's screen.
      const box = await sheet.boundingBox();
      expect(box?.width).toBe(phone.width);
      await noSideScroll(p, "the preview");
      await sheet.getByRole("button", { name: "Close" }).click();
      await expect(sheet).toHaveCount(0);
    });

    test("the colleague saves a chat attachment to her drive", async () => {
      const p = q.page;
      await p.goto(`/chat/${convId}`);
      await p.getByRole("button", { name: "Save to drive" }).last().click();
      const picker = p.getByTestId("drive-folder-picker");
      await expect(picker.getByRole("combobox")).toHaveValue(/.+/);
      await picker.getByRole("button", { name: "Save here" }).click();
      await expect(p.getByTestId("drive-saved")).toBeVisible();
      const spaces = await ok(await call(p, "GET", "/api/v1/drive/spaces/me"));
      const kids = await ok(await call(p, "GET", `/api/v1/drive/items/${spaces.root_id}/children`));
      expect(kids.items.map((x: { name: string }) => x.name)).toContain(attachmentName);
      // It is in My files on the drive screen too.
      await p.goto("/drive");
      await expect(p.locator(`[data-testid=drive-item][data-name="${attachmentName}"]`)).toBeVisible();
    });
  });
