import { expect, test } from "@playwright/test";
import { hydrated, ownerWithRoom, STUB, unique } from "./helpers";

// A room's owner wires a webhook receiver (the stub on loopback) into the room on its
// settings page: the secret is shown once, a test event arrives signed, the delivery log
// says so, and meetings of the room reach the receiver too.

test("an owner adds a webhook, copies its secret once, and sees the test event delivered in the log", async ({
  page,
}) => {
  const room = await ownerWithRoom(page, "Hooks");
  const key = unique();
  await page.goto(`/rooms/${room}/settings`);
  await hydrated(page);
  const section = page.getByTestId("webhooks");
  await section.getByLabel("Add an endpoint").fill(`${STUB}/hook/${key}`);
  await section.getByRole("button", { name: "Add endpoint" }).click();

  const secret = section.getByTestId("webhook-secret");
  await expect(secret).toContainText("it is not shown again");
  await expect(secret.locator("code")).toHaveText(/^whsec_[A-Za-z0-9+/=]{20,}$/);
  const endpoint = section.getByTestId("webhook-endpoint");
  await expect(endpoint).toHaveCount(1);
  await expect(endpoint.getByTestId("webhook-status")).toHaveText("working");

  await endpoint.getByTestId("webhook-test").click();
  const log = endpoint.getByTestId("webhook-log");
  await log.locator("summary").click();
  const delivery = log.getByTestId("webhook-delivery").first();
  await expect(async () => {
    await log.getByRole("button", { name: "Refresh" }).click();
    await expect(delivery.getByTestId("webhook-delivery-state")).toHaveText("delivered", { timeout: 1_000 });
  }).toPass({ timeout: 15_000 });
  await expect(delivery).toContainText("webhook.test");
  await expect(delivery).toContainText("HTTP 204");
  const received = await (await page.request.get(`${STUB}/hook-received/${key}`)).json();
  expect(received.map((r: { type: string }) => r.type)).toEqual(["webhook.test"]);
  expect(received[0].signature).toMatch(/^v1,/);

  // A meeting started in the room is told to the receiver as well.
  await page.goto(`/room/${room}`);
  await hydrated(page);
  await page.getByTestId("start-meeting").click();
  await expect(page.getByTestId("call")).toBeVisible();
  await expect(async () => {
    const got = await (await page.request.get(`${STUB}/hook-received/${key}`)).json();
    expect(got.map((r: { type: string }) => r.type)).toContain("meeting.created");
  }).toPass({ timeout: 15_000 });

  // Back on the settings page, the secret is gone for good.
  await page.goto(`/rooms/${room}/settings`);
  await hydrated(page);
  await expect(page.getByTestId("webhook-endpoint")).toHaveCount(1);
  await expect(page.getByTestId("webhook-secret")).toHaveCount(0);
  await expect(page.locator("body")).not.toContainText("whsec_");
});
