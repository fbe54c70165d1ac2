import { expect, test } from "@playwright/test";
import { accessible, hydrated, ownerWithRoom, screenshots, STUB, unique, wallClock } from "./helpers";

const PRIVATE = ["Grace Hopper", "Ada Lovelace", "grace@example.com", "docs.example.com", "Agenda and notes"];

test("the owner sees the host view and others only title, time and head count, each in their own time zone, live", async ({
  browser,
  baseURL,
}) => {
  test.setTimeout(120_000);
  const ownerContext = await browser.newContext({ baseURL, timezoneId: "America/New_York" });
  const page = await ownerContext.newPage();
  const room = await ownerWithRoom(page);
  await page.getByTestId("settings-link").click();
  await hydrated(page);
  await accessible(page);
  await screenshots(page, "settings-new");

  // Test connection reads the feed without saving it.
  const key = unique();
  const roomUrl = `${baseURL}/room/${room}`;
  const feed =
    `${STUB}/feed.ics?in=600&minutes=30&rich=1&key=${key}&title=${encodeURIComponent("Design review")}` +
    `&room=${encodeURIComponent(roomUrl)}`;
  await page.getByLabel("Calendar address (ICS)").fill(feed);
  await page.getByTestId("test-connection").click();
  await expect(page.getByTestId("test-result")).toContainText("1 event, 1 for this room, next: Design review");
  await expect(page.getByTestId("masked-url")).toHaveText("none");

  await page.getByLabel("Sync this calendar").check();
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByTestId("masked-url")).toHaveText(/\/…\/feed\.ics$/);
  // Saved: the secret address leaves the screen; only its masked form stays.
  await expect(page.getByLabel("Calendar address (ICS)")).toHaveValue("");
  await expect(page.locator("body")).not.toContainText(key);
  await page.getByTestId("sync-now").click();
  await expect(page.getByTestId("sync-result")).toContainText("1 for this room");
  await expect(page.getByTestId("last-sync")).toContainText("just now");
  await expect(page.getByTestId("room-address").locator("input")).toHaveValue(roomUrl);
  await accessible(page);
  await screenshots(page, "settings-synced");

  // The host view: everything the calendar says, times in New York.
  await page.goto(`/room/${room}`);
  await hydrated(page);
  const card = page.getByTestId("upcoming-card");
  await expect(card.getByTestId("card-title")).toHaveText("Design review");
  await expect(card.getByTestId("organizer")).toHaveText("Organizer: Grace Hopper");
  await expect(card.getByTestId("rsvp-counts")).toHaveText("4 invited: 1 accepted · 1 tentative · 1 declined · 1 no answer");
  for (const line of ["Ada Lovelace (accepted)", "Alan Turing (tentative)", "Edsger Dijkstra (declined)", "Barbara Liskov (no answer)"]) {
    await expect(card.getByTestId("attendees")).toContainText(line);
  }
  await expect(card.getByTestId("description").getByRole("link")).toHaveAttribute(
    "href",
    "https://docs.example.com/agenda-42",
  );
  const start = (await card.getByTestId("card-when").locator("time").getAttribute("datetime"))!;
  await expect(card.getByTestId("card-when")).toContainText(`${wallClock(start, "America/New_York")}–`);
  await expect(card.getByTestId("card-when")).toContainText("· 30 min");
  // The countdown ticks to the second.
  const countdown = card.getByTestId("countdown");
  await expect(countdown).toHaveText(/^starts in (9|10):\d\d$/);
  const first = await countdown.textContent();
  await expect(countdown).not.toHaveText(first!, { timeout: 3_000 });
  await accessible(page);
  await screenshots(page, "room-host");

  // Someone else, in Kolkata: title, time and head count only.
  const guestContext = await browser.newContext({ timezoneId: "Asia/Kolkata" });
  const guest = await guestContext.newPage();
  await guest.goto(`${baseURL}/room/${room}`);
  await hydrated(guest);
  const guestCard = guest.getByTestId("upcoming-card");
  await expect(guestCard.getByTestId("card-title")).toHaveText("Design review");
  await expect(guestCard.getByTestId("card-when")).toContainText(`${wallClock(start, "Asia/Kolkata")}–`);
  await expect(guestCard.getByTestId("host-details")).toHaveCount(0);
  const html = await guest.content();
  for (const secret of PRIVATE) expect(html).not.toContain(secret);
  await accessible(guest);
  await screenshots(guest, "room-participant");

  // The calendar cancels the event: both open pages drop it without a reload.
  await fetch(`${STUB}/feed-state?key=${key}&cancelled=1`);
  const settings = await ownerContext.newPage();
  await settings.goto(`/rooms/${room}/settings`);
  await hydrated(settings);
  // A sync right after another is refused for a few seconds ("try again in 6 s"); retry.
  await expect(async () => {
    await settings.getByTestId("sync-now").click();
    await expect(settings.getByTestId("sync-result")).toContainText("1 removed", { timeout: 2_000 });
  }).toPass({ timeout: 30_000 });
  await expect(page.getByTestId("upcoming-card")).toHaveCount(0, { timeout: 6_000 });
  await expect(guest.getByTestId("upcoming-card")).toHaveCount(0, { timeout: 6_000 });
  await expect(guest.getByTestId("no-meetings")).toBeVisible();
  await ownerContext.close();
  await guestContext.close();
});

test("an early joiner waits with the title and a countdown, lands in the meeting at its start, and the owner sees who of the invited came", async ({
  browser,
  baseURL,
}) => {
  test.setTimeout(120_000);
  const ownerContext = await browser.newContext({ baseURL });
  const page = await ownerContext.newPage();
  // The owner is one of the invited (matched by name).
  const room = await ownerWithRoom(page, "Ada Lovelace");
  const key = unique();
  const feed =
    `${STUB}/feed.ics?in=25&rich=1&key=${key}&title=${encodeURIComponent("Design review")}` +
    `&room=${encodeURIComponent(`${baseURL}/room/${room}`)}`;
  await page.goto(`/rooms/${room}/settings`);
  await hydrated(page);
  await page.getByLabel("Calendar address (ICS)").fill(feed);
  await page.getByLabel("Sync this calendar").check();
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByTestId("masked-url")).toHaveText(/\/…\/feed\.ics$/);
  await page.getByTestId("sync-now").click();
  await expect(page.getByTestId("sync-result")).toContainText("1 for this room");

  // The owner keeps the room page open: it follows everything without a reload.
  await page.goto(`/room/${room}`);
  await hydrated(page);
  await expect(page.getByTestId("upcoming-card").getByTestId("card-title")).toHaveText("Design review");

  const guestContext = await browser.newContext({ baseURL, timezoneId: "Europe/Berlin" });
  const guest = await guestContext.newPage();
  // This visitor's computer clock is ten minutes slow: countdowns follow the server's.
  await guest.clock.setSystemTime(new Date(Date.now() - 10 * 60_000));
  await guest.goto(`${baseURL}/room/${room}`);
  await hydrated(guest);
  expect(await guest.evaluate(() => Date.now())).toBeLessThan(Date.now() - 9 * 60_000);
  await guest.getByTestId("upcoming-card").getByRole("link", { name: "Join early" }).click();
  await expect(guest.getByTestId("waiting-title")).toHaveText("Design review");
  await hydrated(guest);
  await expect(guest.getByTestId("countdown")).toHaveText(/^0:[0-2]\d$/);
  await accessible(guest);
  await screenshots(guest, "waiting");
  await expect(guest).toHaveURL(new RegExp(`/room/${room}/[0-9a-f-]{36}$`), { timeout: 40_000 });
  await expect(guest.getByTestId("meeting-title")).toHaveText("Design review");
  await expect(guest.getByTestId("meeting-host-view")).toHaveCount(0);
  // Names are the owner's: the guest in the call is told the head count only.
  await expect(guest.getByTestId("here-now")).toHaveText("Here now: 1 person");

  // On the owner's open room page the card became a running meeting with one person in it.
  const running = page.getByTestId("meeting-card");
  await expect(running.getByTestId("card-title")).toHaveText("Design review", { timeout: 6_000 });
  await expect(running.getByTestId("running-for")).toHaveText(/^running for (less than a minute|\d+ min)$/);
  await expect(running.getByTestId("participants-now")).toHaveText("1 person here", { timeout: 6_000 });
  await expect(running.getByTestId("present-names")).toHaveText("In the call (1): Guest");
  await screenshots(page, "room-host-running");

  // The owner joins too and sees the invitation against who is here.
  const meeting = await ownerContext.newPage();
  await meeting.goto(guest.url());
  await hydrated(meeting);
  await expect(meeting.getByTestId("invited-here")).toHaveText("Ada Lovelace", { timeout: 10_000 });
  await expect(meeting.getByTestId("invited-absent")).toHaveText("Alan Turing, Edsger Dijkstra, Barbara Liskov");
  await expect(meeting.getByTestId("here-not-invited")).toHaveText("Guest");
  await expect(meeting.getByTestId("meeting-description")).toContainText("Agenda and notes");
  await accessible(meeting);
  await screenshots(meeting, "meeting-host");
  // …and the room page, still open, counts two.
  await expect(running.getByTestId("participants-now")).toHaveText("2 people here", { timeout: 6_000 });
  await screenshots(guest, "meeting-participant");
  await ownerContext.close();
  await guestContext.close();
});

test("every other page passes the accessibility check and fits a phone", async ({ page }) => {
  for (const [path, name] of [
    ["/", "home"],
    ["/signup", "signup"],
    ["/login", "login"],
    [`/room/no-such-room-${unique()}`, "not-found"],
  ] as const) {
    await page.goto(path);
    await hydrated(page);
    await accessible(page);
    await screenshots(page, name);
  }
  // Keyboard focus is always visible.
  await page.goto("/");
  await hydrated(page);
  await page.keyboard.press("Tab");
  const ring = await page.evaluate(() => {
    const style = getComputedStyle(document.activeElement as Element);
    return { style: style.outlineStyle, width: parseFloat(style.outlineWidth) };
  });
  expect(ring.style).not.toBe("none");
  expect(ring.width).toBeGreaterThanOrEqual(2);
  await ownerWithRoom(page);
  await page.goto("/rooms");
  await hydrated(page);
  await accessible(page);
  await screenshots(page, "my-rooms");
});
