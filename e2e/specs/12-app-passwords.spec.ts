// App passwords on a 375 px phone: a person creates one in Account &
// security with their current password, sees it once with the addresses
// the calendar and file apps need, finds it listed (never its secret
// again), and revokes it after confirming.
import type { BrowserContext, Page } from "@playwright/test";
import { call, join, noSideScroll, ok } from "../lib/api";
import { expect, newPerson, pageErrors, shot, test } from "../lib/fixtures";
import { owner } from "../lib/people";
import { signIn } from "../lib/steps";

const mei = { name: "Mei Lin", email: "mei.lin@example.test", password: "calendars-everywhere-2026" };

test.describe
  .serial("app passwords", () => {
    let ctx: BrowserContext;
    let p: Page;
    let secret = "";

    test.beforeAll(async ({ browser }) => {
      const admin = await newPerson(browser);
      await signIn(admin.page, owner);
      const link = await ok(await call(admin.page, "POST", "/api/v1/invitations", { kind: "link" }));
      await admin.ctx.close();
      ({ ctx, page: p } = await newPerson(browser));
      await p.setViewportSize({ width: 375, height: 740 });
      await join(p, mei, new URL(link.link).searchParams.get("token") ?? "");
    });
    test.afterEach(() => {
      expect(pageErrors(p), "console").toEqual([]);
    });
    test.afterAll(async () => {
      await ctx.close();
    });

    test("create one: shown once, with the server addresses", async () => {
      await p.goto("/settings");
      const section = p.getByRole("region", { name: "App passwords" });
      await expect(section.getByText("You have no app passwords.")).toBeVisible();
      await section.getByText("Create an app password").click();
      await section.getByLabel("Name", { exact: true }).fill("Thunderbird on my laptop");
      await section.getByLabel("Current password").fill("not my password");
      await section.getByRole("button", { name: "Create", exact: true }).click();
      await expect(section.getByRole("alert")).toContainText("The password is wrong.");
      await section.getByLabel("Current password").fill(mei.password);
      await section.getByRole("button", { name: "Create", exact: true }).click();
      await expect(section.getByText('App password "Thunderbird on my laptop" created.')).toBeVisible();
      secret = ((await section.getByTestId("app-password-secret").textContent()) ?? "").trim();
      expect(secret).toMatch(/^[a-z2-7]{6}(-[a-z2-7]{6}){3}$/);
      const origin = new URL(p.url()).origin;
      await expect(section.getByText(`${origin}/caldav/`)).toBeVisible();
      await expect(section.getByText(`${origin}/dav/`)).toBeVisible();
      await expect(section.getByRole("button", { name: "Copy" })).toBeVisible();
      await noSideScroll(p, "a new app password");
      await shot(p, "app-password-created");
      await section.getByRole("button", { name: "Done" }).click();
      await expect(section.getByTestId("app-password-secret")).toHaveCount(0);
    });

    test("listed with its name, never its secret", async () => {
      await p.reload();
      const list = p.getByRole("list", { name: "App passwords" });
      await expect(list.getByRole("listitem")).toHaveCount(1);
      await expect(list.getByText("Thunderbird on my laptop")).toBeVisible();
      await expect(list.getByText("never used")).toBeVisible();
      expect(await p.content()).not.toContain(secret);
      const body = await (await call(p, "GET", "/api/v1/me/app-passwords")).text();
      expect(body).not.toContain(secret);
      await noSideScroll(p, "the app passwords list");
    });

    test("revoke it after confirming", async () => {
      const list = p.getByRole("list", { name: "App passwords" });
      await list.getByRole("button", { name: "Revoke the app password Thunderbird on my laptop" }).click();
      const dialog = p.getByRole("dialog", { name: 'Revoke "Thunderbird on my laptop"?' });
      await expect(dialog).toBeVisible();
      await dialog.getByRole("button", { name: "Cancel" }).click();
      await expect(list.getByRole("listitem")).toHaveCount(1);
      await list.getByRole("button", { name: "Revoke the app password Thunderbird on my laptop" }).click();
      await dialog.getByRole("button", { name: "Revoke", exact: true }).click();
      await expect(dialog).toBeHidden();
      await expect(list.getByRole("listitem")).toHaveCount(0);
      await expect(p.getByText("You have no app passwords.")).toBeVisible();
      const after = await ok(await call(p, "GET", "/api/v1/me/app-passwords"));
      expect(after.items).toEqual([]);
    });
  });
