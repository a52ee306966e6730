// Privacy and administration: a locked field cannot be edited, the admin
// previews a retention policy, the colleague downloads their data and deletes
// their account, and the owner then sees a tombstoned author. Also the main
// screens at phone width and in Chinese.

import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { BrowserContext, Page } from "@playwright/test";
import { expect, newPerson, pageErrors, shot, test, watch } from "../lib/fixtures";
import { member, org, owner } from "../lib/people";
import { signIn } from "../lib/steps";

test.describe
  .serial("privacy and admin", () => {
    let a: { ctx: BrowserContext; page: Page };
    let b: { ctx: BrowserContext; page: Page };

    test.beforeAll(async ({ browser }) => {
      a = await newPerson(browser);
      b = await newPerson(browser);
      await signIn(a.page, owner);
      await signIn(b.page, member);
    });
    test.afterEach(() => {
      expect(pageErrors(a.page), "owner's console").toEqual([]);
      expect(pageErrors(b.page), "member's console").toEqual([]);
    });
    test.afterAll(async () => {
      await a.ctx.close();
      await b.ctx.close();
    });

    test("a field the organization locks cannot be edited", async () => {
      // The owner locks the work phone and adds a locked custom field.
      await a.page.goto("/admin/org");
      await a.page.getByRole("checkbox", { name: "Work phone" }).check();
      await a.page.getByRole("button", { name: "Save" }).first().click();
      await expect(a.page.getByText("Saved.")).toBeVisible();
      await a.page.goto("/admin/fields");
      await a.page.getByLabel("Field", { exact: true }).fill("Cost center");
      await a.page.getByRole("checkbox", { name: "Locked: only admins can change it" }).check();
      await a.page.getByRole("button", { name: "Add" }).click();
      await expect(a.page.getByRole("cell", { name: "Cost center", exact: true })).toBeVisible();

      // An admin may change any field: the title.
      await a.page.goto("/admin/members");
      await a.page.getByRole("button", { name: `Edit ${member.name}` }).click();
      const dialog = a.page.getByRole("dialog", { name: `Edit ${member.name}` });
      await dialog.getByLabel("Title").fill("Engineer");
      await dialog.getByRole("button", { name: "Save" }).click();
      await expect(a.page.getByRole("cell", { name: "Engineer", exact: true })).toBeVisible();

      // The colleague sees both locked; an unlocked field still saves.
      await b.page.goto("/directory?tab=me");
      await expect(b.page.getByLabel(/Work phone/)).toBeDisabled();
      await expect(b.page.getByLabel(/Cost center/)).toBeDisabled();
      await expect(b.page.getByText("Locked").first()).toBeVisible();
      await expect(b.page.getByText("Engineer")).toBeVisible();
      await b.page.getByLabel("Office").fill("Shanghai, 5F");
      await b.page.getByRole("button", { name: "Save" }).click();
      await expect(b.page.getByText("Saved.")).toBeVisible();
      await shot(b.page, "directory-profile");

      // The directory shows the colleague's profile to the owner.
      await a.page.goto("/directory");
      await a.page.getByRole("link", { name: new RegExp(member.name) }).click();
      await expect(a.page.getByRole("complementary", { name: "Profile" })).toContainText("Shanghai, 5F");
      await shot(a.page, "directory");
    });

    test("the admin previews a retention policy", async () => {
      await a.page.goto("/admin/retention");
      const days = a.page.getByRole("spinbutton").first();
      // "0" is refused with the reason, never taken as "forever".
      await days.fill("0");
      await expect(a.page.getByRole("alert").filter({ hasText: "From 1 to 36500 days" })).toBeVisible();
      await expect(a.page.getByRole("button", { name: "Preview (dry run)" })).toBeDisabled();
      await days.fill("1");
      await a.page.getByRole("button", { name: "Preview (dry run)" }).click();
      // Everything here is minutes old: the preview says why nothing would go.
      await expect(a.page.getByTestId("retention-preview")).toContainText(
        /These policies would delete \d+ items now|Nothing would be deleted now/,
      );
      await shot(a.page, "admin-retention");
      // Nothing was saved or deleted: the chat still has its history.
      await a.page.goto("/admin/audit");
      await expect(a.page.getByTestId("chain-status")).toContainText("Chain intact");
      await expect(a.page.getByTestId("chain-verified")).toContainText("Whole chain verified");
      await shot(a.page, "admin-audit");
    });

    test("the admin places a legal hold on a group found by name, then releases it", async () => {
      await a.page.goto("/admin/holds");
      await a.page.getByLabel("Hold on").selectOption("conversation");
      await a.page.getByPlaceholder("Find a group by name").fill("LAUNCH");
      await a.page.getByRole("radio", { name: /Launch team/ }).check();
      await a.page.getByLabel("Reason").fill("Contract dispute");
      await a.page.getByRole("button", { name: "Place a hold" }).click();
      // Listed by the group's name, never by its id.
      const held = a.page.getByRole("listitem").filter({ hasText: "Contract dispute" });
      await expect(held).toContainText("Launch team");
      await expect(held).not.toContainText("cnv_");
      await shot(a.page, "admin-holds");
      await held.getByRole("button", { name: "Release" }).click();
      await expect(held).toContainText("Released");
    });

    test("the admin sets the recall window", async () => {
      await a.page.goto("/admin/org");
      const recall = a.page.getByLabel("Recall window (minutes)");
      await expect(recall).toHaveValue("2");
      await recall.fill("15");
      await a.page.getByRole("button", { name: "Save", exact: true }).click();
      await expect(a.page.getByText("Saved.")).toBeVisible();
      await a.page.reload();
      await expect(a.page.getByLabel("Recall window (minutes)")).toHaveValue("15");
    });

    test("the colleague downloads their data", async () => {
      await b.page.goto("/privacy");
      await expect(b.page.getByTestId("inquiry")).toBeVisible();
      await b.page.getByRole("button", { name: "Prepare a new download" }).click();
      const link = b.page.getByRole("link", { name: "Download my data (ZIP)" });
      await expect(link).toBeVisible({ timeout: 30_000 });
      const [download] = await Promise.all([b.page.waitForEvent("download"), link.click()]);
      const path = await download.path();
      expect(path).toBeTruthy();
      const { statSync, readFileSync } = await import("node:fs");
      expect(statSync(path).size).toBeGreaterThan(100);
      expect(readFileSync(path).subarray(0, 2).toString()).toBe("PK");
      await b.page.evaluate(() => window.scrollTo(0, 0));
      await shot(b.page, "privacy-center");
    });

    test("the colleague deletes their account; the owner sees a deleted author", async () => {
      await b.page.goto("/privacy");
      const del = b.page.getByRole("region", { name: "Delete my account" });
      await del.getByLabel("Password").fill(member.password);
      await del.getByRole("checkbox", { name: "I understand that this cannot be undone" }).check();
      await del.getByRole("button", { name: "Delete my account" }).click();
      await expect(b.page).toHaveURL(/\/login/);
      await expect(b.page.getByText("Your account is being deleted")).toBeVisible();

      await a.page.goto("/chat");
      const direct = a.page.getByTestId("conversation").filter({ hasText: "Deleted account" });
      await expect(direct).toBeVisible();
      await direct.click();
      // Their message keeps its place under a tombstoned author; its content
      // went with their account (a direct chat is personal data).
      const sender = a.page.getByTestId("sender").filter({ hasText: "Deleted account" });
      await expect(sender).toBeVisible();
      await expect(a.page.getByTestId("message").filter({ hasText: "welcome aboard" })).toBeVisible();
      // Their reply went with their account: it says so, never an empty bubble
      // (deleted, or its content erased with their key).
      const theirs = a.page.getByTestId("message").filter({ has: sender });
      await expect(theirs).toContainText("This message was deleted");
      await expect(a.page.getByText("Glad to be here")).toHaveCount(0);
      await shot(a.page, "chat-deleted-author");
    });

    test("phone width: navigation drawer and chat", async () => {
      await a.page.setViewportSize({ width: 375, height: 740 });
      await a.page.goto("/chat");
      const overflow = await a.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow).toBeLessThanOrEqual(0);
      await a.page.getByRole("button", { name: "Open navigation" }).click();
      await expect(
        a.page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Directory" }),
      ).toBeVisible();
      await a.page.keyboard.press("Tab");
      await a.page.getByRole("button", { name: "Close navigation" }).click();
      await a.page.getByTestId("conversation").filter({ hasText: "Launch team" }).click();
      await expect(a.page.getByRole("combobox", { name: "Message Launch team" })).toBeVisible();
      await shot(a.page, "chat-phone");
      // The group's details cover the screen and fit it.
      await a.page.getByRole("button", { name: "Group details" }).click();
      const panel = a.page.getByRole("dialog", { name: "Group details" });
      await expect(panel.getByTestId("member").first()).toBeVisible();
      const box = await panel.boundingBox();
      expect(box?.width ?? 0).toBeLessThanOrEqual(375);
      const panelOver = await panel.evaluate((d) => d.scrollWidth - d.clientWidth);
      expect(panelOver, "the details panel scrolls sideways at 375 px").toBeLessThanOrEqual(0);
      await a.page.keyboard.press("Escape");
      await expect(panel).toBeHidden();
      // The other main screens fit too (wide tables scroll inside their card).
      for (const path of ["/directory", "/notifications", "/privacy", "/admin/members", "/settings"]) {
        await a.page.goto(path);
        await expect(a.page.getByRole("heading", { level: 1 }).first()).toBeVisible();
        // Nothing scrolls sideways: the screen's scroll container is as wide as the phone.
        const over = await a.page.evaluate(() => {
          const main = document.getElementById("main");
          return main ? main.scrollWidth - main.clientWidth : 0;
        });
        expect(over, `${path} scrolls sideways at 375 px`).toBeLessThanOrEqual(0);
      }
      await a.page.goto("/chat");
      await a.page.getByTestId("conversation").filter({ hasText: "Launch team" }).click();
      await a.page.getByRole("link", { name: "Back to conversations" }).click();
      await expect(a.page.getByRole("heading", { name: "Chat", exact: true })).toBeVisible();
      await a.page.setViewportSize({ width: 1280, height: 800 });
    });

    test("the admin console and chat in Chinese", async () => {
      await a.page.goto("/chat");
      await a.page.getByRole("combobox", { name: "Language" }).selectOption("zh");
      await expect(a.page.getByRole("heading", { name: "聊天", exact: true })).toBeVisible();
      await a.page.getByTestId("conversation").filter({ hasText: "Launch team" }).click();
      await expect(a.page.getByRole("button", { name: "置顶" })).toBeVisible();
      await shot(a.page, "chat-zh");
      await a.page.getByRole("button", { name: "群聊信息" }).click();
      const panel = a.page.getByRole("dialog", { name: "群聊信息" });
      await expect(panel.getByRole("heading", { name: "成员（1）" })).toBeVisible();
      await expect(panel.getByRole("button", { name: "解散群聊" })).toBeVisible();
      await a.page.keyboard.press("Escape");
      await expect(panel).toBeHidden();
      await a.page.goto("/notifications");
      await expect(a.page.getByRole("heading", { name: "通知", exact: true })).toBeVisible();
      await a.page.goto("/admin/members");
      await expect(a.page.getByRole("heading", { name: "管理后台" })).toBeVisible();
      await expect(a.page.getByRole("cell", { name: new RegExp(owner.name) }).first()).toBeVisible();
      await shot(a.page, "admin-members-zh");
      await a.page.getByRole("combobox", { name: "语言" }).selectOption("en");
      await expect(a.page.getByRole("banner").getByText(org.name)).toBeVisible();
    });

    test("time to interactive of the chat screen (docs/benchmarks.md)", async ({ browser }) => {
      await a.page.goto("/chat");
      const href = await a.page
        .getByTestId("conversation")
        .filter({ hasText: "Launch team" })
        .getAttribute("href");
      const cookies = await a.ctx.cookies();
      const runs: { cold: boolean; tti: number; bytes: number; requests: number }[] = [];
      for (let i = 0; i < 6; i++) {
        const cold = i % 2 === 0;
        const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
        await ctx.addCookies(cookies);
        const page = watch(await ctx.newPage());
        let bytes = 0;
        let requests = 0;
        page.on("requestfinished", async (r) => {
          const sizes = await r.sizes().catch(() => null);
          if (sizes) bytes += sizes.responseBodySize;
          requests++;
        });
        if (!cold) {
          await page.goto(href ?? "/chat");
          await expect(page.getByRole("combobox", { name: "Message Launch team" })).toBeEnabled();
          bytes = 0;
          requests = 0;
        }
        await page.goto(href ?? "/chat");
        await expect(page.getByTestId("message").first()).toBeVisible();
        await expect(page.getByRole("combobox", { name: "Message Launch team" })).toBeEnabled();
        const tti = await page.evaluate(() => performance.now());
        runs.push({ cold, tti: Math.round(tti), bytes, requests });
        expect(pageErrors(page)).toEqual([]);
        await ctx.close();
      }
      const median = (xs: number[]) => xs.sort((x, y) => x - y)[Math.floor(xs.length / 2)];
      const coldRuns = runs.filter((r) => r.cold);
      const warmRuns = runs.filter((r) => !r.cold);
      const out = {
        cold_tti_ms: median(coldRuns.map((r) => r.tti)),
        warm_tti_ms: median(warmRuns.map((r) => r.tti)),
        cold_bytes: median(coldRuns.map((r) => r.bytes)),
        cold_requests: median(coldRuns.map((r) => r.requests)),
        runs,
      };
      console.log(`chat screen: ${JSON.stringify(out)}`);
      const dir = join(dirname(fileURLToPath(import.meta.url)), "..", "test-results");
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, "chat-tti.json"), JSON.stringify(out, null, 2));
    });
  });
