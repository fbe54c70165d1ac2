import { expect, test } from "@playwright/test";
import { hydrated, unique } from "./helpers";

// The account page and a room's deletion, as their owner uses them.
test("an owner changes the password, deletes a room by typing its name, then deletes the account", async ({ page }) => {
  const email = `${unique()}@example.com`;
  await page.goto("/signup");
  await hydrated(page);
  await page.getByLabel("Name").fill("Grace Hopper");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill("correct horse battery");
  await page.getByRole("button", { name: "Sign up" }).click();
  await expect(page).toHaveURL(/\/rooms$/);
  const room = `del-${unique()}`;
  await page.getByLabel("Room name").fill(room);
  await page.getByRole("button", { name: "Create room" }).click();
  await expect(page).toHaveURL(new RegExp(`/room/${room}$`));

  await page.goto("/account");
  await hydrated(page);
  await expect(page.getByTestId("session")).toHaveCount(1);
  await expect(page.getByTestId("session")).toContainText("(this browser)");
  await page.getByLabel("Current password").fill("not it");
  await page.getByLabel("New password").fill("battery staple horse");
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page.getByText("that is not your current password")).toBeVisible();
  await page.getByLabel("Current password").fill("correct horse battery");
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page.getByTestId("password-changed")).toBeVisible();

  await page.goto(`/rooms/${room}/settings`);
  await hydrated(page);
  await page.getByLabel("Type the room's name to confirm").fill("wrong-name");
  await page.getByRole("button", { name: "Delete room" }).click();
  await expect(page.getByText(`type the room's name, ${room}`)).toBeVisible();
  await page.getByLabel("Type the room's name to confirm").fill(room);
  await page.getByRole("button", { name: "Delete room" }).click();
  await expect(page).toHaveURL(/\/rooms$/);
  await expect(page.getByText(room)).toHaveCount(0);
  expect((await page.request.get(`/v1/rooms/${room}`)).status()).toBe(404);

  await page.goto("/account");
  await hydrated(page);
  await page.getByLabel("Type your email to confirm").fill(email);
  await page.getByRole("button", { name: "Delete my account" }).click();
  await expect(page).toHaveURL(/127\.0\.0\.1:\d+\/$/);
  const login = await page.request.post("/v1/auth/login", {
    data: { email, password: "battery staple horse" },
  });
  expect(login.status()).toBe(401);
});
