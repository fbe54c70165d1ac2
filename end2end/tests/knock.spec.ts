import { expect, test, type Browser, type Page } from "@playwright/test";
import { hydrated, ownerWithRoom } from "./helpers";

/** The owner makes `room` a knock room on its settings page and starts a meeting; the
 * meeting page's address. */
async function knockRoomWithMeeting(owner: Page, room: string): Promise<string> {
  await owner.goto(`/rooms/${room}/settings`);
  await hydrated(owner);
  await owner.getByTestId("access-select").selectOption("knock");
  await owner.getByTestId("save-access").click();
  await expect(owner.getByTestId("access-saved")).toHaveText("Saved.");
  await owner.goto(`/room/${room}`);
  await hydrated(owner);
  await owner.getByTestId("start-meeting").click();
  await expect(owner).toHaveURL(new RegExp(`/room/${room}/[0-9a-f-]{36}$`));
  await expect(owner.getByTestId("call")).toBeVisible();
  await expect(owner.getByTestId("knock-list")).toBeVisible();
  return owner.url();
}

/** A guest in a browser context of their own (no account, their own cookies) knocks. */
async function guestKnocks(browser: Browser, meetingUrl: string, name: string): Promise<Page> {
  const guest = await (await browser.newContext()).newPage();
  await guest.goto(meetingUrl);
  await hydrated(guest);
  await expect(guest.getByTestId("knock-required")).toBeVisible();
  await expect(guest.getByTestId("call")).toHaveCount(0);
  await guest.getByLabel("Your name").fill(name);
  await guest.getByTestId("knock").click();
  await expect(guest.getByTestId("knock-pending")).toHaveText("Waiting for the host to let you in…");
  return guest;
}

test("a guest knocks, the owner admits them from the meeting page and the guest joins", async ({ page, browser }) => {
  const room = await ownerWithRoom(page, "Host");
  const meetingUrl = await knockRoomWithMeeting(page, room);
  const guest = await guestKnocks(browser, meetingUrl, "Grace Hopper");
  const callSrc = await page.getByTestId("call").getAttribute("src");
  expect(callSrc).toBeTruthy();
  expect(await guest.content()).not.toContain(callSrc!);

  // The knock shows on the owner's page live, and the guest moves into the call.
  const item = page.getByTestId("knock-item").filter({ hasText: "Grace Hopper" });
  await expect(item).toBeVisible();
  await item.getByTestId("admit-knock").click();
  await expect(guest.getByTestId("call")).toHaveAttribute("src", callSrc!);
  await expect(page.getByTestId("knock-item")).toHaveCount(0);
  await guest.context().close();
});

test("a declined guest is told so and their page never holds the call's address", async ({ page, browser }) => {
  const room = await ownerWithRoom(page, "Host");
  const meetingUrl = await knockRoomWithMeeting(page, room);
  const callSrc = (await page.getByTestId("call").getAttribute("src"))!;
  const guest = await guestKnocks(browser, meetingUrl, "Eve");
  const callPath = new URL(callSrc).pathname;

  // Everything the guest's browser receives from now on is checked for the address.
  const received: string[] = [];
  guest.on("response", async (response) => {
    try {
      received.push(await response.text());
    } catch {
      // Streams and redirects have no body to read.
    }
  });
  await page.getByTestId("knock-item").filter({ hasText: "Eve" }).getByTestId("decline-knock").click();
  await expect(guest.getByTestId("knock-declined")).toContainText("declined");
  await guest.reload();
  await expect(guest.getByTestId("knock-declined")).toContainText("declined");
  await expect(guest.getByTestId("call")).toHaveCount(0);
  expect(await guest.content()).not.toContain(callPath);
  expect(received.filter((body) => body.includes(callPath))).toEqual([]);
  await guest.context().close();
});
