import { expect, test, type Page } from "@playwright/test";
import { STUB, hydrated, unique } from "./helpers";

test("a visitor subscribes to a room's schedule and adds a meeting to their calendar; the owner has a private feed", async ({
  page,
  browser,
  baseURL,
}) => {
  // The owner makes a room and attaches a feed with an event ten minutes ahead.
  await page.goto("/signup");
  await hydrated(page);
  await page.getByLabel("Name").fill("Owner");
  await page.getByLabel("Email").fill(`${unique()}@example.com`);
  await page.getByLabel("Password").fill("correct horse battery");
  await page.getByRole("button", { name: "Sign up" }).click();
  await expect(page).toHaveURL(/\/rooms$/);
  const room = `ics-${unique()}`;
  await page.getByLabel("Room name").fill(room);
  await page.getByRole("button", { name: "Create room" }).click();
  await expect(page).toHaveURL(new RegExp(`/room/${room}$`));
  await page.getByTestId("settings-link").click();
  await hydrated(page);
  const feed = `${STUB}/feed.ics?in=600&room=${encodeURIComponent(`${baseURL}/room/${room}`)}`;
  await page.getByLabel("Calendar address (ICS)").fill(feed);
  await page.getByLabel("Sync this calendar").check();
  await page.getByRole("button", { name: "Save" }).click();
  await page.getByTestId("sync-now").click();
  await expect(page.getByTestId("sync-result")).toContainText("1 for this room");

  // The owner's private feed: shown on the settings page, changed by "reset".
  const privateUrl = page.getByTestId("private-feed-url");
  await expect(privateUrl).toHaveValue(/\/calendar\.ics\?key=[0-9a-f]{48}$/);
  const before = await privateUrl.inputValue();
  const ownFeed = await page.request.get(before);
  expect(ownFeed.status()).toBe(200);
  await page.getByTestId("reset-private-feed").click();
  await expect(privateUrl).not.toHaveValue(before);
  expect((await page.request.get(before)).status()).toBe(404);

  // A visitor subscribes: the room page links the feed it serves.
  const visitor = await browser.newContext();
  const guest = await visitor.newPage();
  await guest.goto(`/room/${room}`);
  await hydrated(guest);
  await expect(guest.getByTestId("subscribe-webcal")).toHaveAttribute("href", new RegExp(`^webcal://127\\.0\\.0\\.1:\\d+/room/${room}/calendar\\.ics$`));
  const address = await guest.getByTestId("subscribe-url").inputValue();
  const subscribed = await guest.request.get(address);
  expect(subscribed.status()).toBe(200);
  expect(subscribed.headers()["content-type"]).toContain("text/calendar");
  const calendar = await subscribed.text();
  expect(calendar).toContain("BEGIN:VCALENDAR");
  expect(calendar).toContain("SUMMARY:Daily standup");

  // … and adds the upcoming meeting to their calendar.
  const download = guest.waitForEvent("download");
  await guest.getByTestId("upcoming").getByTestId("add-to-calendar").first().click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(new RegExp(`^${room}-\\d{8}-\\d{4}\\.ics$`));
  const stream = await file.createReadStream();
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  const event = Buffer.concat(chunks).toString("utf8");
  expect(event.match(/BEGIN:VEVENT/g)).toHaveLength(1);
  expect(event).toContain("SUMMARY:Daily standup");
  await visitor.close();
});
