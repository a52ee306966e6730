// Work reports: the owner designs a template whose reports go to the
// owner as the chosen recipient; a member writes and
// submits a report on a phone; the owner finds it unread in the inbox,
// opens it and comments; the author sees, live, that it was read.
import type { BrowserContext, Page } from "@playwright/test";
import { call, noSideScroll, ok } from "../lib/api";
import { expect, lastCode, logLines, newPerson, pageErrors, shot, test } from "../lib/fixtures";
import { owner } from "../lib/people";
import { signIn } from "../lib/steps";

type Person = { ctx: BrowserContext; page: Page };

const writer = { name: "Chen Jing", email: "chen.jing@example.test", password: "sales-visits-2026" };
const template = "Customer visit report";

test.describe
  .serial("reports", () => {
    let a: Person;
    let w: Person;
    let id = "";
    let dept = "";

    test.beforeAll(async ({ browser }) => {
      a = await newPerson(browser);
      w = await newPerson(browser);
      await signIn(a.page, owner);
      dept = (await ok(await call(a.page, "POST", "/api/v1/departments", { name: "Field Sales" }))).id;
      // The owner is the template's chosen recipient.
      const me = await ok(await call(a.page, "GET", "/api/v1/me"));
      const members = await ok(
        await call(a.page, "GET", `/api/v1/members?q=${encodeURIComponent(owner.email)}`),
      );
      const mine = members.items.find((m: { account_id: string }) => m.account_id === me.id);
      expect(mine).toBeTruthy();
      // A member joins the department.
      const link = await ok(
        await call(a.page, "POST", "/api/v1/invitations", { kind: "link", department_id: dept }),
      );
      const token = new URL(link.link).searchParams.get("token") ?? "";
      const from = logLines();
      let r = await w.page.request.post("/api/v1/auth/register", { data: writer });
      expect(r.status()).toBe(202);
      r = await w.page.request.post("/api/v1/auth/verify", {
        data: { email: writer.email, code: await lastCode(writer.email, from), password: writer.password },
      });
      expect(r.ok()).toBeTruthy();
      await ok(await call(w.page, "POST", "/api/v1/join", { token }));
      // The template: reports go to the owner.
      await ok(
        await call(a.page, "POST", "/api/v1/report-templates", {
          name: template,
          period: "custom",
          plans: true,
          fields: [
            { id: "customer", label: "Customer", kind: "text", required: true, options: [] },
            { id: "hours", label: "Hours", kind: "number", required: false, options: [] },
            {
              id: "outcome",
              label: "Outcome",
              kind: "choice",
              required: true,
              options: ["Order", "Follow-up"],
            },
            { id: "next_visit", label: "Next visit", kind: "date", required: false, options: [] },
          ],
          recipients: { supervisor: false, department_leaders: false, member_ids: [mine.id] },
        }),
      );
    });
    test.afterEach(() => {
      for (const p of [a, w]) expect(pageErrors(p.page), "console").toEqual([]);
    });
    test.afterAll(async () => {
      for (const p of [a, w]) await p.ctx.close();
    });

    test("a member writes and submits a report on a phone", async () => {
      const p = w.page;
      await p.setViewportSize({ width: 375, height: 667 });
      await p.goto("/chat");
      await p.getByRole("button", { name: "Open navigation" }).click();
      await p
        .getByRole("navigation", { name: "Main" })
        .getByRole("link", { name: /Reports/ })
        .click();
      await expect(p.getByRole("heading", { name: "Reports", level: 1 })).toBeVisible();
      await expect(p.getByText("No reports were sent to you yet.")).toBeVisible();
      await p.getByRole("link", { name: "Write" }).click();
      await p.getByTestId("report-template").filter({ hasText: template }).getByRole("link").click();
      await expect(p.getByRole("heading", { name: template, level: 1 })).toBeVisible();

      // Submitting needs the required fields; a number must be a number.
      await p.getByLabel("Hours").fill("two");
      await p.getByRole("button", { name: "Submit" }).click();
      await expect(p.getByText("Some fields need attention.")).toBeVisible();
      await expect(p.getByText("Required.")).toHaveCount(2);
      await expect(p.getByText("Enter a number.")).toBeVisible();
      await noSideScroll(p, "the report form");
      await shot(p, "report-write-phone");

      // A draft may leave them empty; it waits in "My reports".
      await p.getByLabel("Hours").fill("2.5");
      await p.getByLabel("Customer *").fill("Harbour Logistics: demo of the new scanners");
      await p.getByRole("button", { name: "Save draft" }).click();
      await expect(p.getByTestId("report-view")).toContainText("Draft");
      id = new URL(p.url()).pathname.split("/").pop() ?? "";
      expect(id).not.toBe("");
      await p.getByRole("link", { name: "Back to reports" }).click();
      await expect(p.getByTestId("report").filter({ hasText: template })).toContainText("Draft");

      // Finish and submit it.
      await p.getByTestId("report").filter({ hasText: template }).getByRole("link").click();
      await p.getByRole("link", { name: "Edit" }).click();
      await p.getByLabel("Outcome *").selectOption("Order");
      await p.getByLabel("Next visit").fill("2026-12-14");
      await p.getByLabel("Plans for the next period").fill("Deliver the scanners.");
      await p.getByRole("button", { name: "Submit" }).click();
      const view = p.getByTestId("report-view");
      await expect(view).toContainText("Submitted");
      await expect(view).toContainText("Harbour Logistics");
      await expect(view).toContainText("2.5");
      await expect(view).not.toContainText("Late");
      await expect(p.getByRole("heading", { name: "Read by 0 of 1" })).toBeVisible();
      await expect(p.getByTestId("report-reader")).toContainText("not read yet");
      await noSideScroll(p, "the report");
    });

    test("the recipient finds it unread, reads it and comments", async () => {
      const p = a.page;
      await p.goto("/reports");
      await expect(
        p.getByRole("navigation", { name: "Main" }).getByRole("link", { name: /Reports/ }),
      ).toContainText("1");
      await expect(p.getByText("1 unread report")).toBeVisible();
      const row = p.getByTestId("report").filter({ hasText: writer.name });
      await expect(row).toContainText(template);
      await expect(row.getByRole("img", { name: "Unread" })).toBeVisible();
      await row.getByRole("link").click();
      await expect(p).toHaveURL(new RegExp(`/reports/${id}$`));
      const view = p.getByTestId("report-view");
      await expect(view).toContainText("Deliver the scanners.");
      await expect(view).toContainText("Order");
      await expect(p.getByTestId("report-reader")).toHaveCount(0);

      // The author sees it read, live.
      await expect(w.page.getByRole("heading", { name: "Read by 1 of 1" })).toBeVisible();
      await expect(w.page.getByTestId("report-reader")).toContainText(owner.name);
      await expect(w.page.getByTestId("report-reader")).toContainText("read");

      await p.getByLabel("Write a comment").fill("Well done — send me the order number.");
      await p.getByRole("checkbox", { name: writer.name }).check();
      await p.getByRole("button", { name: "Send" }).click();
      await expect(p.getByTestId("report-comment")).toContainText("send me the order number");

      await p.goto("/reports");
      await expect(p.getByText("1 unread report")).toHaveCount(0);
      await expect(
        p.getByTestId("report").filter({ hasText: writer.name }).getByRole("img", { name: "Unread" }),
      ).toHaveCount(0);
    });

    test("a report after the due time is late; after the edit window it cannot change", async () => {
      // Weekly, due on Monday at 00:01: a report written now is late (but on
      // Monday in the first minute); no edit window at all.
      const mine = (
        await ok(await call(a.page, "GET", `/api/v1/members?q=${encodeURIComponent(owner.email)}`))
      ).items[0];
      await ok(
        await call(a.page, "POST", "/api/v1/report-templates", {
          name: "Weekly summary",
          period: "weekly",
          due_weekday: 1,
          due_time: "00:01",
          edit_window_minutes: 0,
          fields: [{ id: "summary", label: "Summary", kind: "text", required: true, options: [] }],
          recipients: { supervisor: false, department_leaders: false, member_ids: [mine.id] },
        }),
      );
      const p = w.page;
      await p.goto("/reports/new");
      await p.getByTestId("report-template").filter({ hasText: "Weekly summary" }).getByRole("link").click();
      await expect(
        p.getByText("The due time has passed: submitting now marks this report late."),
      ).toBeVisible();
      await p.getByLabel("Summary *").fill("Three visits, one order.");
      await p.getByRole("button", { name: "Submit" }).click();
      const view = p.getByTestId("report-view");
      await expect(view).toContainText("Late");
      await expect(view).toContainText("The time to edit this report has passed.");
      await expect(view.getByRole("link", { name: "Edit" })).toHaveCount(0);
      const late = new URL(p.url()).pathname.split("/").pop() ?? "";
      await p.goto(`/reports/${late}/edit`);
      await p.getByLabel("Summary *").fill("Changed afterwards.");
      await p.getByRole("button", { name: "Save" }).click();
      await expect(p.getByRole("alert")).toHaveText("The time to edit this report has passed.");
    });

    test("the manager's statistics count the late report, and download as CSV", async () => {
      const p = a.page;
      await p.goto("/reports");
      await p.getByRole("link", { name: "Statistics" }).click();
      await p.getByLabel("Template").selectOption({ label: "Weekly summary" });
      const row = p.getByTestId("report-stats-person").filter({ hasText: writer.name });
      // Columns: on time, late, missing, not due yet.
      await expect(row.getByRole("cell").nth(1)).toHaveText("1");
      await expect(row.getByRole("cell").nth(0)).toHaveText("0");
      const href = await p.getByRole("link", { name: "Download CSV" }).getAttribute("href");
      expect(href).toMatch(/\/stats\.csv$/);
      const csv = await call(p, "GET", href ?? "");
      expect(csv.headers()["content-type"]).toContain("text/csv");
      expect(await csv.text()).toContain(writer.name);
      await p.setViewportSize({ width: 375, height: 667 });
      await noSideScroll(p, "the statistics");
      await shot(p, "report-stats-phone");
      await p.setViewportSize({ width: 1280, height: 800 });
    });

    test("the manager designs a template on a phone; members can write on it", async () => {
      const p = a.page;
      await p.setViewportSize({ width: 375, height: 667 });
      await p.goto("/reports");
      await p.getByRole("link", { name: "Templates" }).click();
      await p.getByRole("button", { name: "New template" }).click();
      const form = p.getByRole("form", { name: "Template" });
      await form.getByLabel("Name").fill("Daily check-in");
      await form.getByRole("button", { name: "Add a field" }).click();
      const field = form.getByTestId("designed-field");
      await field.getByLabel("Label").fill("Mood");
      await field.getByLabel("Kind").selectOption("choice");
      await field.getByLabel("Options").fill("Good, Tired");
      await field.getByRole("checkbox", { name: "Required" }).check();
      // Chosen writers, a time zone and a reminder, kept by the template.
      await form.getByLabel("Time zone").selectOption("Asia/Shanghai");
      await form.getByLabel("Remind minutes before the due time").fill("30");
      await form.getByRole("radio", { name: "Chosen departments, roles and people" }).check();
      const writers = form.locator(".ann-audience").first();
      await writers.getByLabel("Find people").fill("Chen");
      await writers.getByRole("checkbox", { name: writer.name }).check();
      await noSideScroll(p, "the template designer");
      await form.getByRole("button", { name: "Save" }).click();
      await expect(p.getByTestId("designed-template").filter({ hasText: "Daily check-in" })).toContainText(
        "Daily",
      );
      await p.setViewportSize({ width: 1280, height: 800 });

      await w.page.goto("/reports/new");
      await w.page
        .getByTestId("report-template")
        .filter({ hasText: "Daily check-in" })
        .getByRole("link")
        .click();
      await expect(w.page.getByLabel("Mood *")).toBeVisible();
      await expect(w.page.getByLabel("Mood *").locator("option")).toHaveText(["Choose…", "Good", "Tired"]);

      // The writer was chosen: the template is marked as expected of them,
      // and it kept the designer's settings.
      await w.page.goto("/reports/new");
      await expect(w.page.getByTestId("report-template").filter({ hasText: "Daily check-in" })).toContainText(
        "Expected of you",
      );
      const list = await ok(await call(a.page, "GET", "/api/v1/report-templates"));
      const made = list.items.find((x: { name: string }) => x.name === "Daily check-in");
      expect([
        made.timezone,
        made.remind_before_minutes,
        made.submitters.all,
        made.submitters.member_ids.length,
      ]).toEqual(["Asia/Shanghai", 30, false, 1]);
    });

    test("the author sees the comment and every report screen fits a phone", async () => {
      const p = w.page;
      await p.goto(`/reports/${id}`);
      await expect(p.getByTestId("report-comment")).toContainText("send me the order number");
      await shot(p, "report-read-phone");
      for (const path of [
        "/reports",
        "/reports/mine",
        "/reports/new",
        `/reports/${id}`,
        `/reports/${id}/edit`,
      ]) {
        await p.goto(path);
        await expect(p.getByRole("heading", { level: 1 })).toBeVisible();
        await noSideScroll(p, path);
      }
    });

    test("a department's leader reads their department's statistics", async () => {
      const p = w.page;
      const meW = await ok(await call(p, "GET", "/api/v1/me"));
      const found = await ok(
        await call(a.page, "GET", `/api/v1/members?q=${encodeURIComponent(writer.email)}`),
      );
      const member = found.items.find((m: { account_id: string }) => m.account_id === meW.id);
      await ok(await call(a.page, "PUT", `/api/v1/departments/${dept}/leaders`, { member_ids: [member.id] }));
      await p.goto("/reports");
      await p.getByRole("link", { name: "Statistics" }).click();
      await p.getByLabel("Template").selectOption({ label: "Daily check-in" });
      await expect(p.getByTestId("report-counts")).toBeVisible();
      await expect(p.getByTestId("report-stats-person").first()).toContainText(writer.name);
      await expect(p.getByRole("link", { name: "Download CSV" })).toHaveAttribute(
        "href",
        new RegExp(`department_id=${dept}`),
      );
    });
    test("a member attaches a file to a report; the recipient downloads it", async () => {
      const mine = (
        await ok(await call(a.page, "GET", `/api/v1/members?q=${encodeURIComponent(owner.email)}`))
      ).items[0];
      await ok(
        await call(a.page, "POST", "/api/v1/report-templates", {
          name: "Site photos",
          period: "custom",
          fields: [{ id: "photos", label: "Photos", kind: "attachment", required: true, options: [] }],
          recipients: { supervisor: false, department_leaders: false, member_ids: [mine.id] },
        }),
      );
      const p = w.page;
      await p.setViewportSize({ width: 375, height: 667 });
      await p.goto("/reports/new");
      await p.getByTestId("report-template").filter({ hasText: "Site photos" }).getByRole("link").click();
      await p.getByRole("button", { name: "Submit" }).click();
      await expect(p.getByText("Required.")).toBeVisible();
      await p.getByLabel(/Attach files to Photos/).setInputFiles({
        name: "site-notes.txt",
        mimeType: "text/plain",
        buffer: Buffer.from("Loading bay 3 is ready."),
      });
      await expect(p.getByTestId("report-file")).toContainText("site-notes.txt");
      await noSideScroll(p, "the report form with a file");
      await p.getByRole("button", { name: "Submit" }).click();
      const view = p.getByTestId("report-view");
      await expect(view).toContainText("Submitted");
      await expect(view.getByRole("link", { name: "site-notes.txt" })).toBeVisible();
      const rid = new URL(p.url()).pathname.split("/").pop() ?? "";
      await p.setViewportSize({ width: 1280, height: 800 });

      // The recipient downloads the exact bytes.
      const q = a.page;
      await q.goto(`/reports/${rid}`);
      const link = q.getByTestId("report-view").getByRole("link", { name: "site-notes.txt" });
      const [download] = await Promise.all([q.waitForEvent("download"), link.click()]);
      expect(download.suggestedFilename()).toBe("site-notes.txt");
      const { readFileSync } = await import("node:fs");
      expect(readFileSync(await download.path()).toString()).toBe("Loading bay 3 is ready.");
    });
  });
