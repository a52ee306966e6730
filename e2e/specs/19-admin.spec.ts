// Administration without raw ids: the member editor (custom fields,
// supervisor by name, join date, work email, departments from the tree),
// department leaders by name, "one choice" fields as pickers and required
// fields refused when cleared, legal holds by name, the audit log by name
// (filters, readable details, cards on a phone, in Chinese), retention's
// "0 days", and joining: a dead link says so before sign-up, a newcomer
// lands on the welcome screen with their invitation, and everyone who joins
// is in the company-wide group.
import type { BrowserContext, Page } from "@playwright/test";
import { call, join, noSideScroll, ok } from "../lib/api";
import { expect, lastCode, logLines, newPerson, pageErrors, shot, test } from "../lib/fixtures";
import { org, owner } from "../lib/people";
import { signIn } from "../lib/steps";

type Person = { ctx: BrowserContext; page: Page };

const mia = { name: "Mia Admin19", email: "mia.admin19@example.test", password: "admin-nineteen-2026" };
const ned = { name: "Ned Newcomer19", email: "ned.admin19@example.test", password: "newcomer-nineteen-2026" };
const fieldName = "Shirt 19";

/**
 * editorFits checks that, with the member editor open at 375 px, nothing
 * scrolls sideways: neither the page (document.scrollingElement) nor the
 * editor; a failure names what sticks out.
 */
async function editorFits(p: Page, lang: string) {
  const wide = await p.evaluate(() => {
    const se = document.scrollingElement ?? document.documentElement;
    const body = document.querySelector("dialog[open] .dialog-body");
    const over = [...document.querySelectorAll("body *")]
      .filter((e) => e.getBoundingClientRect().right > se.clientWidth + 1)
      .slice(0, 8)
      .map((e) => `${e.tagName}.${e.className} ${Math.round(e.getBoundingClientRect().right)}`);
    return {
      page: se.scrollWidth - se.clientWidth,
      editor: body ? body.scrollWidth - body.clientWidth : 0,
      over: over.join(", "),
    };
  });
  expect(
    wide.page,
    `${lang}: the page scrolls sideways with the editor open: ${wide.over}`,
  ).toBeLessThanOrEqual(0);
  expect(wide.editor, `${lang}: the editor scrolls sideways: ${wide.over}`).toBeLessThanOrEqual(0);
}

test.describe
  .serial("administration by name", () => {
    let a: Person;
    let m: Person;
    let miaId = "";
    let fieldId = "";
    let labId = "";

    test.beforeAll(async ({ browser }) => {
      a = await newPerson(browser);
      m = await newPerson(browser);
      await signIn(a.page, owner);
      const p = a.page;
      const research = await ok(await call(p, "POST", "/api/v1/departments", { name: "Research 19" }));
      const lab = await ok(
        await call(p, "POST", "/api/v1/departments", { name: "Lab 19", parent_id: research.id }),
      );
      labId = lab.id;
      const f = await ok(
        await call(p, "POST", "/api/v1/fields", {
          name: fieldName,
          kind: "single_choice",
          options: ["S", "M", "L"],
          required: true,
        }),
      );
      fieldId = f.id;
      const link = await ok(await call(p, "POST", "/api/v1/invitations", { kind: "link" }));
      await join(m.page, mia, new URL(link.link).searchParams.get("token") ?? "");
      const me = await ok(await call(m.page, "GET", "/api/v1/members/me"));
      miaId = me.id;
    });
    test.afterEach(() => {
      for (const p of [a, m]) expect(pageErrors(p.page), "console").toEqual([]);
    });
    test.afterAll(async () => {
      await call(a.page, "DELETE", `/api/v1/fields/${fieldId}`);
      for (const p of [a, m]) await p.ctx.close();
    });

    test("the member editor sets supervisor, join date, work email, departments and custom fields", async () => {
      const p = a.page;
      await p.goto("/admin/members");
      await p.getByRole("button", { name: `Edit ${mia.name}` }).click();
      const dialog = p.getByRole("dialog");
      await dialog.getByLabel("Join date").fill("2026-03-02");
      await dialog.getByLabel("Work email").fill("mia.work19@example.test");
      const sup = dialog.getByRole("group", { name: "Supervisor" });
      await sup.getByPlaceholder("Find people").fill("Ada");
      await sup.getByLabel(owner.name).check();
      await dialog.getByRole("group", { name: "Departments" }).getByLabel("Lab 19").check();
      // A required "one choice" field is a picker, marked as required and missing.
      const shirt = dialog.getByLabel(new RegExp(fieldName));
      await expect(shirt).toHaveRole("combobox");
      await expect(dialog.getByText("Please fill this in: your organization requires it.")).toBeVisible();
      await shirt.selectOption("M");
      await shot(p, "admin-member-editor");
      await dialog.getByRole("button", { name: "Save" }).click();
      await expect(dialog).toBeHidden();

      const after = await ok(await call(p, "GET", `/api/v1/members/${miaId}`));
      const ada = await ok(await call(p, "GET", "/api/v1/members/me"));
      expect(after.join_date).toBe("2026-03-02");
      expect(after.email).toBe("mia.work19@example.test");
      expect(after.supervisor_id).toBe(ada.id);
      expect(after.departments.map((d: { id: string }) => d.id)).toEqual([labId]);
      expect(after.fields[fieldId]).toBe("M");
      expect(after.missing_required ?? []).toEqual([]);
    });

    test("department leaders are picked by name and shown by name", async () => {
      const p = a.page;
      await p.goto("/admin/departments");
      await p.getByRole("button", { name: "Leaders of Lab 19" }).click();
      const box = p.getByRole("group", { name: "Leaders of Lab 19" });
      await box.getByLabel(mia.name).check();
      await box.getByRole("button", { name: "Save leaders" }).click();
      // Other specs' departments may have leaders too: this one's line names Mia.
      await expect(p.getByTestId("dept-leaders").filter({ hasText: `Leaders: ${mia.name}` })).toHaveCount(1);
      const d = await ok(await call(p, "GET", `/api/v1/departments/${labId}`));
      expect(d.leader_ids).toEqual([miaId]);
    });

    test("fields show their choices to admins; members pick one and cannot clear a required one", async () => {
      await a.page.goto("/admin/fields");
      const row = a.page.getByRole("row").filter({ hasText: fieldName });
      const choices = row.getByRole("list", { name: `Choices of ${fieldName}` });
      await expect(choices).toHaveText(/S\s*M\s*L/);
      await expect(row.getByRole("checkbox", { name: `${fieldName} is required` })).toBeChecked();

      const p = m.page;
      await p.goto("/directory?tab=me");
      const shirt = p.getByLabel(new RegExp(fieldName));
      await expect(shirt).toHaveValue("M");
      await expect(shirt.locator("option")).toHaveText(["Choose…", "S", "M", "L"]);
      await shirt.selectOption("L");
      await p.getByRole("button", { name: "Save" }).click();
      await expect(p.getByText("Saved")).toBeVisible();
      await shirt.selectOption("");
      await p.getByRole("button", { name: "Save" }).click();
      await expect(p.getByRole("alert")).toContainText(`${fieldName} is required and cannot be left empty.`);
      const me = await ok(await call(p, "GET", "/api/v1/members/me"));
      expect(me.fields[fieldId]).toBe("L");
    });

    test("a legal hold is placed on a person found by name and listed by name", async () => {
      const p = a.page;
      await p.goto("/admin/holds");
      const form = p.getByRole("region", { name: "Place a hold" });
      await form.getByPlaceholder("Find people").fill("Mia");
      await form.getByLabel(mia.name).check();
      await form.getByLabel("Reason").fill("Audit 19");
      await form.getByRole("button", { name: "Place a hold" }).click();
      const item = p.getByRole("listitem").filter({ hasText: "Audit 19" });
      await expect(item).toContainText(mia.name);
      await expect(item).not.toContainText(/mem_[0-9a-f]{32}/);
      await item.getByRole("button", { name: "Release" }).click();
      await expect(item.getByText("Released")).toBeVisible();
    });

    test("the audit log names people, says what changed, and filters by person", async () => {
      const p = a.page;
      await p.goto("/admin/audit");
      const who = p.getByRole("group", { name: "Person (did it or was affected)" });
      await who.getByPlaceholder("Find people").fill("Mia");
      await who.getByLabel(mia.name).check();
      const update = p.getByTestId("audit-entry").filter({ hasText: "Edited a member" }).first();
      await expect(update.getByTestId("audit-actor")).toContainText(owner.name);
      await expect(update.getByTestId("audit-target")).toContainText(mia.name);
      // What changed, in words: the custom field by its name, built-in fields by their labels.
      await expect(update).toContainText(fieldName);
      await expect(update).toContainText("Join date");
      await expect(update).toContainText("Supervisor");
      await expect(
        p.getByTestId("audit-entry").filter({ hasText: "Joined" }).getByTestId("audit-actor"),
      ).toContainText(mia.name);
      await expect(p.getByRole("table")).not.toContainText(/(mem|acc|dep|fld|inv|hld)_[0-9a-f]{32}/);
      await shot(p, "admin-audit-names");
      // The leaders' entry names the department and its leader.
      await p.goto("/admin/audit");
      await p.getByLabel("Filter by action").selectOption("department.");
      const leaders = p.getByTestId("audit-entry").filter({ hasText: "Lab 19" }).first();
      await expect(leaders).toContainText(mia.name);
      await expect(leaders).toContainText("Members");
    });

    test("retention refuses 0 days and the preview says when nothing would be deleted", async () => {
      const p = a.page;
      await p.goto("/admin/retention");
      const first = p.locator("input.days-input").first();
      await first.fill("0");
      await expect(p.getByText(/Leave it empty to keep this data until it is deleted by hand/)).toBeVisible();
      await expect(p.getByRole("button", { name: "Preview" })).toBeDisabled();
      await first.fill("");
      await p.getByRole("button", { name: "Preview" }).click();
      await expect(p.getByTestId("retention-preview")).toContainText("Nothing would be deleted");
    });

    test("a dead invitation link says so before sign-up, naming the organization", async ({ browser }) => {
      const link = await ok(await call(a.page, "POST", "/api/v1/invitations", { kind: "link" }));
      await ok(await call(a.page, "DELETE", `/api/v1/invitations/${link.id}`));
      const stranger = await newPerson(browser);
      await stranger.page.goto(`/join?token=${new URL(link.link).searchParams.get("token")}`);
      const alert = stranger.page.getByRole("alert");
      await expect(alert).toContainText(`This invitation to ${org.name} was withdrawn.`);
      await expect(alert).toContainText("Ask the person who invited you for a new link");
      await expect(stranger.page.getByRole("link", { name: "Sign in" })).toBeVisible();
      expect(pageErrors(stranger.page)).toEqual([]);
      await stranger.ctx.close();
    });

    test("a newcomer lands on the welcome screen with their invitation and joins the company-wide group", async ({
      browser,
    }) => {
      const n = await newPerson(browser);
      const from = logLines();
      let r = await n.page.request.post("/api/v1/auth/register", { data: ned });
      expect(r.status()).toBe(202);
      r = await n.page.request.post("/api/v1/auth/verify", {
        data: { email: ned.email, code: await lastCode(ned.email, from), password: ned.password },
      });
      expect(r.ok()).toBeTruthy();
      await ok(await call(a.page, "POST", "/api/v1/invitations", { kind: "email", email: ned.email }));
      await n.page.goto("/");
      await expect(n.page).toHaveURL(/\/welcome/);
      const inv = n.page.getByTestId("inbox-invitation");
      await expect(inv).toContainText(org.name);
      await inv.getByRole("button", { name: "Accept" }).click();
      await expect(inv).toHaveCount(0);
      const convs = await ok(await call(n.page, "GET", "/api/v1/conversations"));
      const orgSettings = await ok(await call(a.page, "GET", "/api/v1/orgs/current"));
      if (orgSettings.settings.company_group) {
        expect(
          convs.items.some(
            (c: { kind: string; name: string }) => c.kind === "internal" && c.name === org.name,
          ),
        ).toBe(true);
      }
      expect(pageErrors(n.page)).toEqual([]);
      await n.ctx.close();
    });

    test("the company-wide group is an organization setting", async () => {
      const p = a.page;
      await p.goto("/admin/org");
      const box = p.getByLabel("Add everyone who joins to a company-wide group");
      const was = await box.isChecked();
      await box.setChecked(!was);
      await p.getByRole("button", { name: "Save" }).first().click();
      await expect(p.getByText("Saved")).toBeVisible();
      const o = await ok(await call(p, "GET", "/api/v1/orgs/current"));
      expect(o.settings.company_group).toBe(!was);
      await ok(await call(p, "PATCH", "/api/v1/orgs/current", { company_group: was }));
    });

    test("in Chinese on a phone: the audit log as cards, by name, and the member editor", async () => {
      const p = a.page;
      await p.evaluate(() => localStorage.setItem("atrium.lang", "zh"));
      await p.setViewportSize({ width: 375, height: 740 });
      try {
        await p.goto("/admin/audit");
        const who = p.getByRole("group", { name: "人员（操作者或被操作者）" });
        await who.getByPlaceholder("查找成员").fill("Mia");
        await who.getByLabel(mia.name).check();
        const entry = p.getByTestId("audit-entry").first();
        await expect(entry).toBeVisible();
        // A card: its cells stack, each with its label.
        const box = await entry.boundingBox();
        expect(box?.width ?? 0).toBeLessThanOrEqual(375);
        await expect(p.getByRole("table")).toContainText("成员");
        await expect(p.getByRole("table")).not.toContainText(/(mem|acc|dep|fld)_[0-9a-f]{32}/);
        await noSideScroll(p, "audit log");
        await shot(p, "admin-audit-zh-phone");

        await p.goto("/admin/members");
        await p.getByRole("button", { name: `编辑 ${mia.name}` }).click();
        const dialog = p.getByRole("dialog");
        await expect(dialog.getByLabel("入职日期")).toHaveValue("2026-03-02");
        await expect(dialog.getByRole("group", { name: "直属上级" })).toContainText(owner.name);
        await editorFits(p, "zh");
        await shot(p, "admin-member-editor-zh-phone");
        await dialog.getByRole("button", { name: "取消" }).click();
        await p.goto("/admin/fields");
        await expect(p.getByRole("list", { name: `${fieldName}的选项` })).toBeVisible();

        // In English too (longer words: the table's header once widened the page by 126 px).
        await p.evaluate(() => localStorage.setItem("atrium.lang", "en"));
        await p.goto("/admin/members");
        await p.getByRole("button", { name: `Edit ${mia.name}` }).click();
        await expect(p.getByRole("dialog").getByLabel("Join date")).toHaveValue("2026-03-02");
        await editorFits(p, "en");
        await p.getByRole("dialog").getByRole("button", { name: "Cancel" }).click();
      } finally {
        await p.evaluate(() => localStorage.setItem("atrium.lang", "en"));
        await p.setViewportSize({ width: 1280, height: 800 });
      }
    });
  });
