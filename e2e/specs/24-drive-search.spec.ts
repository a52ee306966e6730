// Drive search: the owner keeps a text file in her drive; typing a word
// of its text in the drive's search box finds it, with the words around
// the match, and opens its folder. A Chinese word of two characters is
// found too.
import { call, ok } from "../lib/api";
import { expect, pageErrors, test, watch } from "../lib/fixtures";
import { owner } from "../lib/people";
import { signIn } from "../lib/steps";

const run = Date.now().toString(36);
const word = `okapi${run}`;
const fileName = `minutes22-${run}.txt`;

test("the drive's search finds a word inside a file and shows it in context", async ({ browser }) => {
  const ctx = await browser.newContext({
    locale: "en-US",
    timezoneId: "UTC",
    viewport: { width: 1280, height: 800 },
  });
  const page = watch(await ctx.newPage());
  await signIn(page, owner);
  const me = await ok(await call(page, "GET", "/api/v1/drive/spaces/me"));
  const cookies = await ctx.cookies();
  const csrf = decodeURIComponent(cookies.find((c) => c.name === "atrium_csrf")?.value ?? "");
  await ok(
    await page.request.fetch(`/api/v1/drive/items/${me.root_id}/files?name=${fileName}`, {
      method: "POST",
      data: Buffer.from(`Minutes of the board. The ${word} budget was approved. 预算已经批准。`),
      headers: { "Content-Type": "text/plain", "X-CSRF-Token": csrf },
    }),
  );
  await page.goto("/drive");
  const box = page.getByRole("searchbox", { name: "Search files" });
  // The text is indexed off the request path: search until it is found.
  await expect(async () => {
    await box.fill("");
    await box.fill(word);
    await expect(page.getByTestId("drive-search-hit").first()).toContainText(fileName, { timeout: 2000 });
  }).toPass({ timeout: 20_000 });
  const hit = page.getByTestId("drive-search-hit").first();
  await expect(hit).toContainText(`The ${word} budget was approved`);
  await box.fill("预算");
  await expect(page.getByTestId("drive-search-hit").filter({ hasText: fileName })).toBeVisible();
  await page.getByTestId("drive-search-hit").filter({ hasText: fileName }).getByRole("link").click();
  await expect(page.getByTestId("drive-search")).toHaveValue("");
  expect(pageErrors(page), "console").toEqual([]);
  await ctx.close();
});
