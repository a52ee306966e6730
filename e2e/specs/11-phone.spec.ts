// The phone: Atrium as an installable app at 375 px. The manifest and its
// icons load and the service worker controls the page (what browsers
// require to offer "Install app"); the bottom tab bar (Chat with its unread
// badge, Contacts, Workspace, Me) navigates and nothing scrolls sideways;
// with the network gone, a reload opens the kept shell and the last
// conversation under an "offline" banner, a message written meanwhile
// waits and, back online, reaches the server exactly once; a push message
// delivered to the service worker shows a localized notification, and
// tapping it opens the message; and through the real server: a mention
// to the closed app leaves the server as an encrypted, signed push to a
// push service, shows as a notification (the generic text, or the
// message's when the organization says so), and tapping it opens the
// message.
import type { BrowserContext, CDPSession, Page, Worker } from "@playwright/test";
import { call, join, noSideScroll, ok } from "../lib/api";
import { expect, shot, test } from "../lib/fixtures";
import { owner } from "../lib/people";
import { Device, PushService } from "../lib/push";
import { signIn } from "../lib/steps";

const zhou = {
  name: "Zhou Min",
  email: `zhou.min.${Date.now()}@example.test`,
  password: "pocket-office-2026",
};
const group = "Pocket crew";
const phone = { width: 375, height: 812 };

/** pngSize reads a PNG's width and height from its header. */
function pngSize(b: Buffer): { width: number; height: number } {
  expect(b.subarray(1, 4).toString("ascii")).toBe("PNG");
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
}

/** history is the server's latest messages of a conversation, as the person on page sees them. */
async function history(page: Page, id: string): Promise<{ id: string; body: string }[]> {
  return (await ok(await call(page, "GET", `/api/v1/conversations/${id}/messages?limit=50`))).items;
}

test.describe
  .serial("the phone app", () => {
    let ctx: BrowserContext;
    let p: Page;
    let zctx: BrowserContext;
    let z: Page;
    let groupId = "";

    test.beforeAll(async ({ browser }) => {
      // Pages whose network is taken away log failed requests as console
      // errors: this story checks what shows instead.
      ctx = await browser.newContext({ locale: "en-US", timezoneId: "UTC", viewport: phone });
      p = await ctx.newPage();
      zctx = await browser.newContext({ locale: "en-US", timezoneId: "UTC" });
      z = await zctx.newPage();
      await signIn(p, owner);
      const link = await ok(await call(p, "POST", "/api/v1/invitations", { kind: "link" }));
      await join(z, zhou, new URL(link.link).searchParams.get("token") ?? "");
      const zhouId = (await ok(await call(z, "GET", "/api/v1/me"))).id;
      groupId = (
        await ok(
          await call(p, "POST", "/api/v1/conversations", {
            kind: "internal",
            name: group,
            member_ids: [zhouId],
          }),
        )
      ).id;
      await ok(
        await call(p, "POST", `/api/v1/conversations/${groupId}/messages`, {
          client_msg_id: `phone-${Date.now()}-1`,
          body: "Before the tunnel",
        }),
      );
    });
    test.afterAll(async () => {
      await ctx.close();
      await zctx.close();
    });

    test("installable: a valid manifest, icons that load, a service worker in control", async () => {
      await p.goto("/chat");
      await expect(p.getByRole("heading", { name: "Chat", exact: true })).toBeVisible();
      const href = await p.locator('link[rel="manifest"]').getAttribute("href");
      expect(href).toBe("/manifest.webmanifest");
      const res = await p.request.get(href ?? "");
      expect(res.status()).toBe(200);
      expect(res.headers()["content-type"]).toContain("application/manifest+json");
      const m = await res.json();
      expect(m).toMatchObject({ name: "Atrium", short_name: "Atrium", display: "standalone", scope: "/" });
      expect(m.start_url).toBe("/chat");
      expect(m.theme_color).toMatch(/^#[0-9a-f]{6}$/i);
      expect(m.background_color).toMatch(/^#[0-9a-f]{6}$/i);
      const sizes = new Set<string>();
      let maskable = false;
      for (const icon of m.icons as { src: string; sizes: string; type: string; purpose?: string }[]) {
        const r = await p.request.get(icon.src);
        expect(r.status(), icon.src).toBe(200);
        expect(r.headers()["content-type"]).toBe("image/png");
        const { width, height } = pngSize(await r.body());
        expect(`${width}x${height}`, icon.src).toBe(icon.sizes);
        sizes.add(icon.sizes);
        if (icon.purpose?.includes("maskable")) maskable = true;
      }
      expect([...sizes]).toEqual(expect.arrayContaining(["192x192", "512x512"]));
      expect(maskable).toBe(true);

      // The worker is served from the scope root as JavaScript, never cached for long.
      const sw = await p.request.get("/sw.js");
      expect(sw.status()).toBe(200);
      expect(sw.headers()["content-type"]).toContain("javascript");
      expect(sw.headers()["cache-control"]).toContain("no-cache");

      // It installs, activates and controls the page.
      const script = await p.evaluate(
        async () => (await navigator.serviceWorker.ready).active?.scriptURL ?? "",
      );
      expect(new URL(script).pathname).toBe("/sw.js");
      await p.waitForFunction(() => navigator.serviceWorker.controller !== null);

      // Chromium's own verdict: the manifest parses and nothing stands in the way of installing.
      const cdp = await ctx.newCDPSession(p);
      const man = (await cdp.send("Page.getAppManifest")) as { errors: unknown[]; url: string };
      expect(man.errors).toEqual([]);
      expect(man.url).toContain("/manifest.webmanifest");
      const inst = (await cdp.send("Page.getInstallabilityErrors")) as {
        installabilityErrors: { errorId: string }[];
      };
      // (Test browsers run in an incognito profile, which Chromium never installs into.)
      expect(inst.installabilityErrors.map((e) => e.errorId).filter((e) => e !== "in-incognito")).toEqual([]);
      await cdp.detach();
    });

    test("the bottom tab bar: Chat with its unread badge, Contacts, Workspace, Me", async () => {
      const tabs = p.getByRole("navigation", { name: "Sections" });
      await p.goto("/chat");
      await expect(tabs).toBeVisible();
      const chat = tabs.getByRole("link", { name: /Chat/ });
      await expect(chat).toHaveAttribute("aria-current", "page");
      // The badge is the unread total of the conversations that are not muted.
      type Conv = { unread_count: number; muted: boolean; dissolved: boolean };
      const before = (await ok(await call(p, "GET", "/api/v1/conversations"))).items.reduce(
        (n: number, c: Conv) => n + (c.muted || c.dissolved ? 0 : c.unread_count),
        0,
      );
      await ok(
        await call(z, "POST", `/api/v1/conversations/${groupId}/messages`, {
          client_msg_id: `phone-${Date.now()}-z`,
          body: "Are you on the train?",
        }),
      );
      await expect(chat.getByTestId("tab-count").locator('[aria-hidden="true"]')).toHaveText(
        before + 1 > 99 ? "99+" : String(before + 1),
      );

      await tabs.getByRole("link", { name: "Contacts" }).click();
      await expect(p).toHaveURL(/\/directory/);
      await expect(tabs.getByRole("link", { name: "Contacts" })).toHaveAttribute("aria-current", "page");

      await tabs.getByRole("link", { name: /Workspace/ }).click();
      await expect(p).toHaveURL(/\/workspace$/);
      await expect(p.getByRole("heading", { name: "Workspace", level: 1 })).toBeVisible();
      const main = p.locator("main#main");
      for (const app of ["Approvals", "Attendance", "Announcements", "Reports", "Calendar", "Tasks"]) {
        await expect(main.getByRole("link", { name: new RegExp(app) })).toBeVisible();
      }
      await noSideScroll(p, "the workspace");
      await shot(p, "phone-workspace");
      await main.getByRole("link", { name: /Approvals/ }).click();
      await expect(p).toHaveURL(/\/approvals/);
      await expect(tabs.getByRole("link", { name: /Workspace/ })).toHaveAttribute("aria-current", "page");

      await tabs.getByRole("link", { name: "Me" }).click();
      await expect(p).toHaveURL(/\/me$/);
      await expect(main.getByText(owner.email)).toBeVisible();
      // The language picker lives here on phones, inside the screen.
      const lang = main.getByRole("combobox", { name: "Language" });
      await expect(lang).toBeVisible();
      const box = await lang.boundingBox();
      expect((box?.x ?? 0) + (box?.width ?? 0)).toBeLessThanOrEqual(phone.width);
      await noSideScroll(p, "the Me tab");
      await main.getByRole("link", { name: "Account & security" }).click();
      await expect(p).toHaveURL(/\/settings$/);
      await expect(p.getByRole("heading", { name: "Notifications on this device" })).toBeVisible();
      await noSideScroll(p, "account & security");
      await p.goto("/admin/audit");
      await expect(p.getByRole("heading", { level: 1 }).first()).toBeVisible();
      await noSideScroll(p, "the audit log");

      await tabs.getByRole("link", { name: /Chat/ }).click();
      await expect(p).toHaveURL(/\/chat$/);
    });

    test("offline: the kept shell and conversation open, a send waits and goes out once", async () => {
      await p.goto(`/chat/${groupId}`);
      const messages = p.getByTestId("message");
      await expect(messages.filter({ hasText: "Before the tunnel" })).toBeVisible();
      await expect(messages.filter({ hasText: "Are you on the train?" })).toBeVisible();
      // The worker kept this conversation's latest messages.
      await expect
        .poll(() =>
          p.evaluate(async (id) => {
            const c = await caches.open("atrium-api");
            return (await c.keys()).some((r) => r.url.includes(`/conversations/${id}/messages`));
          }, groupId),
        )
        .toBe(true);

      await ctx.setOffline(true);
      // The network is gone for the worker too: what shows comes from its caches.
      const worker = ctx.serviceWorkers().find((w) => w.url().endsWith("/sw.js"));
      expect(
        await worker?.evaluate(() =>
          fetch("/api/v1/health").then(
            () => "reached the server",
            () => "offline",
          ),
        ),
      ).toBe("offline");
      await p.reload();
      await expect(p.getByTestId("offline-banner")).toBeVisible();
      await expect(p.getByTestId("offline-banner")).toContainText("You are offline.");
      await expect(p.getByTestId("offline-banner")).toBeInViewport();
      await expect(messages.filter({ hasText: "Before the tunnel" })).toBeVisible();
      await expect(messages.filter({ hasText: "Are you on the train?" })).toBeVisible();

      const text = `Sent from the tunnel ${Date.now()}`;
      const box = p.getByRole("combobox", { name: `Message ${group}` });
      await box.fill(text);
      await box.press("Enter");
      const mine = messages.filter({ hasText: text });
      await expect(mine).toBeVisible();
      await expect(mine).toContainText("Waiting for the network…");
      await expect(p.getByTestId("offline-banner")).toBeInViewport();
      await shot(p, "phone-offline");
      expect((await history(z, groupId)).filter((m) => m.body === text)).toHaveLength(0);

      await ctx.setOffline(false);
      await expect(p.getByTestId("offline-banner")).toBeHidden();
      await expect(mine).not.toContainText("Waiting for the network…");
      await expect
        .poll(async () => (await history(z, groupId)).filter((m) => m.body === text).length)
        .toBe(1);
      // A reload (and any retry it makes) does not send it again.
      await p.reload();
      await expect(messages.filter({ hasText: text })).toHaveCount(1);
      expect((await history(z, groupId)).filter((m) => m.body === text)).toHaveLength(1);
    });

    test("push: a delivered message shows a localized notification, and tapping it opens the message", async () => {
      const origin = new URL(p.url()).origin;
      await ctx.grantPermissions(["notifications"], { origin });
      await p.goto("/chat");
      await p.waitForFunction(() => navigator.serviceWorker.controller !== null);
      const target = (await history(z, groupId)).find((m) => m.body === "Are you on the train?");
      expect(target).toBeTruthy();

      const cdp: CDPSession = await ctx.newCDPSession(p);
      const registrationId = new Promise<string>((resolve) => {
        cdp.on("ServiceWorker.workerRegistrationUpdated", (e) => {
          for (const r of e.registrations as {
            registrationId: string;
            scopeURL: string;
            isDeleted: boolean;
          }[]) {
            if (r.scopeURL === `${origin}/` && !r.isDeleted) resolve(r.registrationId);
          }
        });
      });
      await cdp.send("ServiceWorker.enable");
      // The organization hides the content: no title, no body. (Delivered
      // again until it shows: the worker may still be starting; the tag
      // collapses repeats into one notification.)
      const payload = JSON.stringify({
        v: 1,
        kind: "mention",
        org_id: "",
        url: `/chat/${groupId}?m=${target?.id}`,
        tag: groupId,
        title: "",
        body: "",
      });
      const shown = () =>
        p.evaluate(async () =>
          (await (await navigator.serviceWorker.ready).getNotifications()).map((n) => ({
            title: n.title,
            body: n.body,
            tag: n.tag,
          })),
        );
      const id = await registrationId;
      await expect(async () => {
        await cdp.send("ServiceWorker.deliverPushMessage", { origin, registrationId: id, data: payload });
        await expect
          .poll(shown, { timeout: 3000 })
          .toEqual([{ title: "You were mentioned", body: "", tag: groupId }]);
      }).toPass({ timeout: 30_000 });
      await cdp.detach();

      // Tapping it: the worker's notificationclick brings this window
      // forward and shows the message in it.
      const worker: Worker | undefined = ctx.serviceWorkers().find((w) => w.url().endsWith("/sw.js"));
      expect(worker).toBeTruthy();
      await worker?.evaluate(async () => {
        const g = self as unknown as {
          registration: ServiceWorkerRegistration;
          dispatchEvent(e: Event): boolean;
          NotificationEvent: new (type: string, init: { notification: Notification }) => Event;
        };
        const [n] = await g.registration.getNotifications();
        try {
          g.dispatchEvent(new g.NotificationEvent("notificationclick", { notification: n }));
        } catch {
          // a synthetic event may not extend its lifetime; the handler has run
        }
      });
      await expect(p).toHaveURL(new RegExp(`/chat/${groupId}`));
      await expect(p.getByTestId("message").filter({ hasText: "Are you on the train?" })).toBeVisible();
      await expect
        .poll(() =>
          p.evaluate(async () => (await (await navigator.serviceWorker.ready).getNotifications()).length),
        )
        .toBe(0);
    });

    test("push through the server: a mention to the closed app arrives as a push, tapping it opens the message", async () => {
      // The phone's browser is this context, with the app's worker
      // installed; its push service is the loopback one (e2e/lib/push.ts)
      // the server's sender may reach in tests. The device's keys are made
      // here, the subscription made with the API as the web app does.
      const service = await PushService.start();
      try {
        const origin = new URL(p.url()).origin;
        await ctx.grantPermissions(["notifications"], { origin });
        await p.goto("/chat");
        await p.waitForFunction(() => navigator.serviceWorker.controller !== null);
        const adaId = (await ok(await call(p, "GET", "/api/v1/me"))).id;
        const org = await ok(await call(p, "GET", "/api/v1/orgs/current"));
        expect(org.settings.push_content).toBe("hidden");
        const cfg = await ok(await call(p, "GET", "/api/v1/push/config"));
        expect(cfg).toMatchObject({ enabled: true });
        const device = new Device();
        const endpoint = service.endpoint("ada-phone");
        const sub = await ok(
          await call(p, "POST", "/api/v1/me/push-subscriptions", {
            endpoint,
            keys: device.keys(),
            device_name: "Ada's phone",
          }),
        );
        expect(sub.endpoint_host).toBe("127.0.0.1");

        // The app closes: its page leaves for a blank one (no stream open),
        // the browser and its service worker stay.
        await p.goto("about:blank");
        const cdp = await ctx.newCDPSession(p);
        const registrationId = new Promise<string>((resolve) => {
          cdp.on("ServiceWorker.workerRegistrationUpdated", (e) => {
            for (const r of e.registrations as {
              registrationId: string;
              scopeURL: string;
              isDeleted: boolean;
            }[]) {
              if (r.scopeURL === `${origin}/` && !r.isDeleted) resolve(r.registrationId);
            }
          });
        });
        await cdp.send("ServiceWorker.enable");
        const regId = await registrationId;
        const worker = () => ctx.serviceWorkers().find((w) => w.url().endsWith("/sw.js"));
        const shown = async () => {
          try {
            return (
              (await worker()?.evaluate(async () => {
                const reg = (self as unknown as { registration: ServiceWorkerRegistration }).registration;
                return (await reg.getNotifications()).map((n) => ({
                  title: n.title,
                  body: n.body,
                  tag: n.tag,
                }));
              })) ?? []
            );
          } catch {
            return []; // the worker stopped meanwhile
          }
        };

        // mention: Zhou mentions Ada until the server pushes (a stream
        // closing is noticed at once, so one message is usually enough);
        // the push is opened here as the device would: VAPID signature,
        // RFC 8291 decryption.
        const sent = new Map<string, string>();
        const mention = async (words: string) => {
          const before = service.received.length;
          await expect(async () => {
            if (service.received.length === before) {
              const body = `@[${owner.name}](${adaId}) ${words}`;
              const m = await ok(
                await call(z, "POST", `/api/v1/conversations/${groupId}/messages`, {
                  client_msg_id: `push-${Date.now()}-${sent.size}`,
                  body,
                }),
              );
              sent.set(m.id, words);
            }
            await expect.poll(() => service.received.length, { timeout: 5000 }).toBeGreaterThan(before);
          }).toPass({ timeout: 60_000 });
          const r = service.received[before];
          expect(r.path).toBe("/send/ada-phone");
          expect(r.headers.urgency).toBe("high");
          expect(r.headers.ttl).toBe("86400");
          const pl = device.open(r, cfg.public_key, endpoint);
          const id = new URL(pl.url, origin).searchParams.get("m") ?? "";
          expect(sent.has(id), `the push names a message sent: ${pl.url}`).toBe(true);
          expect(pl).toMatchObject({ v: 1, kind: "mention", tag: groupId, url: `/chat/${groupId}?m=${id}` });
          return { pl, id, words: sent.get(id) ?? "" };
        };
        // deliver hands the decrypted payload to the worker, as the
        // browser's push service would, until the notification shows.
        const deliver = async (data: string, want: { title: string; body: string }) => {
          await expect(async () => {
            await cdp.send("ServiceWorker.deliverPushMessage", { origin, registrationId: regId, data });
            await expect.poll(shown, { timeout: 3000 }).toEqual([{ ...want, tag: groupId }]);
          }).toPass({ timeout: 30_000 });
        };

        // hidden (the default): the generic localized text, no name, no words.
        const hidden = await mention("the platform moved to 4");
        expect(hidden.pl).toMatchObject({ title: "", body: "" });
        await deliver(JSON.stringify(hidden.pl), { title: "You were mentioned", body: "" });

        // Tapping it with the app closed: the worker asks the browser to
        // open the message (a synthetic click may not open windows, so the
        // request is recorded and the page opened as the browser would).
        const opened = await worker()?.evaluate(async () => {
          const g = self as unknown as {
            registration: ServiceWorkerRegistration;
            clients: { openWindow(u: string | URL): Promise<unknown> };
            dispatchEvent(e: Event): boolean;
            NotificationEvent: new (type: string, init: { notification: Notification }) => Event;
          };
          const asked: string[] = [];
          g.clients.openWindow = async (u: string | URL) => {
            asked.push(String(u));
            return null;
          };
          const [n] = await g.registration.getNotifications();
          try {
            g.dispatchEvent(new g.NotificationEvent("notificationclick", { notification: n }));
          } catch {
            // a synthetic event may not extend its lifetime; the handler has run
          }
          for (let i = 0; i < 100 && asked.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
          return asked;
        });
        expect(opened?.map((u) => new URL(u, origin).pathname + new URL(u, origin).search)).toEqual([
          `/chat/${groupId}?m=${hidden.id}`,
        ]);
        await expect.poll(shown).toEqual([]);
        await p.goto(opened?.[0] ?? "");
        await expect(p).toHaveURL(new RegExp(`/chat/${groupId}`));
        await expect(p.getByTestId("message").filter({ hasText: hidden.words }).first()).toBeVisible();

        // full: the sender and the group as title, the message as body.
        await ok(await call(p, "PATCH", "/api/v1/orgs/current", { push_content: "full" }));
        await p.goto("about:blank");
        const full = await mention("the slides are ready");
        expect(full.pl.title).toBe(`${zhou.name} · ${group}`);
        expect(full.pl.body).toBe(`@${owner.name} the slides are ready`);
        await deliver(JSON.stringify(full.pl), { title: full.pl.title, body: full.pl.body });
        await cdp.detach();
      } finally {
        await call(p, "PATCH", "/api/v1/orgs/current", { push_content: "hidden" });
        for (const d of (await ok(await call(p, "GET", "/api/v1/me/push-subscriptions"))).items) {
          await call(p, "DELETE", `/api/v1/me/push-subscriptions/${d.id}`);
        }
        await service.close();
      }
    });

    test("signing out leaves no conversation on the device", async () => {
      await p.goto("/me");
      await p.locator("main#main").getByRole("button", { name: "Sign out" }).click();
      await expect(p).toHaveURL(/\/login/);
      const kept = await p.evaluate(async () => {
        const c = await caches.open("atrium-api");
        return (await c.keys()).map((r) => r.url);
      });
      expect(kept).toEqual([]);
    });
  });
