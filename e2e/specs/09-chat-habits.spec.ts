// Everyday chat habits: the conversation list shows each conversation's
// last message; a conversation opened with unread messages starts at a
// "New messages" line and the tab counts what waits; drafts survive a
// switch and a reload; Ctrl+K finds a conversation; a plain member is not
// offered "Delete for everyone" on others' messages and deleting asks
// first; the theme follows the system or the setting. The list also works
// on a 375 px phone.
import type { BrowserContext, Page } from "@playwright/test";
import { call, join, ok } from "../lib/api";
import { expect, newPerson, pageErrors, test } from "../lib/fixtures";
import { org, owner } from "../lib/people";
import { signIn } from "../lib/steps";

type Person = { ctx: BrowserContext; page: Page };

const wen = { name: "Wen Jing", email: "wen.jing@example.test", password: "habits-of-mind-2026" };
const group = "Habits crew";

let sent = 0;
/** say sends a text message through the API. */
async function say(page: Page, conversation: string, body: string) {
  sent++;
  return ok(
    await call(page, "POST", `/api/v1/conversations/${conversation}/messages`, {
      client_msg_id: `habits-${Date.now()}-${sent}`,
      body,
    }),
  );
}

test.describe
  .serial("chat habits", () => {
    let a: Person;
    let w: Person;
    let groupId = "";
    let directId = "";
    let wenId = "";

    test.beforeAll(async ({ browser }) => {
      a = await newPerson(browser);
      w = await newPerson(browser);
      await signIn(a.page, owner);
      const link = await ok(await call(a.page, "POST", "/api/v1/invitations", { kind: "link" }));
      await join(w.page, wen, new URL(link.link).searchParams.get("token") ?? "");
      wenId = (await ok(await call(w.page, "GET", "/api/v1/me"))).id;
      groupId = (
        await ok(
          await call(a.page, "POST", "/api/v1/conversations", {
            kind: "internal",
            name: group,
            member_ids: [wenId],
          }),
        )
      ).id;
      directId = (
        await ok(await call(a.page, "POST", "/api/v1/conversations", { kind: "direct", member_ids: [wenId] }))
      ).id;
    });
    test.afterEach(() => {
      for (const p of [a, w]) expect(pageErrors(p.page), "console").toEqual([]);
    });
    test.afterAll(async () => {
      for (const p of [a, w]) await p.ctx.close();
    });

    test("the list shows the last message: sender, plain text, time", async () => {
      await say(a.page, directId, "psst");
      await say(
        a.page,
        groupId,
        `Hi @[${wen.name}](${wenId}), **please** read [the plan](https://example.test/plan)`,
      );
      const p = w.page;
      await p.goto("/chat");
      const row = p.getByTestId("conversation").filter({ hasText: group });
      await expect(row.getByTestId("preview")).toHaveText(
        `${owner.name}: Hi @${wen.name}, please read the plan`,
      );
      await expect(row.locator("time")).toBeVisible();
      // A direct conversation names no sender: the row is the person.
      const direct = p.getByTestId("conversation").filter({ hasText: "psst" });
      await expect(direct.getByTestId("preview")).toHaveText("psst");
      // A new message replaces the preview live.
      await say(a.page, groupId, "Stand-up moved to 9:30");
      await expect(row.getByTestId("preview")).toHaveText(`${owner.name}: Stand-up moved to 9:30`);
      // Opening the conversation reads it.
      await row.click();
      await expect(p.getByRole("heading", { name: group })).toBeVisible();
      await expect(row.getByTestId("unread")).toHaveCount(0);
      await p.goto("/chat");
    });

    test("a conversation opened with unread messages starts at the new-messages line", async () => {
      const p = w.page;
      // The list counts live: wait for the connection before the messages come.
      await expect(p.getByTestId("conversation").first()).toBeVisible();
      await expect(p.getByRole("status").filter({ hasText: /onnecting/ })).toHaveCount(0);
      for (let i = 1; i <= 30; i++) {
        await say(a.page, groupId, `Update ${i}\n\nDetails of update ${i}, line one.\nLine two.`);
      }
      const row = p.getByTestId("conversation").filter({ hasText: group });
      await expect(row.getByTestId("preview")).toContainText("Update 30");
      // The count the server keeps, after a reload (the live count is
      // checked in the unit tests of the list's cache: keepNewer).
      await p.reload();
      await expect(row.getByTestId("unread")).toContainText("30");
      await expect(p).toHaveTitle(/^\(3\d\) Atrium$/);
      await row.click();
      const divider = p.getByTestId("new-messages");
      await expect(divider).toBeInViewport();
      // The line stands right before the first unread message.
      const gap = await p.evaluate(() => {
        const d = document.querySelector('[data-testid="new-messages"]')?.getBoundingClientRect();
        const m = [...document.querySelectorAll('[data-testid="message"]')].find((x) =>
          /Update 1(?!\d)/.test(x.textContent ?? ""),
        );
        return d && m ? m.getBoundingClientRect().top - d.bottom : 999;
      });
      expect(Math.abs(gap)).toBeLessThan(40);
      // Not scrolled to the bottom.
      const fromBottom = await p
        .getByTestId("messages")
        .evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight);
      expect(fromBottom).toBeGreaterThan(300);
      // Read now: only the direct message still waits.
      await expect(p).toHaveTitle("(1) Atrium");
    });

    test("a draft survives switching conversations and a reload, and goes when sent", async () => {
      const p = w.page;
      const box = p.getByRole("combobox", { name: `Message ${group}` });
      await box.fill("Half-written reply about the plan");
      await p.getByTestId("conversation").filter({ hasText: "psst" }).click();
      await expect(p.getByRole("heading", { name: owner.name })).toBeVisible();
      const row = p.getByTestId("conversation").filter({ hasText: group });
      await expect(row.getByTestId("draft-marker")).toHaveText("Draft:");
      await expect(row.getByTestId("preview")).toContainText("Half-written reply");
      await p.reload();
      await expect(row.getByTestId("draft-marker")).toBeVisible();
      await row.click();
      await expect(box).toHaveValue("Half-written reply about the plan");
      await box.press("End");
      await box.press("Enter");
      await expect(p.getByTestId("message").filter({ hasText: "Half-written reply" })).toBeVisible();
      await p.getByTestId("conversation").filter({ hasText: "psst" }).click();
      await expect(row.getByTestId("draft-marker")).toHaveCount(0);
      await expect(row.getByTestId("preview")).toHaveText("You: Half-written reply about the plan");
    });

    test("Ctrl+K finds a conversation; ? lists the shortcuts", async () => {
      const p = w.page;
      await p.keyboard.press("Control+k");
      const dialog = p.getByRole("dialog", { name: "Go to a conversation" });
      await expect(dialog).toBeVisible();
      await dialog.getByRole("combobox").fill("crew");
      await expect(dialog.getByRole("option")).toHaveCount(1);
      await p.keyboard.press("ArrowDown");
      await p.keyboard.press("Enter");
      await expect(dialog).toBeHidden();
      await expect(p.getByRole("heading", { name: group })).toBeVisible();
      await p.getByRole("heading", { name: group }).click();
      await p.keyboard.press("?");
      const help = p.getByRole("dialog", { name: "Keyboard shortcuts" });
      await expect(help).toContainText("Go to a conversation");
      await p.keyboard.press("Escape");
      await expect(help).toBeHidden();
    });

    test("a member is offered Delete for everyone only on their own messages, and is asked first", async () => {
      const p = w.page;
      const theirs = p.getByTestId("message").filter({ hasText: "Update 30" });
      await theirs.scrollIntoViewIfNeeded();
      await theirs.hover();
      await theirs.getByRole("button", { name: "More actions" }).click();
      await expect(p.getByRole("menuitem", { name: "Delete for me" })).toBeVisible();
      await expect(p.getByRole("menuitem", { name: "Delete for everyone" })).toHaveCount(0);
      await p.keyboard.press("Escape");

      const mine = p.getByTestId("message").filter({ hasText: "Half-written reply" });
      await mine.hover();
      await mine.getByRole("button", { name: "More actions" }).click();
      await p.getByRole("menuitem", { name: "Delete for everyone" }).click();
      const confirm = p.getByRole("dialog", { name: "Delete this message for everyone?" });
      await expect(confirm).toBeVisible();
      await confirm.getByRole("button", { name: "Cancel" }).click();
      await expect(confirm).toBeHidden();
      await expect(mine).toContainText("Half-written reply");
      await mine.hover();
      await mine.getByRole("button", { name: "More actions" }).click();
      await p.getByRole("menuitem", { name: "Delete for everyone" }).click();
      await confirm.getByRole("button", { name: "Delete for everyone" }).focus();
      await p.keyboard.press("Enter");
      await expect(confirm).toBeHidden();
      await expect(p.getByText("This message was deleted.").last()).toBeVisible();
      await expect(
        p.getByTestId("conversation").filter({ hasText: group }).getByTestId("preview"),
      ).toHaveText("You: Message deleted");
    });

    test("revoking an invitation asks first", async () => {
      const p = a.page;
      await p.goto("/admin/invitations");
      await p.getByRole("button", { name: "Revoke" }).first().click();
      const confirm = p.getByRole("dialog", { name: "Revoke this invitation?" });
      await expect(confirm).toBeVisible();
      await confirm.getByRole("button", { name: "Cancel" }).click();
      await expect(confirm).toBeHidden();
    });

    test("a revoked link says so before sign-up, naming the organization", async ({ browser }) => {
      const inv = await ok(await call(a.page, "POST", "/api/v1/invitations", { kind: "link" }));
      const u = new URL(inv.link);
      const anon = await newPerson(browser);
      await anon.page.goto(u.pathname + u.search);
      await expect(anon.page.getByTestId("link-preview")).toContainText(
        `You are invited to join ${org.name}`,
      );
      await ok(await call(a.page, "DELETE", `/api/v1/invitations/${inv.id}`));
      await anon.page.reload();
      await expect(anon.page.getByRole("alert")).toContainText(
        `This invitation to ${org.name} was withdrawn.`,
      );
      await expect(anon.page.getByRole("link", { name: "Create an account" })).toHaveCount(0);
      await anon.ctx.close();
    });

    test("the theme follows the system, or the setting", async () => {
      const p = w.page;
      await p.emulateMedia({ colorScheme: "dark" });
      await p.goto("/settings");
      const html = p.locator("html");
      await expect(p.getByRole("radio", { name: "As the system" })).toBeChecked();
      await expect(html).toHaveAttribute("data-theme", "dark");
      await p.getByRole("radio", { name: "Light" }).check();
      await expect(html).toHaveAttribute("data-theme", "light");
      await p.reload();
      await expect(p.getByRole("radio", { name: "Light" })).toBeChecked();
      await expect(html).toHaveAttribute("data-theme", "light");
      await p.getByRole("radio", { name: "Dark" }).check();
      await p.emulateMedia({ colorScheme: "light" });
      await expect(html).toHaveAttribute("data-theme", "dark");
      const bg = await p.evaluate(() => getComputedStyle(document.body).backgroundColor);
      expect(bg).not.toBe("rgb(245, 246, 248)");
      await p.getByRole("radio", { name: "As the system" }).check();
      await expect(html).toHaveAttribute("data-theme", "light");
    });

    test("on a phone the list shows previews and the switcher works", async () => {
      const p = w.page;
      await p.setViewportSize({ width: 375, height: 740 });
      await p.goto("/chat");
      const row = p.getByTestId("conversation").filter({ hasText: group });
      await expect(row.getByTestId("preview")).toBeVisible();
      const over = await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(over, "the list scrolls sideways at 375 px").toBeLessThanOrEqual(0);
      await p.keyboard.press("Control+k");
      const dialog = p.getByRole("dialog", { name: "Go to a conversation" });
      await dialog.getByRole("combobox").fill(owner.name.slice(0, 3));
      await p.keyboard.press("Enter");
      await expect(p.getByRole("heading", { name: owner.name })).toBeVisible();
    });
  });
