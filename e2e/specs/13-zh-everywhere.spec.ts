// Chinese everywhere: on a 375 px phone in Chinese, the words the server
// sends — invitation statuses, audit actions and outcomes, built-in roles
// and their descriptions, error codes — show in Chinese, never as the
// server's English or raw codes.
import type { BrowserContext, Page } from "@playwright/test";
import { call, join, noSideScroll, ok } from "../lib/api";
import { expect, newPerson, pageErrors, shot, test } from "../lib/fixtures";
import { owner } from "../lib/people";
import { signIn } from "../lib/steps";

const fang = { name: "Sun Li", email: "sun.li@example.test", password: "every-word-2026" };

test.describe
  .serial("Chinese everywhere", () => {
    let a: { ctx: BrowserContext; page: Page };

    test.beforeAll(async ({ browser }) => {
      a = await newPerson(browser);
      await signIn(a.page, owner);
      // Invitations in three states: active, revoked, used up.
      await ok(await call(a.page, "POST", "/api/v1/invitations", { kind: "link" }));
      const revoked = await ok(await call(a.page, "POST", "/api/v1/invitations", { kind: "link" }));
      await ok(await call(a.page, "DELETE", `/api/v1/invitations/${revoked.id}`));
      const once = await ok(await call(a.page, "POST", "/api/v1/invitations", { kind: "link", max_uses: 1 }));
      const f = await newPerson(browser);
      await join(f.page, fang, new URL(once.link).searchParams.get("token") ?? "");
      await f.ctx.close();
      // The owner's screens in Chinese, at phone width.
      await a.page.evaluate(() => localStorage.setItem("atrium.lang", "zh"));
      await a.page.setViewportSize({ width: 375, height: 740 });
    });
    test.afterEach(() => {
      expect(pageErrors(a.page), "owner's console").toEqual([]);
    });
    test.afterAll(async () => {
      await a.page.evaluate(() => localStorage.setItem("atrium.lang", "en"));
      await a.ctx.close();
    });

    test("invitation statuses are Chinese", async () => {
      await a.page.goto("/admin/invitations");
      const list = a.page.getByTestId("invitations");
      await expect(list.getByText("有效", { exact: true }).first()).toBeVisible();
      await expect(list.getByText("已撤销", { exact: true }).first()).toBeVisible();
      await expect(list.getByText("已用完", { exact: true }).first()).toBeVisible();
      await expect(list).not.toContainText(/\b(active|revoked|used_up|expired|declined)\b/);
      await noSideScroll(a.page, "invitations");
      await shot(a.page, "admin-invitations-zh-phone");
    });

    test("audit actions and outcomes are Chinese", async () => {
      await a.page.goto("/admin/audit");
      const actions = a.page.getByTestId("audit-action");
      await expect(actions.first()).toBeVisible();
      await expect(actions.filter({ hasText: /^创建邀请$/ }).first()).toBeVisible();
      await expect(actions.filter({ hasText: /^撤销邀请$/ }).first()).toBeVisible();
      // No action shows as a code such as "invitation.create".
      for (const text of await actions.allTextContents()) expect(text).not.toMatch(/[a-z]/);
      await expect(a.page.getByRole("table")).not.toContainText(/\b(success|denied|failure)\b/);
      await expect(a.page.getByRole("table").getByText("成功", { exact: true }).first()).toBeVisible();
      await shot(a.page, "admin-audit-zh-phone");
    });

    test("built-in roles and a server error are Chinese", async () => {
      await a.page.goto("/admin/roles");
      const names = a.page.getByTestId("role-name");
      await expect(names.filter({ hasText: /^所有者$/ })).toBeVisible();
      await expect(names.filter({ hasText: /^管理员$/ })).toBeVisible();
      await expect(names.filter({ hasText: /^成员$/ })).toBeVisible();
      await expect(a.page.getByText("拥有全部权限", { exact: true })).toBeVisible();
      await expect(a.page.getByRole("main")).not.toContainText(/\b(Owner|Admin|Every permission)\b/);
      // A role name taken twice: the server's role_name_taken, in Chinese.
      for (let i = 0; i < 2; i++) {
        await a.page.getByLabel("角色名称").fill("审计员");
        await a.page.getByRole("checkbox", { name: "查看审计日志" }).check();
        await a.page.getByRole("button", { name: "添加", exact: true }).click();
        if (i === 0) await expect(names.filter({ hasText: /^审计员$/ })).toBeVisible();
      }
      await expect(a.page.getByRole("alert").filter({ hasText: "已存在同名角色。" })).toBeVisible();
      await noSideScroll(a.page, "roles");
      await shot(a.page, "admin-roles-zh-phone");
    });
  });
