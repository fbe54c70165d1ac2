import { expect, test, type Page } from "@playwright/test";
import { hydrated, unique } from "./helpers";

async function signUp(page: Page, name: string) {
  await page.goto("/signup");
  await hydrated(page);
  await page.getByLabel("Name").fill(name);
  await page.getByLabel("Email").fill(`${unique()}@example.com`);
  await page.getByLabel("Password").fill("correct horse battery");
  await page.getByRole("button", { name: "Sign up" }).click();
  await expect(page).toHaveURL(/\/rooms$/);
  await expect(page.getByTestId("whoami")).toHaveText(name);
}

test("a visitor signs up, creates a room and starts a meeting without a page load", async ({ page }) => {
  await signUp(page, "Ada Lovelace");

  const room = `standup-${unique()}`;
  await page.getByLabel("Room name").fill(room);
  await page.getByRole("button", { name: "Create room" }).click();
  await expect(page).toHaveURL(new RegExp(`/room/${room}$`));
  await expect(page.getByTestId("room-name")).toHaveText(room);
  await expect(page.getByTestId("no-meetings")).toBeVisible();
  await hydrated(page);

  // A marker on window survives client-side navigation but not a page load.
  await page.evaluate(() => ((window as any).__noReload = true));
  await page.getByTestId("start-meeting").click();
  await expect(page).toHaveURL(new RegExp(`/room/${room}/[0-9a-f-]{36}$`));
  expect(await page.evaluate(() => (window as any).__noReload)).toBe(true);

  const call = page.getByTestId("call");
  await expect(call).toHaveAttribute("src", new RegExp(`^http://127\\.0\\.0\\.1:\\d+/call/roomcal-${room}-[0-9a-f]{32}$`));
  await expect(page.frameLocator('[data-testid="call"]').locator("#stub-call")).toContainText(`roomcal-${room}`);
  await expect(page.getByTestId("here-now")).toHaveText("Here now: Ada Lovelace");

  // Somebody else looking at the room sees that one person is in the call.
  const guest = await page.context().browser()!.newPage();
  await guest.goto(new URL(`/room/${room}`, page.url()).toString());
  await expect(guest.getByTestId("participants-now")).toHaveText("1 person here");
  await guest.close();

  // The room page now lists the running meeting with a Join link to it.
  const meetingUrl = page.url();
  await page.goto(`/room/${room}`);
  await expect(page.getByTestId("meetings").getByRole("link", { name: "Join" })).toHaveAttribute(
    "href",
    new URL(meetingUrl).pathname,
  );
});

test("an unknown room shows a not-found page with status 404", async ({ page }) => {
  const response = await page.goto(`/room/no-such-room-${unique()}`);
  expect(response?.status()).toBe(404);
  await expect(page.getByTestId("not-found")).toBeVisible();
});

test("sign-up mistakes are shown next to the fields", async ({ page }) => {
  await page.goto("/signup");
  await hydrated(page);
  await page.getByLabel("Name").fill("Grace");
  await page.getByLabel("Email").fill(`${unique()}@example.com`);
  await page.getByLabel("Password").fill("short");
  await page.getByRole("button", { name: "Sign up" }).click();
  await expect(page.locator('[data-field-error="password"]')).toContainText("at least 8 characters");
  await expect(page).toHaveURL(/\/signup$/);
});

test("a taken or malformed room name is explained", async ({ page }) => {
  await signUp(page, "Grace Hopper");
  await page.getByLabel("Room name").fill("Not A Slug");
  await page.getByRole("button", { name: "Create room" }).click();
  await expect(page.locator('[data-field-error="name"]')).toContainText("lowercase letters");
});

test("visitors who are not signed in are asked to sign in before starting a meeting", async ({ page, browser }) => {
  await signUp(page, "Owner");
  const room = `open-${unique()}`;
  await page.getByLabel("Room name").fill(room);
  await page.getByRole("button", { name: "Create room" }).click();
  await expect(page).toHaveURL(new RegExp(`/room/${room}$`));

  const guest = await browser.newPage();
  await guest.goto(new URL(`/room/${room}`, page.url()).toString());
  await expect(guest.getByTestId("room-name")).toHaveText(room);
  await expect(guest.getByTestId("start-meeting")).toHaveCount(0);
  await expect(guest.getByText("to start a meeting")).toBeVisible();
  await guest.close();
});
