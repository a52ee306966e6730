// Approvals: the owner designs a template whose Finance step applies only
// above 5,000; a member files it on a phone, sees the preview skip Finance
// for 3,000 and take it for 8,000, and submits; the owner and then the
// finance approver approve from their "To approve" lists; the requester is
// told, live, and reads the timeline.
import type { BrowserContext, Locator, Page } from "@playwright/test";
import { call, join, noSideScroll, ok } from "../lib/api";
import { expect, newPerson, pageErrors, shot, test } from "../lib/fixtures";
import { owner } from "../lib/people";
import { signIn } from "../lib/steps";

type Person = { ctx: BrowserContext; page: Page };

const filer = { name: "Zhou Min", email: "zhou.min@example.test", password: "client-dinners-2026" };
const finance = { name: "Grace Hopper", email: "grace@example.test", password: "compilers-1952-cobol" };
const template = "Client entertainment";

/** pickMember finds a person in a member picker and chooses them. */
async function pickMember(scope: Locator, name: string) {
  await scope.getByPlaceholder("Find people").fill(name);
  await scope.getByRole("checkbox", { name }).check();
}

test.describe
  .serial("approvals", () => {
    let a: Person;
    let m: Person;
    let f: Person;
    let id = "";

    test.beforeAll(async ({ browser }) => {
      a = await newPerson(browser);
      m = await newPerson(browser);
      f = await newPerson(browser);
      await signIn(a.page, owner);
      const link = await ok(await call(a.page, "POST", "/api/v1/invitations", { kind: "link" }));
      const token = new URL(link.link).searchParams.get("token") ?? "";
      await join(m.page, filer, token);
      await join(f.page, finance, token);
    });
    test.afterEach(() => {
      for (const p of [a, m, f]) expect(pageErrors(p.page), "console").toEqual([]);
    });
    test.afterAll(async () => {
      for (const p of [a, m, f]) await p.ctx.close();
    });

    test("the owner designs a template with a condition", async () => {
      const p = a.page;
      await p.goto("/approvals");
      await expect(p.getByRole("heading", { name: "Approvals", level: 1 })).toBeVisible();
      await expect(p.getByText("Nothing waits for your decision.")).toBeVisible();
      await p.getByRole("link", { name: "Templates" }).click();
      await p.getByRole("button", { name: "New template" }).click();
      const form = p.getByRole("form", { name: "Template" });
      await form.getByLabel("Name", { exact: true }).fill(template);
      await form.getByLabel("Group", { exact: true }).fill("Finance");

      // Two fields: the amount first, then moved below the purpose.
      await form.getByLabel("Type of the new field").selectOption("money");
      await form.getByRole("button", { name: "Add a field" }).click();
      await form.getByLabel("Type of the new field").selectOption("text");
      await form.getByRole("button", { name: "Add a field" }).click();
      const fields = form.getByTestId("designed-field");
      await fields.nth(0).getByLabel("Label", { exact: true }).fill("Amount");
      await fields.nth(0).getByRole("checkbox", { name: "Required" }).check();
      await fields.nth(1).getByLabel("Label", { exact: true }).fill("Purpose");
      await fields.nth(1).getByRole("checkbox", { name: "Required" }).check();
      await fields.nth(1).getByRole("button", { name: "Move Purpose up" }).click();
      await expect(fields.nth(0)).toContainText("1. Purpose");
      await expect(fields.nth(1)).toContainText("2. Amount");
      await expect(fields.nth(1).getByLabel("Id", { exact: true })).toHaveValue("amount");

      // Step 1: the owner decides. Step 2: Finance, only above 5,000.
      const steps = form.getByTestId("designed-step");
      await steps.nth(0).getByLabel("Step name").fill("Manager");
      await steps.nth(0).getByLabel("Approvers", { exact: true }).selectOption("members");
      await pickMember(steps.nth(0), owner.name);
      await form.getByRole("button", { name: "Add a step" }).click();
      await steps.nth(1).getByLabel("Step name").fill("Finance");
      await steps.nth(1).getByLabel("Approvers", { exact: true }).selectOption("members");
      await pickMember(steps.nth(1), finance.name);
      await steps.nth(1).getByRole("checkbox", { name: "Only when a condition holds" }).check();
      const cond = steps.nth(1).getByTestId("condition");
      await cond.getByLabel("What").selectOption({ label: "Amount" });
      await cond.getByLabel("Comparison").selectOption({ label: "is more than" });
      await cond.getByLabel("Value", { exact: true }).fill("5000");
      await expect(steps.nth(1).getByTestId("condition-group")).toBeVisible();
      await shot(p, "approval-designer");
      await form.getByRole("button", { name: "Save" }).click();
      await expect(p.getByTestId("designed-template").filter({ hasText: template })).toContainText(
        "version 1",
      );
    });

    test("a member files it on a phone after previewing the flow", async () => {
      const p = m.page;
      await p.setViewportSize({ width: 375, height: 667 });
      await p.goto("/chat");
      await p.getByRole("button", { name: "Open navigation" }).click();
      await p
        .getByRole("navigation", { name: "Main" })
        .getByRole("link", { name: /Approvals/ })
        .click();
      await p.getByRole("link", { name: "New request" }).click();
      await p.getByTestId("approval-template").filter({ hasText: template }).getByRole("link").click();
      await expect(p.getByRole("heading", { name: template, level: 1 })).toBeVisible();

      // The form is checked before anything is sent.
      await p.getByLabel("Amount *").fill("3000.505");
      await p.getByRole("button", { name: "Preview the flow" }).click();
      await expect(p.getByText("Some fields need attention.")).toBeVisible();
      await expect(p.getByText("Required.")).toBeVisible();
      await expect(p.getByText("At most 2 decimal places.")).toBeVisible();
      await noSideScroll(p, "the filing form");

      // 3,000 skips Finance; 8,000 takes it.
      await p.getByLabel("Purpose *").fill("Dinner with Harbour Logistics");
      await p.getByLabel("Amount *").fill("3000");
      await p.getByRole("button", { name: "Preview the flow" }).click();
      const preview = p.getByTestId("flow-preview");
      await expect(preview.getByTestId("preview-step").nth(0)).toContainText(owner.name);
      await expect(preview.getByTestId("preview-step").nth(1)).toContainText("Skipped");
      await p.getByLabel("Amount *").fill("8,000");
      await expect(p.getByTestId("money-shown")).toHaveText("CNY 8,000.00");
      await expect(preview).toHaveCount(0);
      await p.getByRole("button", { name: "Preview the flow" }).click();
      await expect(preview.getByTestId("preview-step").nth(1)).toContainText(finance.name);
      await expect(preview.getByTestId("preview-step").nth(1)).not.toContainText("Skipped");
      await noSideScroll(p, "the flow preview");
      await shot(p, "approval-file-phone");
      await p.getByRole("button", { name: "Submit" }).click();

      const view = p.getByTestId("approval-view");
      await expect(view.getByTestId("approval-status")).toHaveText("Pending");
      await expect(view).toContainText("CNY 8,000.00");
      await expect(view).toContainText("Dinner with Harbour Logistics");
      id = new URL(p.url()).pathname.split("/").pop() ?? "";
      expect(id).not.toBe("");
      await expect(p.getByRole("button", { name: "Withdraw" })).toBeVisible();
      await noSideScroll(p, "the request");
    });

    test("the two approvers decide from their lists", async () => {
      // The owner: the count beside Approvals, the row in "To approve".
      let p = a.page;
      await p.goto("/chat");
      await expect(
        p.getByRole("navigation", { name: "Main" }).getByRole("link", { name: /Approvals/ }),
      ).toContainText("1");
      await p.goto("/approvals");
      const row = p.getByTestId("approval-row").filter({ hasText: template });
      await expect(row).toContainText(filer.name);
      await row.getByRole("link").click();
      await expect(p).toHaveURL(new RegExp(`/approvals/${id}$`));
      await expect(p.getByRole("button", { name: "Withdraw" })).toHaveCount(0);
      await p.getByRole("button", { name: "Approve", exact: true }).click();
      const dialog = p.getByRole("dialog", { name: "Approve this request" });
      await dialog.getByLabel("Comment").fill("Fine by me.");
      await dialog.getByRole("button", { name: "Approve", exact: true }).click();
      await expect(p.getByTestId("approval-status")).toHaveText("Pending");
      await expect(p.getByTestId("approval-step").nth(0)).toContainText("Approved");
      await expect(p.getByRole("button", { name: "Approve", exact: true })).toHaveCount(0);

      // Finance: waiting now, then approves.
      p = f.page;
      await p.goto("/approvals");
      await p.getByTestId("approval-row").filter({ hasText: template }).getByRole("link").click();
      await expect(p.getByTestId("timeline-entry").filter({ hasText: "Fine by me." })).toContainText(
        owner.name,
      );
      await p.getByRole("button", { name: "Approve", exact: true }).click();
      await p
        .getByRole("dialog", { name: "Approve this request" })
        .getByRole("button", { name: "Approve", exact: true })
        .click();
      await expect(p.getByTestId("approval-status")).toHaveText("Approved");
      await p.goto("/approvals?box=done");
      await expect(p.getByTestId("approval-row").filter({ hasText: template })).toContainText("Approved");
    });

    test("the requester is told and sees the timeline", async () => {
      const p = m.page;
      // Told live, on whatever screen is open.
      const notice = p.getByTestId("approval-notice").first();
      await expect(notice).toContainText("Your request was decided");
      await notice.getByRole("link").click();
      await expect(p).toHaveURL(new RegExp(`/approvals/${id}$`));
      await expect(p.getByTestId("approval-status")).toHaveText("Approved");
      const timeline = p.getByTestId("timeline-entry");
      await expect(timeline.first()).toContainText("submitted the request");
      await expect(timeline.filter({ hasText: owner.name }).filter({ hasText: "approved" })).toContainText(
        "Fine by me.",
      );
      await expect(timeline.filter({ hasText: finance.name })).toContainText("approved");
      await expect(p.getByRole("button", { name: "Withdraw" })).toHaveCount(0);
      await noSideScroll(p, "the decided request");
      await shot(p, "approval-timeline-phone");
      await p.goto("/approvals?box=mine");
      await expect(p.getByTestId("approval-row").filter({ hasText: template })).toContainText("Approved");
      for (const path of ["/approvals", "/approvals?box=cc", "/approvals/new"]) {
        await p.goto(path);
        await expect(p.getByRole("heading", { level: 1 })).toBeVisible();
        await noSideScroll(p, path);
      }
      await p.setViewportSize({ width: 1280, height: 800 });
    });

    test("the designer fits a phone too", async () => {
      const p = a.page;
      await p.setViewportSize({ width: 375, height: 667 });
      await p.goto("/approvals/templates");
      await p
        .getByTestId("designed-template")
        .filter({ hasText: template })
        .getByRole("button", { name: `Edit ${template}` })
        .click();
      const form = p.getByRole("form", { name: "Template" });
      await expect(form.getByTestId("designed-field")).toHaveCount(2);
      await expect(form.getByTestId("condition")).toHaveCount(1);
      await noSideScroll(p, "the template designer");
      await p.setViewportSize({ width: 1280, height: 800 });
    });
  });
