// People: a status and Do Not Disturb set in Settings show beside the
// name in chat and on the directory profile; keywords and quiet hours are saved from Settings (on a
// phone, in Chinese) and a keyword notifies like a mention; @all / @所有人
// is offered in the composer only to those the organization allows, and
// the organization's setting changes who that is.
import type { BrowserContext, Page } from "@playwright/test";
import { call, join, noSideScroll, ok } from "../lib/api";
import { expect, newPerson, pageErrors, shot, test } from "../lib/fixtures";
import { owner } from "../lib/people";
import { signIn } from "../lib/steps";

type Person = { ctx: BrowserContext; page: Page };

const noah = { name: "Noah Berg", email: "noah.berg@example.test", password: "quiet-please-2026" };
const fang = { name: "方慧", email: "fang.hui@example.test", password: "wu-da-rao-2026" };

test.describe
  .serial("people: status, Do Not Disturb, keywords, @all", () => {
    let a: Person;
    let n: Person;
    let f: Person;
    let noahId = "";
    let fangId = "";
    let group = "";

    test.beforeAll(async ({ browser }) => {
      a = await newPerson(browser);
      n = await newPerson(browser);
      f = await newPerson(browser, "zh-CN");
      await signIn(a.page, owner);
      const orgId = (await ok(await call(a.page, "GET", "/api/v1/orgs/current"))).id;
      for (const [p, who] of [
        [n, noah],
        [f, fang],
      ] as const) {
        const link = await ok(await call(a.page, "POST", "/api/v1/invitations", { kind: "link" }));
        await join(p.page, who, new URL(link.link).searchParams.get("token") ?? "");
        await ok(await call(p.page, "POST", "/api/v1/me/org", { org_id: orgId }));
      }
      await ok(await call(f.page, "PATCH", "/api/v1/me", { locale: "zh" }));
      noahId = (await ok(await call(n.page, "GET", "/api/v1/me"))).id;
      fangId = (await ok(await call(f.page, "GET", "/api/v1/me"))).id;
      group = (
        await ok(
          await call(a.page, "POST", "/api/v1/conversations", {
            kind: "internal",
            name: "Launch crew",
            member_ids: [noahId, fangId],
          }),
        )
      ).id;
    });
    test.afterEach(() => {
      for (const p of [a, n, f]) expect(pageErrors(p.page), "console").toEqual([]);
    });
    test.afterAll(async () => {
      await call(a.page, "PATCH", "/api/v1/orgs/current", { mention_all: "admins" });
      for (const p of [a, n, f]) await p.ctx.close();
    });

    test("a status and Do Not Disturb show beside the name in chat", async () => {
      const p = n.page;
      await p.goto("/settings");
      const card = p.getByRole("region", { name: "Status and notifications" });
      await card.getByRole("radio", { name: "🌴" }).check();
      await card.getByLabel("What are you up to?").fill("On leave");
      await card.getByLabel("Clear after").selectOption("1h");
      await card.getByLabel("What are you up to?").press("Enter");
      await expect(card.getByTestId("my-status")).toContainText("🌴 On leave");
      await card.getByRole("button", { name: "For 1 hour" }).click();
      await expect(card.getByTestId("dnd-state")).toContainText("On until");
      await card.scrollIntoViewIfNeeded();
      await shot(p, "settings-status-dnd");

      const dm = await ok(
        await call(a.page, "POST", "/api/v1/conversations", { kind: "direct", member_ids: [noahId] }),
      );
      await a.page.goto(`/chat/${dm.id}`);
      const status = a.page.locator(".conv-header").getByTestId("person-status");
      await expect(status).toContainText("🌴 On leave");
      await expect(status).toContainText("Do Not Disturb");
      await shot(a.page, "chat-status");

      // At phone width the header still fits.
      await a.page.setViewportSize({ width: 375, height: 740 });
      await expect(status).toBeVisible();
      await noSideScroll(a.page, "a direct chat with a status");
      await a.page.setViewportSize({ width: 1280, height: 800 });

      // The directory profile shows it too.
      const found = await ok(await call(a.page, "GET", `/api/v1/members?q=${encodeURIComponent(noah.name)}`));
      await a.page.goto(`/directory?member=${found.items[0].id}`);
      await expect(a.page.locator(".dir-profile").getByTestId("person-status")).toContainText("🌴 On leave");

      // Ending Do Not Disturb and clearing the status take them away.
      await card.getByRole("button", { name: "Turn off" }).click();
      await expect(card.getByTestId("dnd-state")).toHaveText("Off");
      await card.getByRole("button", { name: "Clear status" }).click();
      await expect(card.getByTestId("my-status")).toHaveCount(0);
      await a.page.goto(`/chat/${dm.id}`);
      await expect(a.page.locator(".conv-header").getByTestId("person-status")).toHaveCount(0);
    });

    test("keywords and quiet hours from Settings on a phone, in Chinese; a keyword notifies like a mention", async () => {
      const p = f.page;
      await p.setViewportSize({ width: 375, height: 740 });
      await p.goto("/settings");
      const card = p.getByRole("region", { name: "状态与通知" });
      await card.getByLabel("从", { exact: true }).fill("22:00");
      await card.getByLabel("到", { exact: true }).fill("07:00");
      await card.getByLabel("时区", { exact: true }).fill("Asia/Shanghai");
      await card.getByLabel("关键词", { exact: true }).fill("发布, Launch");
      await card.getByRole("button", { name: "保存" }).click();
      await expect(card.getByText("已保存。", { exact: true })).toBeVisible();
      await noSideScroll(p, "status and notifications");
      await card.getByLabel("关键词", { exact: true }).scrollIntoViewIfNeeded();
      await shot(p, "settings-notify-zh-phone");
      const s = await ok(await call(p, "GET", "/api/v1/me/notify-settings"));
      expect(s).toMatchObject({
        quiet_start: "22:00",
        quiet_end: "07:00",
        time_zone: "Asia/Shanghai",
        keywords: ["发布", "Launch"],
      });

      const m = await ok(
        await call(a.page, "POST", `/api/v1/conversations/${group}/messages`, {
          client_msg_id: "p18-kw",
          body: "周五发布新版本",
        }),
      );
      const page = await ok(await call(p, "GET", "/api/v1/notifications?unread=true"));
      expect(page.items.map((x: { message_id: string }) => x.message_id)).toContain(m.id);
      await p.goto("/notifications");
      await expect(p.getByText("周五发布新版本")).toBeVisible();
      await noSideScroll(p, "notifications");
      await p.setViewportSize({ width: 1280, height: 800 });
    });

    test("@all is offered only to those the organization allows", async () => {
      // The owner may by default: the @ list offers it, Enter picks it.
      const p = a.page;
      await p.goto(`/chat/${group}`);
      const box = p.getByRole("combobox", { name: "Message Launch crew" });
      await box.fill("");
      await box.pressSequentially("@al");
      await expect(p.getByRole("option", { name: /^@all/ })).toBeVisible();
      await box.press("Enter");
      await box.pressSequentially("standup in 5");
      await box.press("Enter");
      await expect(p.getByTestId("message").filter({ hasText: "standup in 5" })).toBeVisible();

      // A member is not offered it, and the server refuses it.
      await n.page.goto(`/chat/${group}`);
      const nbox = n.page.getByRole("combobox", { name: "Message Launch crew" });
      await nbox.pressSequentially("@al");
      await expect(n.page.getByRole("option", { name: /^@all/ })).toHaveCount(0);
      const refused = await call(n.page, "POST", `/api/v1/conversations/${group}/messages`, {
        client_msg_id: "p18-all-1",
        body: "@all hello",
      });
      expect(refused.status()).toBe(403);
      expect((await refused.json()).error.code).toBe("mention_all_not_allowed");

      // The owner lets everyone mention @all in the admin console.
      await p.goto("/admin/org");
      await p.getByLabel("Who may mention @all").selectOption("everyone");
      await p.getByRole("button", { name: "Save", exact: true }).first().click();
      await expect(p.getByText("Saved.", { exact: true })).toBeVisible();

      // Now the member (English) and, on a phone, 方慧 (Chinese: @所有人) are offered it.
      await n.page.reload();
      await nbox.fill("");
      await nbox.pressSequentially("@al");
      await expect(n.page.getByRole("option", { name: /^@all/ })).toBeVisible();
      const fp = f.page;
      await fp.setViewportSize({ width: 375, height: 740 });
      await fp.goto(`/chat/${group}`);
      const fbox = fp.getByRole("combobox", { name: "发消息给 Launch crew" });
      await fbox.pressSequentially("@所");
      await expect(fp.getByRole("option", { name: /^@所有人/ })).toBeVisible();
      await fbox.press("Enter");
      await fbox.pressSequentially("开会");
      await fbox.press("Enter");
      await expect(fp.getByTestId("message").filter({ hasText: "@所有人 开会" })).toBeVisible();
      await noSideScroll(fp, "a group with @所有人");
      const bell = await ok(await call(n.page, "GET", "/api/v1/notifications?unread=true"));
      expect(
        bell.items.some(
          (x: { kind: string; message?: { body: string } }) =>
            x.kind === "mention" && x.message?.body === "@所有人 开会",
        ),
      ).toBe(true);
      await fp.setViewportSize({ width: 1280, height: 800 });
    });
  });
