// The account story: sign up (or first-run setup), sign out, sign in, turn on
// two-step verification, sign in with a TOTP code, see the sessions, and
// switch the UI to Chinese.
import { expect, setupURL, shot, test } from "../lib/fixtures";
import { org, owner } from "../lib/people";
import { loadState, saveState } from "../lib/state";
import { freshCode, signIn } from "../lib/steps";

test.describe
  .serial("account", () => {
    test("first-run setup creates the organization and its owner", async ({ page }) => {
      saveState({ totpSecret: "", usedCode: "" });
      await page.goto(setupURL());
      await expect(page.getByRole("heading", { name: "Welcome to Atrium" })).toBeVisible();
      await shot(page, "setup");
      await page.getByLabel("Organization name").fill(org.name);
      await page.getByLabel("Name", { exact: true }).fill(owner.name);
      await page.getByLabel("Email").fill(owner.email);
      await page.getByLabel("Password").fill(owner.password);
      await page.getByRole("button", { name: "Create organization" }).click();
      await expect(page).toHaveURL(/\/chat/);
      await expect(page.getByRole("banner").getByText(org.name)).toBeVisible();
      // The link works once.
      await page.goto(setupURL());
      await expect(page.getByRole("heading", { name: "Atrium is set up" })).toBeVisible();
    });

    test("sign out and sign in again", async ({ page }) => {
      await signIn(page, owner);
      await page.getByRole("button", { name: `Account menu for ${owner.name}` }).click();
      await page.getByRole("menuitem", { name: "Sign out" }).click();
      await expect(page).toHaveURL(/\/login/);
      await shot(page, "login");
      // A wrong password is refused with a message.
      await page.getByLabel("Email").fill(owner.email);
      await page.getByLabel("Password").fill("wrong password!");
      await page.getByRole("button", { name: "Sign in" }).click();
      await expect(page.getByRole("alert")).toContainText("Wrong email or password");
      await page.getByLabel("Password").fill(owner.password);
      await page.getByRole("button", { name: "Sign in" }).click();
      await expect(page).toHaveURL(/\/chat/);
    });

    test("turn on two-step verification", async ({ page }) => {
      await signIn(page, owner);
      await page.goto("/settings");
      await page.getByRole("button", { name: "Set up two-step verification" }).click();
      await expect(page.getByRole("img", { name: "QR code for your authenticator app" })).toBeVisible();
      await page.getByText("Can't scan? Enter this key instead").click();
      const secret = (await page.getByTestId("totp-secret").textContent())?.trim() ?? "";
      expect(secret).toMatch(/^[A-Z2-7]+=*$/);
      saveState({ totpSecret: secret, usedCode: "" });
      await page.getByLabel("Authenticator code").fill(await freshCode(secret));
      await page.getByRole("button", { name: "Turn on", exact: true }).click();
      await expect(page.getByText("Two-step verification is on.")).toBeVisible();
      await expect(page.getByRole("list", { name: "Recovery codes" }).getByRole("listitem")).toHaveCount(10);
      await shot(page, "settings-2fa");
      await page.getByRole("button", { name: "I saved them" }).click();
    });

    test("sign in with a TOTP code, see sessions", async ({ page }) => {
      await page.goto("/login");
      await page.getByLabel("Email").fill(owner.email);
      await page.getByLabel("Password").fill(owner.password);
      await page.getByRole("button", { name: "Sign in" }).click();
      await expect(page.getByRole("heading", { name: "Two-step verification" })).toBeVisible();
      // The code used to turn 2FA on may not be used again: wait for the next step.
      await page.getByLabel("Authenticator code").fill(await freshCode(loadState().totpSecret ?? ""));
      await page.getByRole("button", { name: "Verify" }).click();
      await expect(page).toHaveURL(/\/chat/);

      await page.goto("/settings");
      const sessions = page.getByTestId("sessions").getByRole("listitem");
      await expect(sessions.first()).toBeVisible();
      expect(await sessions.count()).toBeGreaterThanOrEqual(1);
      await expect(page.getByTestId("sessions").getByText("This device")).toBeVisible();
      await expect(page.getByRole("table").getByText("Signed in").first()).toBeVisible();
      await page.getByRole("heading", { name: "Where you're signed in" }).scrollIntoViewIfNeeded();
      await shot(page, "settings-sessions");
    });

    test("switch the UI to Chinese", async ({ page }) => {
      await page.goto("/login");
      await page.getByRole("combobox", { name: "Language" }).selectOption("zh");
      await expect(page.getByRole("heading", { name: "登录 Atrium" })).toBeVisible();
      await expect(page.locator("html")).toHaveAttribute("lang", "zh-CN");
      // The choice is remembered across a reload.
      await page.reload();
      await expect(page.getByRole("button", { name: "登录" })).toBeVisible();
      await page.getByRole("combobox", { name: "语言" }).selectOption("en");
      await expect(page.getByRole("heading", { name: "Sign in to Atrium" })).toBeVisible();
    });
  });
