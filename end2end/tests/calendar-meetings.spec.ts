import { expect, test, type Page } from "@playwright/test";
import { hydrated, ownerWithRoom, STUB } from "./helpers";

test("a calendar event becomes a meeting: join early, wait, move in, leave, and it closes", async ({ page, baseURL }) => {
  const room = await ownerWithRoom(page);
  await page.getByTestId("settings-link").click();
  await expect(page).toHaveURL(new RegExp(`/rooms/${room}/settings$`));
  await hydrated(page);

  // The owner attaches a feed whose event starts in 25 s (pre-created 5 s before).
  const roomUrl = `${baseURL}/room/${room}`;
  const feed = `${STUB}/feed.ics?in=25&room=${encodeURIComponent(roomUrl)}&token=s3cr3t-token-value`;
  await page.getByLabel("Calendar address (ICS)").fill(feed);
  await page.getByLabel("Sync this calendar").check();
  await page.getByRole("button", { name: "Save" }).click();
  await expect(page.getByTestId("masked-url")).toHaveText(/^http:\/\/127\.0\.0\.1:\d+\/…\/feed\.ics$/);
  await expect(page.locator("body")).not.toContainText("s3cr3t-token-value");

  await page.getByTestId("sync-now").click();
  await expect(page.getByTestId("sync-result")).toContainText("1 for this room");
  await expect(page.getByTestId("sync-log")).toContainText("1 new");

  // The room lists the event; it is within the upcoming window, so it can be joined early.
  await page.goto(`/room/${room}`);
  const upcoming = page.getByTestId("upcoming");
  await expect(upcoming).toContainText("Daily standup");
  await upcoming.getByRole("link", { name: "Join early" }).click();
  await expect(page.getByTestId("waiting")).toBeVisible();
  await hydrated(page);
  await expect(page.getByTestId("countdown")).toHaveText(/^\d+:\d\d$/);

  // At start − lead the meeting exists and the waiting page moves in by itself.
  await expect(page).toHaveURL(new RegExp(`/room/${room}/[0-9a-f-]{36}$`), { timeout: 40_000 });
  await expect(page.getByTestId("meeting-title")).toHaveText("Daily standup");
  await expect(page.frameLocator('[data-testid="call"]').locator("#stub-call")).toContainText(`roomcal-${room}`);

  // The page's presence reached the server: the room counts the person in the call, and
  // with someone present the meeting stays open (the rule itself is tested with an
  // injected clock: server/tests/api/lifecycle.rs, presence_keeps_a_meeting_open_…).
  await expect
    .poll(async () => (await activeMeetings(page, room))[0]?.participants_now, {
      timeout: 10_000,
    })
    .toBe(1);

  // Leaving (navigating away) announces it; the meeting closes once the grace period is over.
  await page.goto(`/room/${room}`);
  await expect
    .poll(async () => (await activeMeetings(page, room)).length, {
      timeout: 20_000,
    })
    .toBe(0);
});

/** The active meetings on a room's board, as `GET /v1/rooms/{room}` lists them. */
async function activeMeetings(page: Page, room: string): Promise<Array<{ participants_now: number }>> {
  const body = await (await page.request.get(`/v1/rooms/${room}`)).json();
  return body.board.meetings.filter((m: { kind: string }) => m.kind === "active");
}
