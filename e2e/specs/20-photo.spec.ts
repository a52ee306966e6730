// Profile photo: on a phone (375 px) a member picks a picture in Settings,
// moves the square with the keyboard and drags it, saves, and sees the photo
// in the account menu; a colleague sees it beside the member's message and
// in the conversation list; removing it brings the initials back.
import type { BrowserContext, Page } from "@playwright/test";
import { call, join, noSideScroll, ok } from "../lib/api";
import { expect, newPerson, pageErrors, test } from "../lib/fixtures";
import { owner } from "../lib/people";
import { gradientPNG } from "../lib/png";
import { signIn } from "../lib/steps";

type Person = { ctx: BrowserContext; page: Page };

const iris = { name: "Iris Lumen", email: "iris.lumen.photo@example.test", password: "smile-please-2026" };
const phone = { width: 375, height: 812 };

test.describe
  .serial("profile photo", () => {
    let a: Person;
    let m: Person;
    let irisId = "";
    let dm = "";

    test.beforeAll(async ({ browser }) => {
      a = await newPerson(browser);
      m = await newPerson(browser);
      await m.page.setViewportSize(phone);
      await signIn(a.page, owner);
      const orgId = (await ok(await call(a.page, "GET", "/api/v1/orgs/current"))).id;
      const link = await ok(await call(a.page, "POST", "/api/v1/invitations", { kind: "link" }));
      await join(m.page, iris, new URL(link.link).searchParams.get("token") ?? "");
      await ok(await call(m.page, "POST", "/api/v1/me/org", { org_id: orgId }));
      irisId = (await ok(await call(m.page, "GET", "/api/v1/me"))).id;
      const ownerId = (await ok(await call(a.page, "GET", "/api/v1/me"))).id;
      dm = (
        await ok(
          await call(m.page, "POST", "/api/v1/conversations", { kind: "direct", member_ids: [ownerId] }),
        )
      ).id;
      await ok(
        await call(m.page, "POST", `/api/v1/conversations/${dm}/messages`, {
          client_msg_id: `photo-${Date.now()}`,
          body: "Here is my new face",
        }),
      );
    });
    test.afterEach(() => {
      for (const p of [a, m]) expect(pageErrors(p.page), "console").toEqual([]);
    });
    test.afterAll(async () => {
      for (const p of [a, m]) await p.ctx.close();
    });

    test("a member crops and saves a photo on a phone; the account menu shows it", async () => {
      const p = m.page;
      await p.goto("/settings");
      const card = p.getByRole("region", { name: "Profile photo" });
      await expect(card.getByRole("button", { name: "Remove photo" })).toHaveCount(0);
      await card.getByTestId("photo-input").setInputFiles({
        name: "me.png",
        mimeType: "image/png",
        buffer: gradientPNG(480, 300),
      });
      const square = card.getByRole("button", { name: "Part of the picture to keep" });
      await expect(square).toBeVisible();
      await noSideScroll(p, "the photo editor");
      // Smaller (zoom in), then to the right with the keyboard.
      await square.focus();
      for (let i = 0; i < 5; i++) await square.press("+");
      const before = await square.boundingBox();
      await square.press("ArrowRight");
      await square.press("ArrowDown");
      const after = await square.boundingBox();
      expect(after?.x ?? 0).toBeGreaterThan(before?.x ?? 0);
      expect(after?.y ?? 0).toBeGreaterThan(before?.y ?? 0);
      // And dragged back to the left with the pointer.
      if (after) {
        await p.mouse.move(after.x + after.width / 2, after.y + after.height / 2);
        await p.mouse.down();
        await p.mouse.move(after.x + after.width / 2 - 30, after.y + after.height / 2, { steps: 4 });
        await p.mouse.up();
        const dragged = await square.boundingBox();
        expect(dragged?.x ?? 0).toBeLessThan(after.x);
      }
      await expect(card.getByRole("img", { name: "Preview" })).toBeVisible();
      const saved = p.waitForResponse(
        (r) => r.url().includes("/api/v1/me/photo") && r.request().method() === "PUT",
      );
      await card.getByRole("button", { name: "Save photo" }).click();
      expect((await saved).status()).toBe(200);
      await expect(card.getByRole("button", { name: "Remove photo" })).toBeVisible();
      const menu = p.getByRole("button", { name: `Account menu for ${iris.name}` });
      await expect(menu.getByTestId("avatar-photo")).toBeVisible();
      await expect
        .poll(() => menu.getByTestId("avatar-photo").evaluate((img: HTMLImageElement) => img.naturalWidth))
        .toBe(96);
      await noSideScroll(p, "settings with a photo");

      const photo = await call(p, "GET", `/api/v1/people/${irisId}/photo?size=512`);
      expect(photo.status()).toBe(200);
      expect(photo.headers()["content-type"]).toBe("image/jpeg");
    });

    test("a colleague sees the photo beside the message and in the conversation list", async () => {
      const p = a.page;
      await p.goto(`/chat/${dm}`);
      const msg = p.getByTestId("message").filter({ hasText: "Here is my new face" });
      await expect(msg.getByTestId("avatar-photo")).toBeVisible();
      const row = p.getByTestId("conversation").filter({ hasText: iris.name });
      await expect(row.getByTestId("avatar-photo")).toBeVisible();
      await expect
        .poll(() => msg.getByTestId("avatar-photo").evaluate((img: HTMLImageElement) => img.naturalWidth))
        .toBe(96);
    });

    test("removing the photo brings the initials back", async () => {
      const p = m.page;
      await p.goto("/settings");
      const card = p.getByRole("region", { name: "Profile photo" });
      await card.getByRole("button", { name: "Remove photo" }).click();
      await expect(card.getByRole("button", { name: "Upload a photo" })).toBeVisible();
      const menu = p.getByRole("button", { name: `Account menu for ${iris.name}` });
      await expect(menu.getByTestId("avatar-photo")).toHaveCount(0);
      await expect(menu).toContainText("IL");
      expect((await call(a.page, "GET", `/api/v1/people/${irisId}/photo?size=96`)).status()).toBe(404);
    });
  });
