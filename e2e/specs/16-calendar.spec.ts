// The calendar: a manager adds a meeting room; Gao Yan schedules a meeting
// in it from her direct chat with Hu Bin (the room cannot be booked twice);
// Hu Bin sees the invitation card in the chat and accepts; both see the
// meeting in week view, Hu Bin's answer reflected; dragging over empty time
// opens the editor with that span and dragging the meeting moves it;
// reminders pop up on time (Escape dismisses, Open shows the event); on a
// 375 px phone in Chinese the calendar opens in day view.
import type { BrowserContext, Page } from "@playwright/test";
import { call, join, noSideScroll, ok } from "../lib/api";
import { expect, newPerson, pageErrors, shot, test } from "../lib/fixtures";
import { tinyPDF } from "../lib/pdf";
import { owner } from "../lib/people";
import { signIn } from "../lib/steps";

type Person = { ctx: BrowserContext; page: Page };

const gao = { name: "Gao Yan", email: "gao.yan@example.test", password: "meet-at-ten-2026" };
const hu = { name: "Hu Bin", email: "hu.bin@example.test", password: "room-with-a-view-2026" };
const room = "Lakeview 16";
const title = "Roadmap review";
// The browsers run in UTC: today's date is the UTC one.
const today = new Date().toISOString().slice(0, 10);

test.describe
  .serial("calendar", () => {
    let o: Person;
    let a: Person;
    let b: Person;
    let chat = "";

    test.beforeAll(async ({ browser }) => {
      o = await newPerson(browser);
      a = await newPerson(browser);
      b = await newPerson(browser);
      await signIn(o.page, owner);
      const link = await ok(await call(o.page, "POST", "/api/v1/invitations", { kind: "link" }));
      const token = new URL(link.link).searchParams.get("token") ?? "";
      await join(a.page, gao, token);
      await join(b.page, hu, token);
      const huId = (await ok(await call(b.page, "GET", "/api/v1/me"))).id;
      chat = (
        await ok(await call(a.page, "POST", "/api/v1/conversations", { kind: "direct", member_ids: [huId] }))
      ).id;
    });
    test.afterEach(() => {
      for (const p of [o, a, b]) expect(pageErrors(p.page), "console").toEqual([]);
    });
    test.afterAll(async () => {
      for (const p of [o, a, b]) await p.ctx.close();
    });

    test("a manager adds a meeting room", async () => {
      const p = o.page;
      await p.goto("/calendar/rooms");
      await expect(p.getByRole("heading", { name: "Calendar", level: 1 })).toBeVisible();
      await p.getByRole("button", { name: "Add a room" }).click();
      const d = p.getByRole("dialog", { name: "Add a meeting room" });
      await d.getByLabel("Name").fill(room);
      await d.getByLabel("Seats").fill("8");
      await d.getByLabel("Where").fill("Floor 3");
      await d.getByRole("button", { name: "Save" }).click();
      const row = p.getByTestId("cal-room").filter({ hasText: room });
      await expect(row).toContainText("8 seats");
      await expect(row).toContainText("Floor 3");
      // A plain member sees the rooms but may not add one.
      await b.page.goto("/calendar/rooms");
      await expect(b.page.getByTestId("cal-room").filter({ hasText: room })).toBeVisible();
      await expect(b.page.getByRole("button", { name: "Add a room" })).toHaveCount(0);
    });

    test("Gao Yan schedules a meeting in the room from the chat; the room is not booked twice", async () => {
      const p = a.page;
      await p.goto(`/chat/${chat}`);
      await p.getByRole("link", { name: "Schedule a meeting" }).click();
      const d = p.getByRole("dialog", { name: "New event" });
      await expect(d.getByText("The members of the chat are invited")).toBeVisible();
      await d.getByLabel("Title").fill(title);
      await d.getByLabel("Starts").fill(`${today}T10:00`);
      await d.getByLabel("Ends").fill(`${today}T11:00`);
      await d.getByLabel("Location").fill("Floor 3");
      const box = d.getByRole("checkbox", { name: new RegExp(room) });
      await expect(d.locator("label", { hasText: room })).toContainText("Free");
      await box.check();
      // The agenda goes with the invitation (uploaded to the file store).
      await d.getByLabel("Attach files").setInputFiles({
        name: "agenda.pdf",
        mimeType: "application/pdf",
        buffer: tinyPDF("Agenda", 1),
      });
      await expect(d.getByTestId("event-files")).toContainText("agenda.pdf");
      await shot(p, "calendar-editor");
      await d.getByRole("button", { name: "Save" }).click();
      await expect(d).toHaveCount(0);
      await expect(p).toHaveURL(/\/calendar$/);
      await expect(p.getByRole("button", { name: "Week", pressed: true })).toBeVisible();
      await expect(p.getByTestId("cal-event").filter({ hasText: title })).toBeVisible();

      // The same room at an overlapping time: refused, and said plainly.
      await p.getByRole("button", { name: "New event" }).click();
      const again = p.getByRole("dialog", { name: "New event" });
      await again.getByLabel("Title").fill("Clashing sync");
      await again.getByLabel("Starts").fill(`${today}T10:30`);
      await again.getByLabel("Ends").fill(`${today}T11:30`);
      await expect(again.locator("label", { hasText: room })).toContainText("Booked");
      await again.getByRole("checkbox", { name: new RegExp(room) }).check();
      await again.getByRole("button", { name: "Save" }).click();
      await expect(again.getByRole("alert")).toContainText(`${room} is already booked at that time`);
      await again.getByRole("button", { name: "Cancel" }).click();
      await expect(p.getByTestId("cal-event").filter({ hasText: "Clashing sync" })).toHaveCount(0);
    });

    test("Hu Bin accepts from the invitation card in the chat", async () => {
      const p = b.page;
      await p.goto("/calendar/invitations");
      await expect(p.getByTestId("cal-invite").filter({ hasText: title })).toBeVisible();
      await p.goto("/calendar");
      await expect(p.getByTestId("cal-event").filter({ hasText: title })).toContainText("Not answered");

      await p.goto(`/chat/${chat}`);
      const card = p.getByTestId("cal-card").filter({ hasText: title });
      await expect(card).toBeVisible();
      await expect(card).toContainText("1 accepted");
      await card.getByRole("button", { name: "Accept" }).click();
      await expect(card.getByRole("button", { name: "Accept" })).toHaveAttribute("aria-pressed", "true");
      await expect(card).toContainText("2 accepted");
      await shot(p, "calendar-chat-card");

      await p.getByRole("link", { name: "Calendar", exact: true }).first().click();
      await p.getByRole("link", { name: "Invitations" }).click();
      await expect(p.getByText("No invitations are waiting for an answer.")).toBeVisible();
    });

    test("both see the meeting in week view with Hu Bin's answer", async () => {
      for (const p of [a.page, b.page]) {
        await p.goto("/calendar");
        await expect(p.getByRole("button", { name: "Week", pressed: true })).toBeVisible();
        const ev = p.getByTestId("cal-event").filter({ hasText: title });
        await expect(ev).toBeVisible();
        await expect(ev).not.toContainText("Not answered");
      }
      const p = a.page;
      await shot(p, "calendar-week");
      await p.getByTestId("cal-event").filter({ hasText: title }).press("Enter");
      const detail = p.getByTestId("cal-detail");
      await expect(detail.getByRole("heading", { name: title })).toBeVisible();
      await expect(detail.getByTestId("cal-attendee").filter({ hasText: hu.name })).toContainText("Accepted");
      await expect(detail.getByTestId("cal-counts")).toHaveText(
        "2 accepted · 0 maybe · 0 declined · 0 not answered",
      );
      await expect(detail).toContainText(room);
      // Hu Bin, invited, opens the agenda from the event.
      const hp = b.page;
      await hp.goto("/calendar");
      await hp.getByTestId("cal-event").filter({ hasText: title }).press("Enter");
      const hd = hp.getByTestId("cal-detail");
      await hd.getByTestId("event-files").getByRole("button", { name: "agenda.pdf" }).click();
      const viewer = hp.locator("dialog.viewer");
      await expect(viewer.locator("canvas.pdf-page")).toHaveCount(1);
      await hp.keyboard.press("Escape");
    });

    test("dragging over empty time opens the editor; dragging the meeting moves it", async () => {
      const p = a.page;
      await p.goto("/calendar");
      const col = p.locator(`[data-testid="cal-col"][data-day="${today}"]`);
      const ev = p.getByTestId("cal-event").filter({ hasText: title });
      await expect(ev).toBeVisible();
      const c = await col.boundingBox();
      if (!c) throw new Error("no column");
      const hour = 48;
      const x = c.x + c.width * 0.8;
      await p.mouse.move(x, c.y + 14 * hour + 3);
      await p.mouse.down();
      await p.mouse.move(x, c.y + 14.5 * hour, { steps: 4 });
      await p.mouse.move(x, c.y + 15 * hour - 3, { steps: 4 });
      await p.mouse.up();
      const d = p.getByRole("dialog", { name: "New event" });
      await expect(d.getByLabel("Starts")).toHaveValue(`${today}T14:00`);
      await expect(d.getByLabel("Ends")).toHaveValue(`${today}T15:00`);
      await d.getByRole("button", { name: "Cancel" }).click();

      // Two hours down: from 10:00 to 12:00.
      const e = await ev.boundingBox();
      if (!e) throw new Error("no event");
      await p.mouse.move(e.x + 10, e.y + 8);
      await p.mouse.down();
      await p.mouse.move(e.x + 10, e.y + 8 + hour, { steps: 4 });
      await p.mouse.move(e.x + 10, e.y + 8 + 2 * hour, { steps: 4 });
      await p.mouse.up();
      await expect(ev).toHaveAttribute("aria-label", /12:00\s?PM/);
      const list = await ok(
        await call(p, "GET", `/api/v1/events?from=${today}T00:00:00Z&to=${today}T23:59:59Z`),
      );
      const moved = list.items.find((x: { title?: string }) => x.title === title);
      expect(new Date(moved.start_at).toISOString()).toBe(`${today}T12:00:00.000Z`);
    });

    test("a repeating event dragged asks which occurrences move", async () => {
      const p = a.page;
      const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
      await ok(
        await call(p, "POST", "/api/v1/events", {
          title: "Standup",
          start: `${today}T08:00`,
          end: `${today}T08:30`,
          time_zone: "UTC",
          rrule: "FREQ=DAILY;COUNT=5",
        }),
      );
      await p.goto("/calendar");
      await p.getByRole("button", { name: "Day", exact: true }).click();
      const ev = p.getByTestId("cal-event").filter({ hasText: "Standup" });
      const e = await ev.boundingBox();
      if (!e) throw new Error("no event");
      await p.mouse.move(e.x + 10, e.y + 6);
      await p.mouse.down();
      await p.mouse.move(e.x + 10, e.y + 6 + 24, { steps: 3 });
      await p.mouse.move(e.x + 10, e.y + 6 + 48, { steps: 3 });
      await p.mouse.up();
      const d = p.getByRole("dialog", { name: "Move a repeating event" });
      await d.getByRole("radio", { name: "This event", exact: true }).check();
      await d.getByRole("button", { name: "Continue" }).click();
      await expect(ev).toHaveAttribute("aria-label", /9:00\s?AM/);
      const list = await ok(
        await call(p, "GET", `/api/v1/events?from=${today}T00:00:00Z&to=${tomorrow}T23:59:59Z`),
      );
      const starts = list.items
        .filter((x: { title?: string }) => x.title === "Standup")
        .map((x: { start_at: number }) => new Date(x.start_at).toISOString());
      expect(starts).toEqual([`${today}T09:00:00.000Z`, `${tomorrow}T08:00:00.000Z`]);
    });

    test("find a time suggests common free times and fills the editor", async () => {
      const p = a.page;
      await p.goto("/calendar");
      await p.getByRole("link", { name: "Find a time" }).click();
      await p.getByRole("searchbox", { name: "Find people" }).fill(hu.name);
      await p.getByRole("checkbox", { name: hu.name }).check();
      await p.getByLabel("Length").selectOption("60");
      await expect(p.getByTestId("cal-freebusy").locator(".cal-fb-row")).toHaveCount(3);
      await expect(p.getByTestId("cal-freebusy")).toContainText(hu.name);
      const slot = p.getByTestId("cal-slot").first();
      await expect(slot).toBeVisible();
      await shot(p, "calendar-find-a-time");
      await slot.click();
      const d = p.getByRole("dialog", { name: "New event" });
      await expect(d.getByRole("button", { name: `Remove ${hu.name}` })).toBeVisible();
      const start = await d.getByLabel("Starts").inputValue();
      const end = await d.getByLabel("Ends").inputValue();
      expect(Date.parse(`${end}Z`) - Date.parse(`${start}Z`)).toBe(3_600_000);
      await d.getByRole("button", { name: "Cancel" }).click();
      await expect(p).toHaveURL(/\/calendar$/);
    });

    test("reminders pop up on time: Escape dismisses one, Open shows the other event", async () => {
      // The reminder job runs every minute: events starting in three
      // minutes with a five-minute reminder are due at its next run.
      test.setTimeout(180_000);
      const p = b.page;
      await p.goto("/calendar");
      await expect(p.getByRole("heading", { name: "Calendar", level: 1 })).toBeVisible();
      const wall = (ms: number) => new Date(ms).toISOString().slice(0, 16);
      const at = Date.now() + 3 * 60_000;
      const ids: Record<string, string> = {};
      for (const name of ["Stand-up soon", "Coffee soon"]) {
        const ev = await ok(
          await call(p, "POST", "/api/v1/events", {
            title: name,
            start: wall(at),
            end: wall(at + 15 * 60_000),
            time_zone: "UTC",
            reminders: [{ minutes: 5 }],
          }),
        );
        ids[name] = ev.id;
      }
      const pops = p.getByTestId("cal-reminder");
      await expect(pops).toHaveCount(2, { timeout: 150_000 });
      await expect(pops.first()).toContainText("Starts");
      await shot(p, "calendar-reminder");
      await p.keyboard.press("Escape");
      await expect(pops).toHaveCount(1);
      await expect(pops.first()).toHaveAttribute("aria-label", /^Reminder: (Stand-up|Coffee) soon$/);
      const left = (await pops.first().getAttribute("aria-label"))?.replace("Reminder: ", "") ?? "";
      expect(Object.keys(ids)).toContain(left);
      await pops.first().getByRole("button", { name: "Open" }).click();
      await expect(p).toHaveURL(new RegExp(`/calendar/events/${ids[left]}`));
      await expect(pops).toHaveCount(0);
      await p.goto("/calendar");
      for (const id of Object.values(ids))
        expect((await call(p, "DELETE", `/api/v1/events/${id}`)).status()).toBe(204);
    });

    test("in Chinese on a 375 px phone the calendar opens in day view", async () => {
      const p = b.page;
      await p.evaluate(() => localStorage.setItem("atrium.lang", "zh"));
      await p.setViewportSize({ width: 375, height: 740 });
      await p.goto("/calendar");
      await expect(p.getByRole("heading", { name: "日历", level: 1 })).toBeVisible();
      await expect(p.getByRole("button", { name: "日", exact: true, pressed: true })).toBeVisible();
      await expect(p.getByRole("button", { name: "新建日程" })).toBeVisible();
      await expect(p.getByRole("button", { name: "今天" })).toBeVisible();
      await expect(p.getByTestId("cal-event").filter({ hasText: title })).toBeVisible();
      await expect(p.locator(".cal-toolbar")).not.toContainText(/\b(Today|Week|Month|New event)\b/);
      await noSideScroll(p, "the calendar");
      await shot(p, "calendar-day-zh-phone");
      // The editor fills the phone's screen without scrolling sideways.
      await p.getByRole("button", { name: "新建日程" }).click();
      const d = p.getByRole("dialog", { name: "新建日程" });
      await expect(d.getByLabel("标题")).toBeVisible();
      const over = await d.evaluate((el) => el.scrollWidth - el.clientWidth);
      expect(over, "the editor scrolls sideways at 375 px").toBeLessThanOrEqual(0);
      await shot(p, "calendar-editor-zh-phone");
      await d.getByRole("button", { name: "取消" }).click();
      await p.getByTestId("cal-event").filter({ hasText: title }).click();
      const detail = p.getByTestId("cal-detail");
      await expect(detail.getByTestId("cal-attendee").filter({ hasText: hu.name })).toContainText("已接受");
      await expect(detail.getByRole("button", { name: "接受" })).toHaveAttribute("aria-pressed", "true");
      await noSideScroll(p, "the event");
      await p.evaluate(() => localStorage.setItem("atrium.lang", "en"));
    });
  });
