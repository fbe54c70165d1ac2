import { expect, test } from "@playwright/test";
import { hydrated, ownerWithRoom, unique } from "./helpers";

// Co-owners, as two people use them in two browsers: the owner adds a colleague on the
// settings page; the colleague finds the room under "my rooms", changes its settings
// but cannot delete it; the owner leaves, handing the room over.
test("an owner adds a co-owner who then hosts the room, and hands it over when leaving", async ({ browser }) => {
  const ownerContext = await browser.newContext();
  const colleagueContext = await browser.newContext();
  const owner = await ownerContext.newPage();
  const colleague = await colleagueContext.newPage();
  const room = await ownerWithRoom(owner, "Grace Owner");
  const ownerEmail = (await (await owner.request.get("/v1/me")).json()).email as string;

  const colleagueEmail = `${unique()}@example.com`;
  // Signing up from a link that asked for it comes back where it pointed.
  await colleague.goto("/signup?return_to=%2Faccount");
  await hydrated(colleague);
  await colleague.getByLabel("Name").fill("Kay Colleague");
  await colleague.getByLabel("Email").fill(colleagueEmail);
  await colleague.getByLabel("Password").fill("correct horse battery");
  await colleague.getByRole("button", { name: "Sign up" }).click();
  await expect(colleague).toHaveURL(/\/account$/);
  expect((await colleague.request.get(`/v1/rooms/${room}/co-owners`)).status()).toBe(403);

  await owner.goto(`/rooms/${room}/settings`);
  await hydrated(owner);
  await owner.getByLabel("Add a co-owner by email").fill("nobody-here@example.com");
  await owner.getByRole("button", { name: "Add co-owner" }).click();
  await expect(owner.getByText("no account uses nobody-here@example.com")).toBeVisible();
  await owner.getByLabel("Add a co-owner by email").fill(colleagueEmail);
  await owner.getByRole("button", { name: "Add co-owner" }).click();
  await expect(owner.getByTestId("co-owner")).toContainText("Kay Colleague");

  await colleague.goto("/rooms");
  await hydrated(colleague);
  await expect(colleague.getByRole("link", { name: room })).toBeVisible();
  await expect(colleague.getByTestId("co-owned")).toBeVisible();
  await colleague.goto(`/rooms/${room}/settings`);
  await hydrated(colleague);
  await expect(colleague.getByTestId("co-owners")).toBeVisible();
  await expect(colleague.getByRole("button", { name: "Leave this room" })).toBeVisible();
  await expect(colleague.getByRole("button", { name: "Delete room" })).toHaveCount(0);
  await expect(colleague.getByRole("button", { name: "Add co-owner" })).toHaveCount(0);

  await owner.goto("/account");
  await hydrated(owner);
  await expect(owner.getByTestId("room-fates")).toContainText(`${room} goes to ${colleagueEmail}`);
  await owner.getByTestId("hand-over").check();
  await owner.getByLabel("Type your email to confirm").fill(ownerEmail);
  await owner.getByRole("button", { name: "Delete my account" }).click();
  await expect(owner).toHaveURL(/127\.0\.0\.1:\d+\/$/);

  await colleague.goto("/rooms");
  await hydrated(colleague);
  await expect(colleague.getByRole("link", { name: room })).toBeVisible();
  await expect(colleague.getByTestId("co-owned")).toHaveCount(0);
  await colleague.goto(`/rooms/${room}/settings`);
  await hydrated(colleague);
  await expect(colleague.getByRole("button", { name: "Delete room" })).toBeVisible();
  await ownerContext.close();
  await colleagueContext.close();
});
