// Attendance: the owner makes a group with a geofence (its centre taken
// from "Use my current position"); a member on a phone taps Check in inside
// the fence, answers the notice and the location consent on the way, and
// sees "In area" with the place's name; outside the fence the check-out
// needs a note (the group's rule) and is marked out of area; the member's
// month shows today; the owner sees the member in the team view (in or out
// of the area and how far, never a position) and in the monthly report,
// and downloads it as CSV.
import { readFileSync } from "node:fs";
import type { BrowserContext, Page } from "@playwright/test";
import { call, join, noSideScroll, ok } from "../lib/api";
import { expect, newPerson, pageErrors, shot, test } from "../lib/fixtures";
import { owner } from "../lib/people";
import { signIn } from "../lib/steps";

type Person = { ctx: BrowserContext; page: Page };

const worker = { name: "Liu Yang", email: "liu.yang@example.test", password: "punch-clock-2026" };
const group = "Harbour team";
const place = "Harbour Office";
// The office, and a street about 3 km away.
const office = { latitude: 31.2304, longitude: 121.4737 };
const away = { latitude: 31.25, longitude: 121.5 };

test.describe
  .serial("attendance", () => {
    let a: Person;
    let m: Person;

    test.beforeAll(async ({ browser }) => {
      a = await newPerson(browser);
      m = await newPerson(browser);
      await signIn(a.page, owner);
      const link = await ok(await call(a.page, "POST", "/api/v1/invitations", { kind: "link" }));
      const token = new URL(link.link).searchParams.get("token") ?? "";
      await join(m.page, worker, token);
    });
    test.afterEach(() => {
      for (const p of [a, m]) expect(pageErrors(p.page), "console").toEqual([]);
    });
    test.afterAll(async () => {
      for (const p of [a, m]) await p.ctx.close();
    });

    test("the owner makes a group with a geofence", async () => {
      const p = a.page;
      await a.ctx.grantPermissions(["geolocation"]);
      await a.ctx.setGeolocation(office);
      await p.goto("/attendance");
      await expect(p.getByRole("heading", { name: "Attendance", level: 1 })).toBeVisible();
      await expect(p.getByTestId("att-no-group")).toBeVisible();
      await p.getByRole("link", { name: "Groups" }).click();
      await p.getByRole("button", { name: "New group" }).click();
      const form = p.getByRole("form", { name: "Attendance group" });
      await form.getByLabel("Name", { exact: true }).fill(group);
      await form.getByLabel("Find people").fill(worker.name);
      await form.getByRole("checkbox", { name: worker.name }).check();
      // Every day is a workday, so the story runs on any weekday.
      const days = form.getByRole("group", { name: "Workdays" }).getByRole("checkbox");
      for (let i = 0; i < 7; i++) await days.nth(i).check();

      await form.getByRole("button", { name: "Add a place" }).click();
      const pl = form.getByTestId("att-place");
      await pl.getByLabel("Place name").fill(place);
      await pl.getByRole("button", { name: "Use my current position" }).click();
      await expect(pl.getByLabel("Latitude")).toHaveValue("31.230400");
      await expect(pl.getByLabel("Longitude")).toHaveValue("121.473700");
      await pl.getByLabel("Radius (m)").fill("300");
      await form.getByLabel("Outside the area").selectOption("note");
      await form.getByLabel("Corrections per member a month").fill("2");
      await shot(p, "attendance-group");
      await form.getByRole("button", { name: "Save" }).click();
      await expect(p.getByTestId("att-group").filter({ hasText: group })).toContainText("1 place");
    });

    test("a member checks in at the office and out elsewhere on a phone", async () => {
      const p = m.page;
      await m.ctx.grantPermissions(["geolocation"]);
      await m.ctx.setGeolocation(office);
      await p.setViewportSize({ width: 375, height: 812 });
      await p.goto("/chat");
      await p.getByRole("button", { name: "Open navigation" }).click();
      await p
        .getByRole("navigation", { name: "Main" })
        .getByRole("link", { name: /Attendance/ })
        .click();
      await expect(p.getByText(`Group: ${group}`)).toBeVisible();
      await expect(p.getByTestId("att-first-in")).toHaveText("—");
      await noSideScroll(p, "the check-in screen");

      // The first tap meets the notice, then the location consent.
      await p.getByRole("button", { name: /^Check in/ }).click();
      const notice = p.getByRole("region", { name: "Before your first check-in" });
      await expect(notice).toContainText("never your position or a map");
      await shot(p, "attendance-notice-phone");
      await notice.getByRole("button", { name: "I have read this — check in" }).click();
      const consent = p.getByRole("region", { name: "Location consent needed" });
      await expect(consent.getByRole("link", { name: "Open the privacy center" })).toBeVisible();
      await consent.getByRole("button", { name: "Allow location for attendance and check in" }).click();

      const result = p.getByTestId("att-result");
      await expect(result).toContainText("Checked in at");
      await expect(result).toContainText("In area");
      await expect(result).toContainText(`Matched: ${place}`);
      await expect(p.getByTestId("att-first-in")).not.toHaveText("—");
      await noSideScroll(p, "the check-in result");
      await shot(p, "attendance-checkin-phone");

      // About 3 km away: the group accepts it only with a note.
      await m.ctx.setGeolocation(away);
      await p.getByRole("button", { name: /^Check out/ }).click();
      await expect(p.getByText("add a note to check in anyway")).toBeVisible();
      await p.getByLabel("Note").fill("Visiting a client at the harbour");
      await p.getByRole("button", { name: "Check out with this note" }).click();
      await expect(result).toContainText("Checked out at");
      await expect(result).toContainText("Out of area");
      await expect(result).toContainText(/Distance to the nearest place: \d(\.\d)? km/);
      await expect(p.getByTestId("att-last-out")).not.toHaveText("—");
      await expect(p.getByTestId("att-today")).toContainText("out of area");

      // The month: today has a status; tapped, its two check-ins.
      await p.getByRole("link", { name: "My month" }).click();
      const today = new Date().toISOString().slice(0, 10);
      const cell = p.getByTestId("att-calendar").locator(`[data-date="${today}"]`);
      await expect(cell).toHaveAttribute("aria-current", "date");
      await expect(cell.locator(".att-cell-status")).not.toBeEmpty();
      await cell.click();
      const detail = p.getByTestId("att-day-detail");
      await expect(detail.getByRole("listitem")).toHaveCount(2);
      await expect(detail.getByRole("listitem").nth(0)).toContainText(place);
      await expect(detail.getByRole("listitem").nth(1)).toContainText("Out of area");
      await noSideScroll(p, "the month");
      await shot(p, "attendance-month-phone");
    });

    test("a missed check-out is corrected through approvals; the owner approves from the card in chat", async () => {
      const p = m.page;
      // The month's "Request correction" opens this link for a day missing its check-out.
      const prefill = JSON.stringify({ date: "2026-12-01", kind: "#1", time: "18:05" });
      await p.goto(`/approvals/new?builtin=correction&prefill=${encodeURIComponent(prefill)}`);
      await expect(p.getByRole("heading", { name: "Attendance correction" })).toBeVisible();
      await expect(p.getByLabel("Date *")).toHaveValue("2026-12-01");
      await expect(p.getByLabel("Check-in or check-out *")).toHaveValue("Check-out");
      await expect(p.getByLabel("Time *")).toHaveValue("18:05");
      await p.getByLabel("Reason *").fill("Left in a hurry for the ferry");
      await p.getByRole("button", { name: "Preview the flow" }).click();
      await expect(p.getByTestId("flow-preview").getByTestId("preview-step").first()).toContainText(
        owner.name,
      );
      await p.getByRole("button", { name: "Submit" }).click();
      const view = p.getByTestId("approval-view");
      await expect(view.getByTestId("approval-status")).toHaveText("Pending");
      await noSideScroll(p, "the correction request");

      // The owner (the approval admin: Liu Yang has no supervisor) gets a card in chat.
      const o = a.page;
      await o.goto("/chat");
      await o.getByTestId("conversation").filter({ hasText: worker.name }).click();
      const card = o.getByTestId("message").getByRole("link", { name: /Attendance correction · Liu Yang/ });
      await expect(card).toContainText("Waiting for your approval");
      await card.click();
      await expect(o).toHaveURL(/\/approvals\/apr_/);
      await o.getByRole("button", { name: "Approve", exact: true }).click();
      await o
        .getByRole("dialog", { name: "Approve this request" })
        .getByRole("button", { name: "Approve", exact: true })
        .click();
      await expect(o.getByTestId("approval-status")).toHaveText("Approved");
      // And the worker hears of it, in their chat with the owner.
      await p.goto("/chat");
      await p.getByTestId("conversation").filter({ hasText: owner.name }).click();
      await expect(
        p
          .getByTestId("message")
          .getByRole("link", { name: /Attendance correction · Liu Yang/ })
          .last(),
      ).toContainText("Approved");
    });

    test("the owner sees the team and the monthly report, and downloads it", async () => {
      const p = a.page;
      await p.goto("/attendance/team");
      const card = p.getByTestId("att-team-member").filter({ hasText: worker.name });
      await expect(card).toContainText("In area");
      await expect(card).toContainText("Out of area");
      await expect(card).not.toContainText("31.2");
      await expect(card).not.toContainText("121.4");

      await p.getByRole("link", { name: "Monthly report" }).click();
      const row = p.getByTestId("att-report-member").filter({ hasText: worker.name });
      await expect(row).toBeVisible();
      await shot(p, "attendance-report");
      const [csv] = await Promise.all([
        p.waitForEvent("download"),
        p.getByRole("link", { name: "Download CSV" }).click(),
      ]);
      expect(csv.suggestedFilename()).toMatch(/^attendance-\d{4}-\d{2}\.csv$/);
      const text = readFileSync(await csv.path(), "utf8");
      expect(text).toContain(worker.name);
      const xlsx = await p.getByRole("link", { name: "Download Excel" }).getAttribute("href");
      const r = await p.request.get(xlsx ?? "");
      expect(r.ok()).toBeTruthy();
      expect(r.headers()["content-type"]).toContain("spreadsheetml");
    });
  });
