// Everyday organization habits: the owner's bell counts the people asking
// to join (when joining needs approval) and leads to the queue; deciding
// clears it. A direct chat with someone who deleted their account stays
// readable, says it is read-only, and the app never asks for that person's
// profile.
import type { BrowserContext, Page } from "@playwright/test";
import { call, join, noSideScroll, ok } from "../lib/api";
import { expect, newPerson, pageErrors, shot, test } from "../lib/fixtures";
import { owner } from "../lib/people";
import { signIn } from "../lib/steps";

type Person = { ctx: BrowserContext; page: Page };

const asker = { name: "Qian Wen", email: "qian.wen@example.test", password: "knock-knock-2026" };
const leaver = { name: "Zhou Li", email: "zhou.li@example.test", password: "goodbye-all-2026" };

test.describe
  .serial("organization habits", () => {
    let a: Person;
    let q: Person;
    let z: Person;

    test.beforeAll(async ({ browser }) => {
      a = await newPerson(browser);
      q = await newPerson(browser);
      z = await newPerson(browser);
      await signIn(a.page, owner);
    });
    test.afterEach(() => {
      for (const p of [a, q, z]) expect(pageErrors(p.page), "console").toEqual([]);
    });
    test.afterAll(async () => {
      await call(a.page, "PATCH", "/api/v1/orgs/current", { join_requires_approval: false });
      for (const p of [a, q, z]) await p.ctx.close();
    });

    test("the bell counts requests to join, and deciding clears it", async () => {
      const p = a.page;
      await ok(await call(p, "PATCH", "/api/v1/orgs/current", { join_requires_approval: true }));
      const link = await ok(await call(p, "POST", "/api/v1/invitations", { kind: "link" }));
      await join(q.page, asker, new URL(link.link).searchParams.get("token") ?? "");

      await p.setViewportSize({ width: 375, height: 740 });
      await p.goto("/chat");
      const bell = p.getByTestId("bell");
      await expect(bell).toHaveAccessibleName(/1 request to join/);
      await bell.click();
      await noSideScroll(p, "notifications");
      await p.getByTestId("join-requests-note").getByRole("link").click();
      await expect(p).toHaveURL(/\/admin\/requests/);
      const row = p.getByRole("listitem").filter({ hasText: asker.name });
      await row.getByRole("button", { name: "Approve" }).click();
      await expect(row).toHaveCount(0);
      await expect(bell).not.toHaveAccessibleName(/request to join/);
      await p.setViewportSize({ width: 1280, height: 800 });
    });

    test("a saved message is listed under Saved; a conversation marked unread shows it until opened", async () => {
      const p = a.page;
      const qMe = await ok(await call(q.page, "GET", "/api/v1/me"));
      const conv = await ok(
        await call(p, "POST", "/api/v1/conversations", {
          kind: "internal",
          name: "Budget",
          member_ids: [qMe.id],
        }),
      );
      await ok(
        await call(q.page, "POST", `/api/v1/conversations/${conv.id}/messages`, {
          client_msg_id: "budget-1",
          body: "Budget draft v2 is in the drive",
        }),
      );
      await p.goto(`/chat/${conv.id}`);
      const msg = p.getByTestId("message").filter({ hasText: "Budget draft v2" });
      await msg.hover();
      await msg.getByRole("button", { name: "More actions" }).click();
      await p.getByRole("menuitem", { name: "Save", exact: true }).click();
      await msg.hover();
      await msg.getByRole("button", { name: "More actions" }).click();
      await expect(p.getByRole("menuitem", { name: "Remove from saved" })).toBeVisible();
      await p.keyboard.press("Escape");

      await p.getByRole("link", { name: "Saved messages" }).click();
      await expect(p).toHaveURL(/\/chat\/saved/);
      const saved = p.getByTestId("saved-message");
      await expect(saved).toHaveCount(1);
      await expect(saved).toContainText("Budget draft v2");
      await expect(saved).toContainText(asker.name);
      await shot(p, "saved-messages");
      await saved.getByRole("link").click();
      await expect(p).toHaveURL(new RegExp(`/chat/${conv.id}`));

      await p.getByRole("button", { name: "Group details" }).click();
      await p.getByRole("button", { name: "Mark as unread" }).click();
      await expect(p).toHaveURL(/\/chat$/);
      const row = p.getByRole("link").filter({ hasText: "Budget" });
      await expect(row.getByTestId("marked-unread")).toBeVisible();
      await row.click();
      await expect(p.getByTestId("message").filter({ hasText: "Budget draft v2" })).toBeVisible();
      await expect(row.getByTestId("marked-unread")).toHaveCount(0);

      await p.getByRole("link", { name: "Saved messages" }).click();
      await saved.getByRole("button", { name: /^Remove/ }).click();
      await expect(saved).toHaveCount(0);
      await expect(p.getByText("No saved messages yet")).toBeVisible();
    });

    test("a direct chat with a deleted account is read-only", async () => {
      const p = a.page;
      await ok(await call(p, "PATCH", "/api/v1/orgs/current", { join_requires_approval: false }));
      const link = await ok(await call(p, "POST", "/api/v1/invitations", { kind: "link" }));
      await join(z.page, leaver, new URL(link.link).searchParams.get("token") ?? "");
      const zMe = await ok(await call(z.page, "GET", "/api/v1/me"));
      const conv = await ok(
        await call(p, "POST", "/api/v1/conversations", { kind: "direct", member_ids: [zMe.id] }),
      );
      await ok(
        await call(z.page, "POST", `/api/v1/conversations/${conv.id}/messages`, {
          client_msg_id: "bye-1",
          body: "Thanks for everything, goodbye!",
        }),
      );
      await ok(
        await call(p, "POST", `/api/v1/conversations/${conv.id}/messages`, {
          client_msg_id: "bye-2",
          body: "All the best, Zhou!",
        }),
      );
      await ok(await call(z.page, "POST", "/api/v1/me/erasures/account", { password: leaver.password }));
      await expect
        .poll(
          async () => (await ok(await call(p, "GET", `/api/v1/conversations/${conv.id}`))).peer_gone ?? false,
        )
        .toBe(true);

      const asked: string[] = [];
      p.on("request", (r) => {
        if (/\/api\/v1\/people\/tmb_/.test(r.url())) asked.push(r.url());
      });
      await p.goto(`/chat/${conv.id}`);
      // My message stays; the content of theirs went with their account.
      const history = p.getByTestId("messages");
      await expect(history.getByText("All the best, Zhou!")).toBeVisible();
      await expect(history.getByText("Thanks for everything, goodbye!")).toHaveCount(0);
      await expect(p.getByTestId("peer-gone")).toHaveText(/deleted their account/);
      await expect(p.getByRole("textbox", { name: /message/i })).toHaveCount(0);
      await expect(p.getByRole("heading", { name: "Deleted account" })).toBeVisible();
      expect(asked, "profiles of tombstones asked for").toEqual([]);
    });
  });
