// Finding and opening what was shared: search shows mentions and Markdown
// as text with the matched words marked, finds files by name, and "With
// files" alone lists the files; a conversation's details list its files;
// images and PDFs open in the app's viewer (a PDF drawn page by page), in
// English and Chinese, and on a 375 px phone.
import type { BrowserContext, Page } from "@playwright/test";
import { call, join, ok } from "../lib/api";
import { expect, newPerson, pageErrors, shot, test } from "../lib/fixtures";
import { tinyPDF } from "../lib/pdf";
import { owner } from "../lib/people";
import { gradientPNG } from "../lib/png";
import { signIn } from "../lib/steps";

type Person = { ctx: BrowserContext; page: Page };

const lin = { name: "Lin Xia", email: "lin.xia@example.test", password: "files-and-finds-2026" };
const group = "Ledger desk";

test.describe
  .serial("files and search", () => {
    let a: Person;
    let l: Person;
    let groupId = "";

    test.beforeAll(async ({ browser }) => {
      a = await newPerson(browser);
      l = await newPerson(browser);
      await signIn(a.page, owner);
      const link = await ok(await call(a.page, "POST", "/api/v1/invitations", { kind: "link" }));
      await join(l.page, lin, new URL(link.link).searchParams.get("token") ?? "");
      const linId = (await ok(await call(l.page, "GET", "/api/v1/me"))).id;
      groupId = (
        await ok(
          await call(a.page, "POST", "/api/v1/conversations", {
            kind: "internal",
            name: group,
            member_ids: [linId],
          }),
        )
      ).id;
      await ok(
        await call(a.page, "POST", `/api/v1/conversations/${groupId}/messages`, {
          client_msg_id: `files-${Date.now()}`,
          body: `**Quarterly** numbers for @[${lin.name}](${linId}) are in`,
        }),
      );
    });
    test.afterEach(() => {
      for (const p of [a, l]) expect(pageErrors(p.page), "console").toEqual([]);
    });
    test.afterAll(async () => {
      await a?.ctx.close();
      await l?.ctx.close();
    });

    test("the app sends text over its live socket, not over REST", async () => {
      const p = a.page;
      const sentFrames: string[] = [];
      const received: string[] = [];
      p.on("websocket", (ws) => {
        ws.on("framesent", (f) => sentFrames.push(String(f.payload)));
        ws.on("framereceived", (f) => received.push(String(f.payload)));
      });
      const posts: string[] = [];
      p.on("request", (r) => {
        if (
          r.method() === "POST" &&
          /\/api\/v1\/conversations\/[^/]+\/messages$/.test(new URL(r.url()).pathname)
        )
          posts.push(r.url());
      });
      await p.goto(`/chat/${groupId}`);
      await expect(p.getByRole("heading", { name: group })).toBeVisible();
      // Wait for the socket to be live.
      await expect.poll(() => received.some((f) => f.includes('"type":"ready"'))).toBe(true);
      const box = p.getByRole("combobox", { name: `Message ${group}` });
      await box.fill("Sent over the socket");
      await box.press("Enter");
      const mine = p.getByTestId("message").filter({ hasText: "Sent over the socket" });
      await expect(mine).toBeVisible();
      await expect(mine).not.toHaveClass(/pending/);
      expect(sentFrames.some((f) => f.includes('"type":"send"') && f.includes("Sent over the socket"))).toBe(
        true,
      );
      expect(posts).toEqual([]);
      // The other side has it.
      await l.page.goto(`/chat/${groupId}`);
      await expect(l.page.getByTestId("message").filter({ hasText: "Sent over the socket" })).toHaveCount(1);
    });

    test("files are shared: a PDF and an image", async () => {
      await a.page.goto(`/chat/${groupId}`);
      await expect(a.page.getByRole("heading", { name: group })).toBeVisible();
      await a.page.getByTestId("file-input").setInputFiles({
        name: "Ledger-2027.pdf",
        mimeType: "application/pdf",
        buffer: tinyPDF("Ledger 2027", 3),
      });
      await expect(a.page.getByTestId("message").filter({ hasText: "Ledger-2027.pdf" })).toBeVisible();
      await a.page
        .getByTestId("file-input")
        .setInputFiles({ name: "office-map.png", mimeType: "image/png", buffer: gradientPNG() });
      await expect(a.page.getByTestId("message").locator(".msg-image img").last()).toBeVisible();
    });

    test("search shows text, not markup, with the words marked, and finds files by name", async () => {
      const p = l.page;
      await p.goto("/chat/search");
      await p.getByLabel("Words to find").fill("quarterly");
      await p.getByRole("button", { name: "Search messages", exact: true }).last().click();
      const results = p.getByRole("list", { name: "Results" });
      const hit = results.getByRole("link").first();
      await expect(hit).toContainText(`Quarterly numbers for @${lin.name} are in`);
      await expect(hit).not.toContainText("**");
      await expect(hit).not.toContainText("acc_");
      await expect(hit.locator("mark")).toHaveText("Quarterly");
      await shot(p, "search");

      await p.getByLabel("Words to find").fill("ledger-2027");
      await p.getByRole("button", { name: "Search messages", exact: true }).last().click();
      await expect(results.getByRole("link")).toHaveCount(1);
      await expect(results.getByRole("link").first().locator("mark")).toHaveText("Ledger-2027");

      // With files alone: every file, newest first.
      await p.getByLabel("Words to find").fill("");
      await p.getByRole("checkbox", { name: "With files" }).check();
      await p.getByRole("button", { name: "Search messages", exact: true }).last().click();
      await expect(results.getByRole("link")).toHaveCount(2);
      await expect(results.getByRole("link").first()).toContainText("office-map.png");
      await shot(p, "search-files");
    });

    test("a conversation's files are listed in its details and open in the viewer", async () => {
      const p = l.page;
      await p.goto(`/chat/${groupId}`);
      await p.getByRole("button", { name: "Group details" }).click();
      const files = p.getByTestId("conversation-files");
      await expect(files.getByRole("listitem")).toHaveCount(2);
      await shot(p, "chat-files");
      await files.getByRole("button", { name: "Ledger-2027.pdf" }).click();
      const viewer = p.locator("dialog.viewer");
      await expect(viewer.getByRole("heading", { name: "Ledger-2027.pdf" })).toBeVisible();
      // PDF.js draws the three pages.
      await expect(viewer.locator("canvas.pdf-page")).toHaveCount(3);
      await expect(viewer.getByRole("region", { name: "3 pages" })).toBeVisible();
      await expect
        .poll(() =>
          viewer
            .locator("canvas.pdf-page")
            .first()
            .evaluate((c) => (c as HTMLCanvasElement).width),
        )
        .toBeGreaterThan(100);
      await shot(p, "viewer-pdf");
      await p.keyboard.press("Escape");
      await expect(viewer).toBeHidden();
      // The details stay open under it.
      await expect(files).toBeVisible();
    });

    test("an image in the conversation opens in the viewer", async () => {
      const p = l.page;
      await p.goto(`/chat/${groupId}`);
      await p.getByTestId("message").locator(".msg-image").last().click();
      const viewer = p.locator("dialog.viewer");
      await expect(viewer.getByRole("img", { name: "office-map.png" })).toBeVisible();
      await expect
        .poll(() => viewer.locator("img").evaluate((e) => (e as HTMLImageElement).naturalWidth))
        .toBeGreaterThan(0);
      await shot(p, "viewer-image");
      await viewer.getByRole("button", { name: "Close" }).click();
      await expect(viewer).toBeHidden();
      // The page did not navigate away.
      await expect(p).toHaveURL(new RegExp(`/chat/${groupId}`));
    });

    test("in Chinese on a phone: the files list and the PDF preview", async () => {
      const p = l.page;
      await p.setViewportSize({ width: 375, height: 740 });
      await p.evaluate(() => localStorage.setItem("atrium.lang", "zh"));
      await p.goto(`/chat/${groupId}`);
      await p.getByRole("button", { name: "群聊信息" }).click();
      const files = p.getByTestId("conversation-files");
      await expect(p.getByRole("heading", { name: "文件" })).toBeVisible();
      await files.getByRole("button", { name: "Ledger-2027.pdf" }).click();
      const viewer = p.locator("dialog.viewer");
      await expect(viewer.getByRole("link", { name: "下载" })).toBeVisible();
      await expect(viewer.locator("canvas.pdf-page")).toHaveCount(3);
      const width = await viewer
        .locator("canvas.pdf-page")
        .first()
        .evaluate((c) => c.getBoundingClientRect().width);
      expect(width).toBeLessThanOrEqual(375);
      await shot(p, "viewer-pdf-zh-phone");
      await p.keyboard.press("Escape");
      await p.evaluate(() => localStorage.setItem("atrium.lang", "en"));
    });
  });
