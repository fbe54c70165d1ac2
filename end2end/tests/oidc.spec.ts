import { expect, test, type Page } from "@playwright/test";
import { hydrated, unique } from "./helpers";

// Sign-in with the organization's account, at a real OpenID provider (npm
// `oidc-provider`, started by playwright.config.ts) and its own login and consent pages.

/** At the provider's pages: signs in as `login` (any password) and agrees. */
async function atTheProvider(page: Page, login: string) {
  await expect(page).toHaveURL(new RegExp(`^${process.env.E2E_OIDC_ISSUER}/interaction/`));
  await page.locator('input[name="login"]').fill(login);
  await page.locator('input[name="password"]').fill("any password");
  await page.locator('button[type="submit"]').click();
  // First time for this client: the consent page.
  const agree = page.getByRole("button", { name: "Continue" });
  if (await agree.isVisible({ timeout: 5_000 }).catch(() => false)) await agree.click();
}

test("an organization account signs in at the provider, signs out of both, and comes back to the room's settings", async ({ page }) => {
  await page.goto("/login");
  await hydrated(page);
  await page.getByTestId("oidc-sign-in").click();
  await atTheProvider(page, "alice");
  await expect(page).toHaveURL(/\/rooms$/);
  await expect(page.getByTestId("whoami")).toHaveText("Alice Example");
  const room = `sso-${unique()}`;
  await page.getByLabel("Room name").fill(room);
  await page.getByRole("button", { name: "Create room" }).click();
  await expect(page).toHaveURL(new RegExp(`/room/${room}$`));

  // Signing out here ends the provider's session too (its sign-out page, then home).
  await hydrated(page);
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(new RegExp(`^${process.env.E2E_OIDC_ISSUER}/session/end`));
  await page.getByRole("button", { name: /yes/i }).click();
  await expect(page).toHaveURL(/127\.0\.0\.1:\d+\/$/);

  // Coming back to the settings page: the provider asks for the login again, and roomcal
  // lands on the page the person was going to, as its owner.
  await page.goto(`/login?return_to=/rooms/${room}/settings`);
  await hydrated(page);
  await page.getByTestId("oidc-sign-in").click();
  await atTheProvider(page, "alice");
  await expect(page).toHaveURL(new RegExp(`/rooms/${room}/settings$`));
  await expect(page.getByRole("heading", { level: 1 })).toContainText(room);
});
