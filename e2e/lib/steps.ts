import type { Page } from "@playwright/test";
import { expect, totp } from "./fixtures";
import { loadState, saveState } from "./state";

/** freshCode waits until the authenticator shows a code not used before (each works once). */
export async function freshCode(secret: string): Promise<string> {
  const used = loadState().usedCode;
  let code = totp(secret);
  while (code === used) {
    await new Promise((r) => setTimeout(r, 1000));
    code = totp(secret);
  }
  saveState({ usedCode: code });
  return code;
}

/** signIn signs a person in with email and password, and a TOTP code when the account asks for one. */
export async function signIn(page: Page, who: { email: string; password: string }, into = /\/chat/) {
  await page.goto("/login");
  await page.getByLabel("Email").fill(who.email);
  await page.getByLabel("Password").fill(who.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  const twoFactor = page.getByRole("heading", { name: "Two-step verification" });
  await expect(
    page.getByRole("heading", { name: "Two-step verification" }).or(page.locator("main#main")),
  ).toBeVisible();
  if (await twoFactor.isVisible()) {
    const secret = loadState().totpSecret;
    if (!secret) throw new Error("the account asks for a TOTP code but no secret is known");
    await page.getByLabel("Authenticator code").fill(await freshCode(secret));
    await page.getByRole("button", { name: "Verify" }).click();
  }
  await expect(page).toHaveURL(into);
}
