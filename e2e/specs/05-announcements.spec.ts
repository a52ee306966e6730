// Announcements: the owner publishes one that asks for confirmation to one
// department; a member of it confirms it on a phone; a colleague outside
// the department never sees it, not even by its address; the owner's read
// list counts the confirmation, and reminds the others once a day. On one
// that allows comments a member comments from a phone, and the publisher,
// told live, sees it under the member's name and deletes it. One published
// with a cover, an image in its text and an attachment shows them to a
// reader on a phone, who downloads the attachment; nobody else gets it.
import { readFile } from "node:fs/promises";
import type { APIResponse, BrowserContext, Page } from "@playwright/test";
import { expect, lastCode, logLines, newPerson, pageErrors, shot, test } from "../lib/fixtures";
import { owner } from "../lib/people";
import { signIn } from "../lib/steps";

type Person = { ctx: BrowserContext; page: Page };

const reader = { name: "Wang Fang", email: "wang.fang@example.test", password: "warehouse-keys-2026" };
const waiting = { name: "Zhao Lei", email: "zhao.lei@example.test", password: "forklift-permit-2026" };
const outsider = { name: "Omar Outside", email: "omar@example.test", password: "other-floor-2026" };
const title = "Fire drill on Friday";

/** call sends an API request as the person signed in on page, with the CSRF header. */
async function call(page: Page, method: string, path: string, data?: unknown): Promise<APIResponse> {
  const cookies = await page.context().cookies();
  const csrf = cookies.find((c) => c.name === "atrium_csrf")?.value ?? "";
  return page.request.fetch(path, { method, data, headers: { "X-CSRF-Token": decodeURIComponent(csrf) } });
}

/** join registers a person through the API and has them join with an invitation token. */
async function join(p: Page, who: typeof reader, token: string) {
  const from = logLines();
  let r = await p.request.post("/api/v1/auth/register", { data: who });
  expect(r.status()).toBe(202);
  r = await p.request.post("/api/v1/auth/verify", {
    data: { email: who.email, code: await lastCode(who.email, from), password: who.password },
  });
  expect(r.ok()).toBeTruthy();
  r = await call(p, "POST", "/api/v1/join", { token });
  expect(r.ok(), await r.text()).toBeTruthy();
}

/** linkToken creates an invitation link (into a department, when given) and returns its token. */
async function linkToken(p: Page, departmentId?: string): Promise<string> {
  const r = await call(p, "POST", "/api/v1/invitations", { kind: "link", department_id: departmentId });
  expect(r.ok(), await r.text()).toBeTruthy();
  return new URL((await r.json()).link).searchParams.get("token") ?? "";
}

test.describe
  .serial("announcements", () => {
    let a: Person;
    let r: Person;
    let w: Person;
    let o: Person;
    let id = "";

    test.beforeAll(async ({ browser }) => {
      a = await newPerson(browser);
      r = await newPerson(browser);
      w = await newPerson(browser);
      o = await newPerson(browser);
      await signIn(a.page, owner);
      const d = await call(a.page, "POST", "/api/v1/departments", { name: "Warehouse" });
      expect(d.ok(), await d.text()).toBeTruthy();
      const dept = (await d.json()).id as string;
      const inDept = await linkToken(a.page, dept);
      await join(r.page, reader, inDept);
      await join(w.page, waiting, inDept);
      await join(o.page, outsider, await linkToken(a.page));
    });
    test.afterEach(() => {
      for (const p of [a, r, w, o]) expect(pageErrors(p.page), "console").toEqual([]);
    });
    test.afterAll(async () => {
      for (const p of [a, r, w, o]) await p.ctx.close();
    });

    test("the owner publishes an announcement to one department, asking for confirmation", async () => {
      const p = a.page;
      await p.goto("/announcements");
      await p.getByRole("link", { name: "Manage announcements" }).click();
      await p.getByRole("link", { name: "New announcement" }).click();
      await p.getByLabel("Title").fill(title);
      await p
        .getByLabel("Text")
        .fill("Meet at the **north gate** at 10:00.\n\n- Leave bags behind\n- Use the stairs");
      await p.getByLabel("Category").fill("Safety");
      await p.getByRole("checkbox", { name: "Ask readers to confirm they have read it" }).check();
      await p.getByRole("radio", { name: "Chosen departments, roles and people" }).check();
      await p.getByRole("checkbox", { name: "Warehouse" }).check();
      await p.getByRole("button", { name: "Publish", exact: true }).click();
      const row = p.getByTestId("managed-announcement").filter({ hasText: title });
      await expect(row).toContainText("2 recipients");
      await expect(row).toContainText("Confirmation required");
      await shot(p, "announcements-manage");
    });

    test("a member of the department confirms it on a phone", async () => {
      const p = r.page;
      await p.setViewportSize({ width: 375, height: 667 });
      await p.goto("/chat");
      const banner = p.getByTestId("announcement-banner");
      await expect(banner).toContainText(title);
      await expect(banner).toContainText("please read and confirm");
      // The navigation counts it.
      await p.getByRole("button", { name: "Open navigation" }).click();
      await expect(
        p.getByRole("navigation", { name: "Main" }).getByRole("link", { name: /Announcements/ }),
      ).toContainText("1");
      await p.getByRole("button", { name: "Close navigation" }).click();

      await banner.getByRole("link").click();
      await expect(p.getByRole("heading", { name: title, level: 1 })).toBeVisible();
      id = new URL(p.url()).pathname.split("/").pop() ?? "";
      expect(id).not.toBe("");
      await expect(p.locator(".ann-body strong")).toHaveText("north gate");
      const confirm = p.getByRole("button", { name: "I have read this" });
      await expect(confirm).toBeVisible();
      const over = await p.evaluate(() => {
        const main = document.getElementById("main");
        return Math.max(
          document.documentElement.scrollWidth - window.innerWidth,
          main ? main.scrollWidth - main.clientWidth : 0,
        );
      });
      expect(over, "the announcement scrolls sideways at 375 px").toBeLessThanOrEqual(0);
      await shot(p, "announcement-phone");
      await confirm.click();
      await expect(p.getByText(/You confirmed that you read it/)).toBeVisible();

      // It stays in the list, no longer asking; the banner is gone.
      await p.getByRole("link", { name: "All announcements" }).click();
      const item = p.getByTestId("announcement").filter({ hasText: title });
      await expect(item).toContainText("Safety");
      await expect(item).not.toContainText("Please confirm");
      await expect(p.getByTestId("announcement-banner")).toHaveCount(0);
      const listOver = await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(listOver).toBeLessThanOrEqual(0);
    });

    test("a colleague outside the department never sees it", async () => {
      const p = o.page;
      await p.goto("/announcements");
      await expect(p.getByRole("heading", { name: "Announcements", level: 1 })).toBeVisible();
      await expect(p.getByText("No announcements yet.")).toBeVisible();
      await expect(p.getByText(title)).toHaveCount(0);
      await expect(p.getByTestId("announcement-banner")).toHaveCount(0);
      await p.goto(`/announcements/${id}`);
      await expect(p.getByText("This announcement was not found.", { exact: false })).toBeVisible();
      await expect(p.getByText(title)).toHaveCount(0);
    });

    test("the read list counts the confirmation; reminders go once a day", async () => {
      const p = a.page;
      await p.goto("/announcements/manage");
      await p
        .getByTestId("managed-announcement")
        .filter({ hasText: title })
        .getByRole("link", { name: "Read list" })
        .click();
      await expect(p.getByTestId("confirmed")).toHaveText("1");
      await expect(p.getByTestId("pending")).toHaveText("1");
      await expect(p.getByTestId("total")).toHaveText("2");
      const people = p.getByTestId("receipt-person");
      await expect(people.filter({ hasText: reader.name })).toContainText("Confirmed");
      await expect(people.filter({ hasText: waiting.name })).toContainText("Not yet");
      await p.getByRole("button", { name: "Remind those who have not" }).click();
      await expect(p.getByText("Reminded 1 person.")).toBeVisible();
      await shot(p, "announcement-read-list");

      // The one still to confirm has it in their banner.
      await w.page.goto("/directory");
      await expect(w.page.getByTestId("announcement-banner")).toContainText(title);

      await p.reload();
      await expect(p.getByText(/Last reminded/)).toBeVisible();
      await p.getByRole("button", { name: "Remind those who have not" }).click();
      await expect(
        p.getByText(/They were already reminded today\. You can remind them again after/),
      ).toBeVisible();
    });

    test("drafts by keyboard, and the publisher's screens at phone width", async () => {
      const p = a.page;
      // Enter in the title saves a draft; Escape closes the question before deleting it.
      await p.goto("/announcements/new");
      await p.getByLabel("Title").fill("Canteen menu");
      await p.getByLabel("Title").press("Enter");
      await expect(p.getByRole("link", { name: "Drafts" })).toHaveAttribute("aria-current", "page");
      const draft = p.getByTestId("managed-announcement").filter({ hasText: "Canteen menu" });
      await draft.getByRole("button", { name: "Delete" }).click();
      const ask = p.getByRole("dialog", { name: "Delete “Canteen menu”?" });
      await expect(ask).toBeVisible();
      await p.keyboard.press("Escape");
      await expect(ask).toBeHidden();
      await draft.getByRole("button", { name: "Delete" }).click();
      await ask.getByRole("button", { name: "Delete" }).click();
      await expect(draft).toHaveCount(0);

      await p.setViewportSize({ width: 375, height: 667 });
      for (const path of [
        "/announcements",
        "/announcements/manage",
        "/announcements/new",
        `/announcements/${id}`,
        `/announcements/${id}/receipts`,
      ]) {
        await p.goto(path);
        await expect(p.getByRole("heading", { level: 1 }).first()).toBeVisible();
        if (path === "/announcements/new") {
          await p.getByRole("radio", { name: "Chosen departments, roles and people" }).check();
          await shot(p, "announcement-editor-phone");
        }
        const over = await p.evaluate(() => {
          const main = document.getElementById("main");
          return Math.max(
            document.documentElement.scrollWidth - window.innerWidth,
            main ? main.scrollWidth - main.clientWidth : 0,
          );
        });
        expect(over, `${path} scrolls sideways at 375 px`).toBeLessThanOrEqual(0);
      }
      await p.setViewportSize({ width: 1280, height: 800 });
    });

    test("a member comments on a phone; the publisher sees it live and deletes it", async () => {
      const made = await call(a.page, "POST", "/api/v1/announcements", {
        title: "Summer party",
        body: "Ideas for the summer party are welcome.",
        allow_comments: true,
        audience: { all: true, department_ids: [], role_ids: [], member_ids: [] },
        publish: true,
      });
      expect(made.ok(), await made.text()).toBeTruthy();
      const party = (await made.json()).id as string;

      // The publisher has it open before anyone comments.
      const p = a.page;
      await p.goto(`/announcements/${party}`);
      const comments = p.getByRole("region", { name: "Comments" });
      await expect(comments.getByText("No comments yet.")).toBeVisible();

      const m = r.page;
      await m.setViewportSize({ width: 375, height: 667 });
      await m.goto(`/announcements/${party}`);
      const box = m.getByLabel("Your comment");
      const send = m.getByRole("button", { name: "Send" });
      await expect(send).toBeDisabled();
      await box.fill("A picnic by the river?");
      await expect(m.getByText("22 / 2000 characters")).toBeVisible();
      await box.press("Control+Enter");
      const mine = m.getByTestId("announcement-comment").filter({ hasText: "A picnic by the river?" });
      await expect(mine).toContainText(reader.name);
      await expect(box).toHaveValue("");
      await expect(mine.getByRole("button", { name: `Delete the comment by ${reader.name}` })).toBeVisible();
      const over = await m.evaluate(() => {
        const main = document.getElementById("main");
        return Math.max(
          document.documentElement.scrollWidth - window.innerWidth,
          main ? main.scrollWidth - main.clientWidth : 0,
        );
      });
      expect(over, "the comments scroll sideways at 375 px").toBeLessThanOrEqual(0);
      await shot(m, "announcement-comments-phone");

      // The publisher, as the announcement's author, is told on the stream.
      const theirs = p.getByTestId("announcement-comment").filter({ hasText: "A picnic by the river?" });
      await expect(theirs).toContainText(reader.name);
      await theirs.getByRole("button", { name: `Delete the comment by ${reader.name}` }).click();
      const ask = p.getByRole("dialog", { name: "Delete this comment?" });
      await ask.getByRole("button", { name: "Delete" }).click();
      await expect(ask).toBeHidden();
      await expect(theirs).toHaveCount(0);
      await expect(comments.getByText("No comments yet.")).toBeVisible();

      await m.reload();
      await expect(m.getByText("A picnic by the river?")).toHaveCount(0);
    });

    test("the owner publishes with a cover, an image and an attachment; a reader downloads it on a phone", async () => {
      // A 1×1 PNG, so the browser really draws the cover and the image.
      const png = Buffer.from(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==",
        "base64",
      );
      const p = a.page;
      await p.goto("/announcements/new");
      await p.getByLabel("Title").fill("New evacuation map");
      await p.getByLabel("Text").fill("The new routes are below.");
      await p
        .getByLabel("Choose a cover image")
        .setInputFiles({ name: "cover.png", mimeType: "image/png", buffer: png });
      await expect(p.getByRole("img", { name: "Cover image" })).toBeVisible();
      await p
        .getByLabel("Insert image")
        .setInputFiles({ name: "routes.png", mimeType: "image/png", buffer: png });
      await expect(p.getByLabel("Text")).toHaveValue(
        /!\[routes\]\(\/api\/v1\/announcement-files\/anf_[0-9a-f]+\)/,
      );
      await p.getByLabel("Attach files").setInputFiles({
        name: "drill-plan.txt",
        mimeType: "text/plain",
        buffer: Buffer.from("Gate B, then the car park."),
      });
      await expect(p.getByTestId("ann-attachment")).toContainText("drill-plan.txt");
      await p.getByRole("radio", { name: "Chosen departments, roles and people" }).check();
      await p.getByRole("checkbox", { name: "Warehouse" }).check();
      await p.getByRole("button", { name: "Publish", exact: true }).click();
      await expect(
        p.getByTestId("managed-announcement").filter({ hasText: "New evacuation map" }),
      ).toContainText("2 recipients");

      const m = r.page;
      await m.setViewportSize({ width: 375, height: 667 });
      await m.goto("/announcements");
      await m
        .getByTestId("announcement")
        .filter({ hasText: "New evacuation map" })
        .getByRole("link")
        .first()
        .click();
      await expect(m.getByRole("heading", { name: "New evacuation map", level: 1 })).toBeVisible();
      const drawn = (sel: string) =>
        m
          .locator(sel)
          .evaluate((el) => (el as HTMLImageElement).complete && (el as HTMLImageElement).naturalWidth > 0);
      await expect(m.getByTestId("ann-cover")).toBeVisible();
      await expect.poll(() => drawn("[data-testid=ann-cover]")).toBe(true);
      await expect(m.locator(".ann-body img")).toHaveAttribute("alt", "routes");
      await expect.poll(() => drawn(".ann-body img")).toBe(true);
      const link = m.getByTestId("ann-attachment").getByRole("link", { name: "drill-plan.txt" });
      const [download] = await Promise.all([m.waitForEvent("download"), link.click()]);
      expect(download.suggestedFilename()).toBe("drill-plan.txt");
      expect(await readFile((await download.path()) ?? "", "utf8")).toBe("Gate B, then the car park.");
      const over = await m.evaluate(() => {
        const main = document.getElementById("main");
        return Math.max(
          document.documentElement.scrollWidth - window.innerWidth,
          main ? main.scrollWidth - main.clientWidth : 0,
        );
      });
      expect(over, "the announcement with files scrolls sideways at 375 px").toBeLessThanOrEqual(0);
      await shot(m, "announcement-files-phone");

      // Someone it did not reach gets 404 for the file, as for no file at all.
      const href = (await link.getAttribute("href")) ?? "";
      expect(href).toMatch(/^\/api\/v1\/announcement-files\/anf_/);
      expect((await o.page.request.get(href)).status()).toBe(404);
      expect((await r.page.request.get(href)).status()).toBe(200);
    });
  });
