// Everyday chat habits, part two: the emoji picker (composer and reactions,
// searchable, recently used), forwarding several messages as one chat
// record, a thread in a side panel (in Chinese, on a phone), and one read
// receipt per run of one's own messages.
import type { BrowserContext, Page } from "@playwright/test";
import { call, join, noSideScroll, ok } from "../lib/api";
import { expect, newPerson, pageErrors, shot, test } from "../lib/fixtures";
import { owner } from "../lib/people";
import { signIn } from "../lib/steps";

type Person = { ctx: BrowserContext; page: Page };

const colleague = { name: "Tang Ning", email: "tang.ning@example.test", password: "emoji-forward-2026" };

test.describe
  .serial("chat habits 2", () => {
    let a: Person;
    let b: Person;
    let group = "";
    let direct = "";
    let bId = "";

    test.describe.configure({ timeout: 120_000 });
    test.beforeAll(async ({ browser }) => {
      a = await newPerson(browser);
      b = await newPerson(browser);
      await signIn(a.page, owner);
      const link = await ok(await call(a.page, "POST", "/api/v1/invitations", { kind: "link" }));
      await join(b.page, colleague, new URL(link.link).searchParams.get("token") ?? "");
      bId = (await ok(await call(b.page, "GET", "/api/v1/me"))).id;
      group = (
        await ok(
          await call(a.page, "POST", "/api/v1/conversations", {
            kind: "internal",
            name: "Habits two",
            member_ids: [bId],
          }),
        )
      ).id;
      direct = (
        await ok(await call(a.page, "POST", "/api/v1/conversations", { kind: "direct", member_ids: [bId] }))
      ).id;
    });
    test.afterEach(() => {
      for (const p of [a, b]) expect(pageErrors(p.page), "console").toEqual([]);
    });
    test.afterAll(async () => {
      for (const p of [a, b]) await p.ctx.close();
    });

    test("the emoji picker finds any emoji for the composer and for reactions, and remembers it", async () => {
      const p = a.page;
      await p.goto(`/chat/${group}`);
      const box = p.getByRole("combobox", { name: "Message Habits two" });
      await box.fill("Launch day ");
      await p.getByRole("button", { name: "Emoji", exact: true }).click();
      const picker = p.getByTestId("emoji-picker");
      await expect(picker.getByRole("button", { name: "Grinning Face", exact: true })).toBeVisible();
      await shot(p, "emoji-picker");
      await picker.getByRole("searchbox", { name: "Search emoji" }).fill("rocket");
      await p.keyboard.press("Enter");
      await expect(picker).toBeHidden();
      await expect(box).toHaveValue("Launch day 🚀");
      await box.press("Enter");
      const sent = p.getByTestId("message").filter({ hasText: "Launch day 🚀" });
      await expect(sent).toBeVisible();

      // A reaction from the full picker, by keyboard: search, ↓ into the grid, Enter.
      await sent.hover();
      await sent.getByRole("button", { name: "Add reaction" }).click();
      await sent.getByRole("button", { name: "More emoji" }).click();
      await sent.getByRole("searchbox", { name: "Search emoji" }).fill("party popper");
      await p.keyboard.press("ArrowDown");
      await p.keyboard.press("Enter");
      await expect(sent.getByRole("button", { name: /🎉/ })).toHaveAttribute("aria-pressed", "true");

      // Both are remembered as recently used.
      await p.getByRole("button", { name: "Emoji", exact: true }).click();
      const recent = p.getByTestId("emoji-picker").getByRole("region", { name: "Recently used" });
      await expect(recent.getByRole("button")).toHaveText(["🎉", "🚀"]);
      await p.keyboard.press("Escape");
      await expect(p.getByTestId("emoji-picker")).toBeHidden();
    });

    test("several messages are forwarded as one chat record that opens in full", async () => {
      for (const [i, body] of ["Venue is booked", "Catering confirmed"].entries()) {
        await ok(
          await call(b.page, "POST", `/api/v1/conversations/${group}/messages`, {
            client_msg_id: `h2-${i}`,
            body,
          }),
        );
      }
      const p = a.page;
      await p.goto(`/chat/${group}`);
      const first = p.getByTestId("message").filter({ hasText: "Venue is booked" });
      await first.hover();
      await first.getByRole("button", { name: "More actions" }).click();
      await p.getByRole("menuitem", { name: "Select messages" }).click();
      await expect(p.getByTestId("select-bar")).toContainText("1 selected");
      await p
        .getByTestId("message")
        .filter({ hasText: "Catering confirmed" })
        .getByRole("checkbox", { name: "Select this message" })
        .check();
      await p.getByTestId("message").filter({ hasText: "Launch day" }).getByRole("checkbox").check();
      await expect(p.getByTestId("select-bar")).toContainText("3 selected");
      await p.getByTestId("select-bar").getByRole("button", { name: "Forward" }).click();
      const dlg = p.getByTestId("forward-dialog");
      await expect(dlg).toContainText("sent together as one chat history");
      await dlg.getByRole("checkbox", { name: colleague.name }).check();
      await shot(p, "forward-dialog");
      await dlg.getByRole("button", { name: "Send to 1 conversation" }).click();
      await expect(p.getByRole("status").filter({ hasText: "Forwarded to 1 conversation." })).toBeVisible();
      await expect(p.getByTestId("select-bar")).toBeHidden();

      await b.page.goto(`/chat/${direct}`);
      const card = b.page.getByTestId("record");
      await expect(card).toContainText(`Chat history of ${owner.name} and ${colleague.name}`);
      await expect(card).toContainText("3 messages");
      await card.click();
      const list = b.page.getByTestId("record-list");
      await expect(list.getByTestId("record-item")).toHaveCount(3);
      await expect(list.getByTestId("record-item").nth(0)).toContainText("Launch day 🚀");
      await expect(list.getByTestId("record-item").nth(2)).toContainText(colleague.name);
      await expect(list.getByTestId("record-item").nth(2)).toContainText("Catering confirmed");
      await shot(b.page, "chat-record");
      await b.page.keyboard.press("Escape");
      await expect(list).toBeHidden();
    });

    test("read receipts: one per run of my messages", async () => {
      for (const i of [1, 2, 3]) {
        await ok(
          await call(a.page, "POST", `/api/v1/conversations/${group}/messages`, {
            client_msg_id: `run-${i}`,
            body: `Run line ${i}`,
          }),
        );
      }
      const p = a.page;
      await p.goto(`/chat/${group}`);
      const run = p.getByTestId("message").filter({ hasText: /Run line \d/ });
      await expect(run).toHaveCount(3);
      await expect(run.getByTestId("receipt")).toHaveCount(1);
      await expect(run.nth(2).getByTestId("receipt")).toHaveText("read by 0 · unread 1");
      await b.page.goto(`/chat/${group}`);
      await expect(b.page.getByTestId("message").filter({ hasText: "Run line 3" })).toBeVisible();
      await expect(run.nth(2).getByTestId("receipt")).toHaveText("read by 1 · unread 0");
      await run.nth(2).getByTestId("receipt").click();
      await expect(p.getByTestId("read-list")).toContainText(colleague.name);
      await shot(p, "read-receipts");
      await p.getByRole("button", { name: "Close" }).click();
    });

    test("在手机上：话题显示回复数，在侧边面板中打开并回复", async () => {
      const root = await ok(
        await call(a.page, "POST", `/api/v1/conversations/${group}/messages`, {
          client_msg_id: "thread-root",
          body: "Agenda for Friday",
        }),
      );
      await ok(
        await call(a.page, "POST", `/api/v1/conversations/${group}/messages`, {
          client_msg_id: "thread-r1",
          body: "Item one: budget",
          thread_root_id: root.id,
        }),
      );
      const p = b.page;
      await p.evaluate(() => localStorage.setItem("atrium.lang", "zh"));
      await p.setViewportSize({ width: 375, height: 740 });
      await p.goto(`/chat/${group}`);
      const msg = p.getByTestId("message").filter({ hasText: "Agenda for Friday" });
      await expect(msg.getByTestId("thread-count")).toContainText("1 条回复");
      await msg.getByTestId("thread-count").click();
      const panel = p.getByRole("dialog", { name: "话题" });
      await expect(panel.getByTestId("thread")).toContainText("Item one: budget");
      const box = await panel.boundingBox();
      expect(box?.width).toBeGreaterThanOrEqual(370);
      await panel.getByLabel("在话题中回复").fill("Item two: venue");
      await p.keyboard.press("Enter");
      await expect(panel.getByTestId("thread")).toContainText("Item two: venue");
      await noSideScroll(p, "thread panel");
      await shot(p, "thread-zh-phone");
      await panel.getByRole("button", { name: "关闭" }).click();
      await expect(msg.getByTestId("thread-count")).toContainText("2 条回复");
      // The emoji picker fits the phone too.
      await p.getByRole("button", { name: "表情", exact: true }).click();
      const zhPicker = p.getByTestId("emoji-picker");
      await expect(zhPicker.getByRole("searchbox", { name: "搜索表情" })).toBeVisible();
      await noSideScroll(p, "emoji picker");
      // In Chinese the emoji have Chinese names and are found by Chinese words.
      await expect(zhPicker.getByRole("button", { name: "嘿嘿", exact: true })).toBeVisible();
      await zhPicker.getByRole("searchbox", { name: "搜索表情" }).fill("笑");
      await expect(zhPicker.getByRole("button", { name: "大笑", exact: true })).toHaveText("😄");
      await shot(p, "emoji-picker-zh-phone");
      await zhPicker.getByRole("searchbox", { name: "搜索表情" }).fill("心");
      await expect(zhPicker.getByRole("button", { name: "红心", exact: true })).toHaveText("❤️");
      await p.keyboard.press("Escape");
      await p.setViewportSize({ width: 1280, height: 800 });
      await p.evaluate(() => localStorage.setItem("atrium.lang", "en"));
    });
  });
