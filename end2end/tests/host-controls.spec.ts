import { expect, test } from "@playwright/test";
import { hydrated, ownerWithRoom } from "./helpers";

// Host controls with two people in two browser contexts: the room's owner keeps a
// meeting open longer and ends it; the guest's page follows without being reloaded.

test("the host keeps a meeting open longer, then ends it, and the guest's page says it ended without a reload", async ({
  page,
  browser,
}) => {
  const room = await ownerWithRoom(page, "Host");
  await hydrated(page);
  await page.getByTestId("start-meeting").click();
  await expect(page).toHaveURL(new RegExp(`/room/${room}/[0-9a-f-]{36}$`));
  const meetingUrl = page.url();
  await expect(page.getByTestId("call")).toBeVisible();
  const controls = page.getByTestId("host-controls");
  await expect(controls.getByTestId("end-meeting")).toHaveText("End meeting now");
  await expect(controls.getByTestId("closes-at")).toContainText("Closes at");

  // The guest (no account, cookies of their own) is in the call and sees no host button.
  // `?poll=off`: only the room's live stream can tell this page anything.
  const guest = await (await browser.newContext()).newPage();
  await guest.goto(`${meetingUrl}?poll=off`);
  await hydrated(guest);
  await expect(guest.getByTestId("call")).toBeVisible();
  await expect(guest.getByTestId("host-controls")).toHaveCount(0);
  await expect(guest.getByText("End meeting now")).toHaveCount(0);
  await expect(guest.getByText("Keep open 30 minutes longer")).toHaveCount(0);
  await guest.goto(`/room/${room}`);
  await hydrated(guest);
  await expect(guest.getByTestId("meeting-card")).toHaveCount(1);
  await expect(guest.getByTestId("host-controls")).toHaveCount(0);
  await guest.goto(`${meetingUrl}?poll=off`);
  await hydrated(guest);
  await expect(guest.getByTestId("call")).toBeVisible();

  // "Keep open 30 minutes longer" moves the close; twice is twice as long.
  const extend = controls.getByTestId("extend-meeting");
  await expect(extend).toHaveText("Keep open 30 minutes longer");
  await extend.click();
  await expect(controls.getByTestId("closes-at")).toContainText("kept open 30 minutes longer");
  await extend.click();
  await expect(controls.getByTestId("closes-at")).toContainText("kept open 60 minutes longer");

  // The owner's room page has the same controls on the running meeting's card.
  const board = await (await page.context()).newPage();
  await board.goto(`/room/${room}`);
  await hydrated(board);
  await expect(board.getByTestId("meeting-card").getByTestId("end-meeting")).toBeVisible();
  await expect(board.getByTestId("meeting-card").getByTestId("closes-at")).toContainText(
    "kept open 60 minutes longer",
  );
  await board.close();

  // A mark on the guest's page survives only if the page is never reloaded.
  await guest.evaluate(() => {
    (window as unknown as { hostControlsMark: number }).hostControlsMark = 26;
  });
  await controls.getByTestId("end-meeting").click();
  await expect(page.getByTestId("meeting-ended")).toBeVisible();
  await expect(page.getByTestId("ended-message")).toContainText("This meeting has ended");
  await expect(guest.getByTestId("ended-message")).toContainText("This meeting has ended");
  await expect(guest.getByTestId("call")).toHaveCount(0);
  await expect(guest.getByTestId("ended-detail")).toContainText("The host ended this meeting");
  await expect(guest.getByTestId("reopen-meeting")).toHaveCount(0);
  expect(
    await guest.evaluate(() => (window as unknown as { hostControlsMark?: number }).hostControlsMark),
  ).toBe(26);
  await guest.context().close();
});
