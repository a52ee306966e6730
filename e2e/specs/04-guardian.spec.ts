// A minor's path: set a birth date in the settings, meet the guardian gate,
// email a parent the consent link, the parent consents on the page the link
// opens (on a phone-sized screen), and the minor goes on into the app.
import { expect, lastCode, logLines, newPerson, serverLog, test } from "../lib/fixtures";

const kid = { name: "Kim Young", email: "kim.young@example.test", password: "kite-flying-2026" };

test("a minor's guardian consents through the emailed link", async ({ page, browser }) => {
  // Sign up through the API (the register screen has its own test).
  const from = logLines();
  let r = await page.request.post("/api/v1/auth/register", { data: kid });
  expect(r.status()).toBe(202);
  const code = await lastCode(kid.email, from);
  r = await page.request.post("/api/v1/auth/verify", {
    data: { email: kid.email, code, password: kid.password },
  });
  expect(r.ok()).toBeTruthy();

  await page.goto("/settings");
  const young = new Date();
  young.setUTCFullYear(young.getUTCFullYear() - 10);
  await page.getByLabel("Birth date").fill(young.toISOString().slice(0, 10));
  await page.getByRole("button", { name: "Save" }).first().click();
  await expect(page.getByRole("heading", { name: "A guardian's consent is needed" })).toBeVisible();

  const before = logLines();
  await page.getByLabel("Their name").fill("Pat Parent");
  await page.getByLabel("Their email address").fill("pat.parent@example.test");
  await page.getByLabel("Relationship (e.g. mother)").fill("mother");
  await page.getByRole("button", { name: "Email them a consent link" }).click();
  await expect(page.getByText("We emailed pat.parent@example.test a link.")).toBeVisible();

  let link = "";
  for (let i = 0; i < 50 && !link; i++) {
    const lines = serverLog()
      .split("\n")
      .slice(before)
      .filter((l) => l.includes("pat.parent@example.test"));
    const m = lines.join("\n").match(/(https?:\/\/[^\s"\\]+\/guardian-consent\?token=[0-9a-f]+)/);
    if (m) link = m[1];
    else await new Promise((res) => setTimeout(res, 200));
  }
  expect(link, "the consent link in the email").not.toBe("");

  // The parent opens the link on a phone, without an account.
  const parent = await newPerson(browser);
  await parent.page.setViewportSize({ width: 375, height: 740 });
  await parent.page.goto(link);
  await expect(
    parent.page.getByRole("heading", { name: "A young person asks for your consent" }),
  ).toBeVisible();
  await expect(parent.page.getByText("This page does not exist")).toHaveCount(0);
  await parent.page.getByLabel("Your full name").fill("Pat Parent");
  await parent.page.getByRole("checkbox").check();
  await parent.page.getByRole("button", { name: "Give consent" }).click();
  await expect(parent.page.getByText("Your consent is recorded.")).toBeVisible();
  const width = await parent.page.evaluate(() => document.documentElement.scrollWidth);
  expect(width).toBeLessThanOrEqual(375);
  // The link works once.
  await parent.page.goto(link);
  await expect(
    parent.page.getByText("This link has expired, was already used, or is not valid."),
  ).toBeVisible();
  await parent.ctx.close();

  // The minor goes on.
  await page.reload();
  await expect(page.getByRole("heading", { name: "A guardian's consent is needed" })).toHaveCount(0);
  await expect(page.getByLabel("Birth date")).toHaveValue(young.toISOString().slice(0, 10));
});
