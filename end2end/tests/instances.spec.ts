import { expect, test } from "@playwright/test";
import { hydrated, ownerWithRoom } from "./helpers";

// Two roomcal processes on one PostgreSQL (started by playwright.config.ts under
// `make test`). Nothing about a meeting lives in one process: a room page served by one
// instance follows people who come and go through the other.
const [A, B] = (process.env.E2E_INSTANCES ?? "").split(" ").filter(Boolean);

test("a room page served by one instance counts people who join and leave through another, live", async ({ browser }) => {
  test.skip(!A || !B, "needs the two PostgreSQL instances that `make test` starts");
  const ownerContext = await browser.newContext();
  const owner = await ownerContext.newPage();
  const room = await ownerWithRoom(owner, "Ada Lovelace", A);
  await hydrated(owner);
  await owner.getByTestId("start-meeting").click();
  await expect(owner).toHaveURL(new RegExp(`^${A}/room/${room}/[0-9a-f-]{36}$`));
  await expect(owner.getByTestId("here-now")).toHaveText("Here now: Ada Lovelace");
  const meetingPath = new URL(owner.url()).pathname;

  // Someone watches the room on the other instance.
  const watcherContext = await browser.newContext();
  const watcher = await watcherContext.newPage();
  await watcher.goto(`${B}/room/${room}`);
  await hydrated(watcher);
  const count = watcher.getByTestId("meeting-card").getByTestId("participants-now");
  await expect(count).toHaveText("1 person here");

  // A guest joins through the first instance: the page on the second counts two, then one
  // again when the guest leaves — without a reload.
  await watcher.evaluate(() => ((window as any).__noReload = true));
  const guestContext = await browser.newContext();
  const guest = await guestContext.newPage();
  await guest.goto(`${A}${meetingPath}`);
  await hydrated(guest);
  // A guest is told how many are in the call, never who.
  await expect(guest.getByTestId("here-now")).toHaveText("Here now: 2 people");
  await expect(count).toHaveText("2 people here", { timeout: 10_000 });
  await guest.close({ runBeforeUnload: true });
  await expect(count).toHaveText("1 person here", { timeout: 10_000 });
  expect(await watcher.evaluate(() => (window as any).__noReload)).toBe(true);

  // The owner, signed in through the first instance, gets the host view on the second.
  const hostView = await ownerContext.newPage();
  await hostView.goto(`${B}/room/${room}`);
  await hydrated(hostView);
  await expect(hostView.getByTestId("present-names")).toHaveText("In the call (1): Ada Lovelace");
  await ownerContext.close();
  await watcherContext.close();
  await guestContext.close();
});
