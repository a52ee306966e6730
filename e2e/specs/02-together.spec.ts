// Two people in real time: the owner invites a colleague, who registers and
// joins; they chat in two browser contexts (messages appear live, receipts
// update), upload an image, and search. Then a group is run from its details
// panel (topic, announcement, roles, pins, edit history), a mention reaches
// the colleague's notifications, and the group is left and dissolved.
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
      // Before any account: the link names the organization.
      await expect(p.getByTestId("link-preview")).toContainText(`You are invited to join ${org.name}`);
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

    test("the owner runs a group from its details: topic, announcement, roles, pins, edits", async () => {
      // A new group for this story, so the others stay as they were.
      await a.page.goto("/chat");
      await a.page.getByRole("button", { name: "New chat" }).first().click();
      await a.page.getByRole("radio", { name: /Internal group/ }).check();
      await a.page.getByLabel("Group name").fill("Design review");
      await a.page.getByRole("checkbox", { name: member.name }).check();
      await a.page.getByRole("button", { name: "Create group" }).click();
      await expect(a.page.getByRole("heading", { name: "Design review" })).toBeVisible();
      const box = a.page.getByRole("combobox", { name: "Message Design review" });
      await box.fill("Draft v1 of the spec is ready");
      await box.press("Enter");
      const draft = a.page.getByTestId("message").filter({ hasText: "of the spec is ready" });
      await expect(draft).toBeVisible();
      await expect(draft).not.toHaveClass(/pending/);
      // The owner corrects it: the earlier version is kept.
      await draft.hover();
      await draft.getByRole("button", { name: "More actions" }).click();
      await a.page.getByRole("menuitem", { name: "Edit" }).click();
      await box.fill("Draft v2 of the spec is ready");
      await box.press("Enter");
      await expect(draft).toContainText("Draft v2");

      // Topic and announcement, from the details panel.
      await a.page.getByRole("button", { name: "Group details" }).click();
      const panel = a.page.getByRole("dialog", { name: "Group details" });
      await expect(panel.getByTestId("member")).toHaveCount(2);
      await panel.getByLabel("Topic").fill("Spec review");
      await panel.getByLabel("Announcement").fill("Reviews close on Friday.");
      await panel.getByRole("button", { name: "Save" }).click();
      await expect(panel.getByText("Saved.")).toBeVisible();

      // The colleague sees them live, as a plain member.
      await b.page.goto("/chat");
      await b.page.getByTestId("conversation").filter({ hasText: "Design review" }).click();
      await expect(b.page.locator(".announcement")).toHaveText("Reviews close on Friday.");
      await expect(b.page.locator(".conv-header")).toContainText("Spec review");
      await b.page.getByRole("button", { name: "Group details" }).click();
      const theirs = b.page.getByRole("dialog", { name: "Group details" });
      await expect(theirs.getByText("Reviews close on Friday.")).toBeVisible();
      await expect(theirs.getByLabel("Topic")).toHaveCount(0);
      await expect(theirs.getByRole("button", { name: "Add people" })).toHaveCount(0);

      // The owner makes the colleague an admin; their panel turns editable.
      const row = panel.getByTestId("member").filter({ hasText: member.name });
      await row.getByRole("button", { name: `Actions for ${member.name}` }).click();
      await a.page.getByRole("menuitem", { name: "Make admin" }).click();
      await expect(row.getByText("Admin", { exact: true })).toBeVisible();
      // Escape closes a member's menu before it closes the panel.
      await row.getByRole("button", { name: `Actions for ${member.name}` }).click();
      await expect(a.page.getByRole("menuitem", { name: "Remove as admin" })).toBeVisible();
      await a.page.keyboard.press("Escape");
      await expect(a.page.getByRole("menuitem", { name: "Remove as admin" })).toHaveCount(0);
      await expect(panel).toBeVisible();
      await expect(theirs.getByLabel("Topic")).toHaveValue("Spec review");
      await expect(theirs.getByRole("button", { name: "Add people" })).toBeVisible();

      // Two admins edit at once: each save sends only its own field, and
      // what one is typing survives the other's save.
      await panel.getByLabel("Topic").fill("Spec review, round 2");
      await theirs.getByLabel("Announcement").fill("Reviews close on Monday.");
      await theirs.getByRole("button", { name: "Save" }).click();
      await expect(theirs.getByText("Saved.")).toBeVisible();
      await expect(panel.getByLabel("Announcement")).toHaveValue("Reviews close on Monday.");
      await expect(panel.getByLabel("Topic")).toHaveValue("Spec review, round 2");
      await panel.getByRole("button", { name: "Save" }).click();
      await expect(panel.getByText("Saved.")).toBeVisible();
      await expect(b.page.locator(".conv-header")).toContainText("Spec review, round 2");
      await expect(b.page.locator(".announcement")).toHaveText("Reviews close on Monday.");
      await b.page.keyboard.press("Escape");
      await expect(theirs).toBeHidden();

      // The colleague pins the draft; it shows in the owner's open panel.
      const bDraft = b.page.getByTestId("message").filter({ hasText: "Draft v2" });
      await bDraft.hover();
      await bDraft.getByRole("button", { name: "More actions" }).click();
      await b.page.getByRole("menuitem", { name: "Pin message" }).click();
      await expect(panel.getByTestId("pins")).toContainText("Draft v2 of the spec is ready");
      await panel.locator(".dialog-body").evaluate((e) => e.scrollTo(0, 0));
      await shot(a.page, "chat-details");
      await panel.getByRole("button", { name: "Show in chat" }).click();
      await expect(panel).toBeHidden();
      await expect(a.page.locator(".msg.highlight")).toContainText("Draft v2");

      // The colleague reads the edit history.
      await bDraft.getByRole("button", { name: "Edited — show earlier versions" }).click();
      const history = b.page.getByTestId("edit-history");
      await expect(history).toContainText("Draft v2 of the spec is ready");
      await expect(history).toContainText("Draft v1 of the spec is ready");
      await b.page.getByRole("button", { name: "Close" }).click();
      await expect(history).toBeHidden();
      // The colleague has read the draft by now, whatever the owner's list fetched meanwhile.
      await expect(draft.getByTestId("receipt")).toHaveText("read by 1 · unread 0");
    });

    test("a mention reaches the colleague's notifications", async () => {
      await b.page.goto("/directory");
      await expect(b.page.getByTestId("bell")).toHaveAccessibleName("Notifications");
      const box = a.page.getByRole("combobox", { name: "Message Design review" });
      await box.fill("Could you look at section 3, @李");
      await expect(a.page.getByRole("option", { name: `@${member.name}` })).toBeVisible();
      await a.page.keyboard.press("Enter");
      await box.press("End");
      await box.pressSequentially("thanks");
      await a.page.keyboard.press("Enter");
      await expect(a.page.getByTestId("message").filter({ hasText: "section 3" })).not.toHaveClass(/pending/);

      // The bell counts it live; the page says who, where and what.
      const bell = b.page.getByTestId("bell");
      await expect(bell).toHaveAccessibleName("Notifications, 1 unread");
      await bell.click();
      await expect(b.page.getByRole("heading", { name: "Notifications" })).toBeVisible();
      const note = b.page.getByTestId("notification").first();
      await expect(note).toContainText(`${owner.name} mentioned you in Design review`);
      await expect(note).toContainText(`Could you look at section 3, @${member.name}`);
      await expect(note.getByRole("img", { name: "Unread" })).toBeVisible();
      await shot(b.page, "notifications");

      // Opening it jumps to the message and reads it.
      await note.getByRole("link").click();
      await expect(b.page).toHaveURL(/\/chat\/.+at=msg_/);
      await expect(b.page.locator(".msg.highlight")).toContainText("section 3");
      await expect(bell).toHaveAccessibleName("Notifications");
      await bell.click();
      await expect(
        b.page.getByTestId("notification").first().getByRole("img", { name: "Unread" }),
      ).toHaveCount(0);
      await b.page.getByRole("link", { name: "Unread (0)" }).click();
      await expect(b.page.getByText("You are all caught up.")).toBeVisible();
    });

    test("the colleague leaves the group and the owner dissolves it", async () => {
      await b.page.goto("/chat");
      await b.page.getByTestId("conversation").filter({ hasText: "Design review" }).click();
      await b.page.getByRole("button", { name: "Group details" }).click();
      await b.page
        .getByRole("dialog", { name: "Group details" })
        .getByRole("button", { name: "Leave group" })
        .click();
      const ask = b.page.getByRole("dialog", { name: "Leave “Design review”?" });
      await expect(ask).toContainText("You will no longer see new messages");
      await ask.getByRole("button", { name: "Leave group" }).click();
      await expect(b.page).toHaveURL(/\/chat$/);
      await expect(b.page.getByTestId("conversation").filter({ hasText: "Design review" })).toHaveCount(0);

      // The owner's header follows; the owner adds the colleague back.
      await expect(a.page.locator(".conv-header")).toContainText("1 member");
      await a.page.getByRole("button", { name: "Group details" }).click();
      const panel = a.page.getByRole("dialog", { name: "Group details" });
      await expect(panel.getByTestId("member")).toHaveCount(1);
      await panel.getByRole("button", { name: "Add people" }).click();
      const add = a.page.getByRole("dialog", { name: "Add people" });
      await add.getByRole("checkbox", { name: member.name }).check();
      await add.getByRole("button", { name: "Add 1 person" }).click();
      await expect(add).toBeHidden();
      await expect(panel.getByTestId("member")).toHaveCount(2);
      await expect(b.page.getByTestId("conversation").filter({ hasText: "Design review" })).toBeVisible();

      // Then removes them, after asking; the group leaves the colleague's list again.
      const row = panel.getByTestId("member").filter({ hasText: member.name });
      await row.getByRole("button", { name: `Actions for ${member.name}` }).click();
      await a.page.getByRole("menuitem", { name: "Remove from group" }).click();
      const ask3 = a.page.getByRole("dialog", { name: `Remove ${member.name} from the group?` });
      await ask3.getByRole("button", { name: "Remove from group" }).click();
      await expect(panel.getByTestId("member")).toHaveCount(1);
      await expect(b.page.getByTestId("conversation").filter({ hasText: "Design review" })).toHaveCount(0);

      // Dissolving closes the composer.
      await panel.getByRole("button", { name: "Dissolve group" }).click();
      const ask2 = a.page.getByRole("dialog", { name: "Dissolve “Design review”?" });
      await ask2.getByRole("button", { name: "Dissolve group" }).click();
      await expect(ask2).toBeHidden();
      // The panel stays open, now for a dissolved group.
      await expect(panel).toContainText("Internal group · 1 member · dissolved");
      await expect(panel.getByRole("button", { name: "Dissolve group" })).toHaveCount(0);
      // A dissolved group can still be left, to clear it from one's list.
      await expect(panel.getByRole("button", { name: "Leave group" })).toBeVisible();
      await a.page.keyboard.press("Escape");
      await expect(a.page.getByText("This group was dissolved.")).toBeVisible();
      await expect(a.page.getByRole("combobox", { name: "Message Design review" })).toHaveCount(0);
    });
  });
