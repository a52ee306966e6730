// Two people in real time: the owner invites a colleague, who registers and
// joins; they chat in two browser contexts (messages appear live, receipts
// update), upload an image, and search.
import type { BrowserContext, Page } from "@playwright/test";
import { expect, lastCode, logLines, newPerson, pageErrors, shot, test } from "../lib/fixtures";
import { member, org, owner } from "../lib/people";
import { gradientPNG } from "../lib/png";
import { signIn } from "../lib/steps";

test.describe
  .serial("together", () => {
    let a: { ctx: BrowserContext; page: Page };
    let b: { ctx: BrowserContext; page: Page };
    let invite = "";

    test.beforeAll(async ({ browser }) => {
      a = await newPerson(browser);
      b = await newPerson(browser);
    });
    test.afterEach(() => {
      expect(pageErrors(a.page), "owner's console").toEqual([]);
      expect(pageErrors(b.page), "member's console").toEqual([]);
    });
    test.afterAll(async () => {
      await a.ctx.close();
      await b.ctx.close();
    });

    test("the owner creates an invitation link", async () => {
      await signIn(a.page, owner);
      await a.page.goto("/admin/invitations");
      await a.page.getByRole("button", { name: "Create invitation" }).click();
      const link = a.page.getByTestId("invite-link").first();
      await expect(link).toBeVisible();
      invite = await link.inputValue();
      expect(invite).toContain("/join?token=");
      await expect(a.page.getByRole("img", { name: "QR code of the invitation link" })).toBeVisible();
      await shot(a.page, "admin-invitations");
    });

    test("the colleague registers from the link and joins", async () => {
      const p = b.page;
      await p.goto(new URL(invite).pathname + new URL(invite).search);
      await p.getByRole("link", { name: "Create an account" }).click();
      const from = logLines();
      await p.getByLabel("Name", { exact: true }).fill(member.name);
      await p.getByLabel("Email").fill(member.email);
      await p.getByLabel("Password").fill(member.password);
      await p.getByRole("button", { name: "Create account" }).click();
      await p.getByLabel("Verification code").fill(await lastCode(member.email, from));
      await p.getByRole("button", { name: "Verify" }).click();
      await expect(p.getByText(`You are invited to join ${org.name}`)).toBeVisible();
      await p.getByRole("button", { name: `Join ${org.name}` }).click();
      await expect(p).toHaveURL(/\/chat/);
      await expect(p.getByRole("banner").getByText(org.name)).toBeVisible();
    });

    test("they chat in real time", async () => {
      // The owner starts a direct chat with the new colleague.
      await a.page.goto("/chat");
      await a.page.getByRole("button", { name: "New chat" }).first().click();
      await a.page.getByLabel("Find people").fill("李");
      await a.page.getByRole("radio", { name: member.name }).check();
      await a.page.getByRole("button", { name: "Start chat" }).click();
      await expect(a.page.getByRole("heading", { name: member.name })).toBeVisible();
      await a.page
        .getByRole("combobox", { name: `Message ${member.name}` })
        .fill("Hello 李雷, welcome aboard!");
      await a.page.keyboard.press("Enter");
      await expect(a.page.getByTestId("message").filter({ hasText: "welcome aboard" })).toBeVisible();
      await expect(a.page.getByTestId("receipt").last()).toHaveText("Unread");

      // It reaches the colleague live, with an unread count.
      await b.page.goto("/chat");
      const conv = b.page.getByTestId("conversation").filter({ hasText: owner.name });
      await expect(conv.getByTestId("unread")).toContainText("1");
      await conv.click();
      await expect(b.page.getByTestId("message").filter({ hasText: "welcome aboard" })).toBeVisible();
      // Reading it flips the owner's receipt without a reload.
      await expect(a.page.getByTestId("receipt").last()).toHaveText("Read");

      // The reply appears on the owner's side live.
      await b.page.getByRole("combobox", { name: `Message ${owner.name}` }).fill("Thanks! Glad to be here.");
      await b.page.keyboard.press("Enter");
      await expect(a.page.getByTestId("message").filter({ hasText: "Glad to be here" })).toBeVisible();
    });

    test("a group shows read by N · unread M", async () => {
      await a.page.getByRole("button", { name: "New chat" }).first().click();
      await a.page.getByRole("radio", { name: /Internal group/ }).check();
      await a.page.getByLabel("Group name").fill("Launch team");
      await a.page.getByLabel("Find people").fill("");
      await a.page.getByRole("checkbox", { name: member.name }).check();
      await a.page.getByRole("button", { name: "Create group" }).click();
      await expect(a.page.getByRole("heading", { name: "Launch team" })).toBeVisible();
      const box = a.page.getByRole("combobox", { name: "Message Launch team" });
      // Mention with autocomplete.
      await box.fill("Kick-off at ten, @李");
      await expect(a.page.getByRole("option", { name: `@${member.name}` })).toBeVisible();
      await a.page.keyboard.press("Enter");
      await box.press("End");
      await box.pressSequentially("please confirm");
      await a.page.keyboard.press("Enter");
      const sent = a.page.getByTestId("message").filter({ hasText: "Kick-off at ten" });
      await expect(sent.locator(".mention")).toHaveText(`@${member.name}`);
      await expect(sent.getByTestId("receipt")).toHaveText("read by 0 · unread 1");

      await b.page.goto("/chat");
      await b.page.getByTestId("conversation").filter({ hasText: "Launch team" }).click();
      await expect(b.page.getByTestId("message").filter({ hasText: "Kick-off at ten" })).toBeVisible();
      await expect(sent.getByTestId("receipt")).toHaveText("read by 1 · unread 0");
      await sent.getByTestId("receipt").click();
      await expect(a.page.getByTestId("read-list")).toContainText(member.name);
      await a.page.getByRole("button", { name: "Close" }).click();

      // A reaction from the colleague shows up for the owner.
      const theirs = b.page.getByTestId("message").filter({ hasText: "Kick-off at ten" });
      await theirs.hover();
      await theirs.getByRole("button", { name: "Add reaction" }).click();
      await b.page.getByRole("button", { name: "👍" }).click();
      await expect(sent.getByRole("button", { name: "👍 1" })).toBeVisible();
    });

    test("a reply in a thread reaches the other side", async () => {
      const theirs = b.page.getByTestId("message").filter({ hasText: "Kick-off at ten" });
      await theirs.hover();
      await theirs.getByRole("button", { name: "More actions" }).click();
      await b.page.getByRole("menuitem", { name: "Reply in thread" }).click();
      const thread = b.page.getByTestId("thread");
      await expect(thread).toContainText("Kick-off at ten");
      await b.page.getByLabel("Reply in thread").fill("Confirmed, see you at ten");
      await b.page.keyboard.press("Enter");
      await expect(thread).toContainText("Confirmed, see you at ten");
      await b.page.keyboard.press("Escape");

      // The owner sees the reply live, marked as part of a thread, and
      // opens the thread from it.
      const reply = a.page.getByTestId("message").filter({ hasText: "Confirmed, see you at ten" });
      await expect(reply).toBeVisible();
      await reply.getByRole("button", { name: "In a thread · open" }).click();
      await expect(a.page.getByTestId("thread")).toContainText("Kick-off at ten");
      await expect(a.page.getByTestId("thread")).toContainText("Confirmed, see you at ten");
      await a.page.keyboard.press("Escape");
      await expect(a.page.getByTestId("thread")).toBeHidden();
    });

    test("an image upload shows a preview on both sides", async () => {
      await a.page
        .getByTestId("file-input")
        .setInputFiles({ name: "launch-plan.png", mimeType: "image/png", buffer: gradientPNG() });
      const img = a.page.getByTestId("message").locator(".msg-image img").last();
      await expect(img).toBeVisible();
      await expect(b.page.getByTestId("message").locator(".msg-image img").last()).toBeVisible();
      await expect
        .poll(() =>
          img.evaluate((e) => (e as HTMLImageElement).complete && (e as HTMLImageElement).naturalWidth),
        )
        .toBeGreaterThan(0);
      await a.page.mouse.move(0, 0);
      await shot(a.page, "chat");
    });

    test("search finds a message and jumps to it", async () => {
      await b.page.goto("/chat/search");
      await b.page.getByLabel("Words to find").fill("welcome aboard");
      await b.page.getByRole("button", { name: "Search messages", exact: true }).last().click();
      const hit = b.page.getByRole("list", { name: "Results" }).getByRole("link").first();
      await expect(hit).toContainText("welcome aboard");
      await hit.click();
      await expect(b.page).toHaveURL(/at=msg_/);
      await expect(b.page.locator(".msg.highlight")).toContainText("welcome aboard");
    });
  });
