import { expect, test } from "@playwright/test";
import { hydrated, ownerWithRoom, STUB } from "./helpers";

// Pages follow the room's event stream (GET /v1/rooms/{room}/events). With `?poll=off`
// the pages never ask on a timer, so what changes on them came through the stream —
// here from another instance on the same PostgreSQL (LISTEN/NOTIFY).
const [A, B] = (process.env.E2E_INSTANCES ?? "").split(" ").filter(Boolean);

test("with polling off, a waiting page on one instance moves into the meeting opened by another", async ({ browser }) => {
  test.skip(!A || !B, "needs the two PostgreSQL instances that `make test` starts");
  const ownerContext = await browser.newContext();
  const owner = await ownerContext.newPage();
  const room = await ownerWithRoom(owner, "Ada Lovelace", A);

  // The owner attaches a feed on instance A whose event starts in 20 s; these instances
  // create a meeting at its start (--precreate-lead 0s), so the stream announces it then.
  await owner.goto(`${A}/rooms/${room}/settings`);
  await hydrated(owner);
  const feed = `${STUB}/feed.ics?in=20&room=${encodeURIComponent(`${A}/room/${room}`)}`;
  await owner.getByLabel("Calendar address (ICS)").fill(feed);
  await owner.getByLabel("Sync this calendar").check();
  await owner.getByRole("button", { name: "Save" }).click();
  await owner.getByTestId("sync-now").click();
  await expect(owner.getByTestId("sync-result")).toContainText("1 for this room");

  // A guest waits on instance B, with polling off.
  const guestContext = await browser.newContext();
  const guest = await guestContext.newPage();
  const items = await (await guest.request.get(`${B}/v1/rooms/${room}/meetings`)).json();
  const waitingPath: string = items[0].join.page_path;
  await guest.goto(`${B}${waitingPath}?poll=off`);
  await hydrated(guest);
  await expect(guest.getByTestId("waiting")).toBeVisible();
  await expect(guest.getByTestId("countdown")).toHaveText(/^\d+:\d\d$/);

  // The meeting opens at the start (created by whichever instance runs the lifecycle);
  // the stream tells the page, which moves in by itself.
  await expect(guest).toHaveURL(new RegExp(`/room/${room}/[0-9a-f-]{36}$`), { timeout: 40_000 });
  await ownerContext.close();
  await guestContext.close();
});

test("with polling off, a room page on one instance shows a meeting started through another", async ({ browser }) => {
  test.skip(!A || !B, "needs the two PostgreSQL instances that `make test` starts");
  const ownerContext = await browser.newContext();
  const owner = await ownerContext.newPage();
  const room = await ownerWithRoom(owner, "Ada Lovelace", A);
  const watcherContext = await browser.newContext();
  const watcher = await watcherContext.newPage();
  await watcher.goto(`${B}/room/${room}?poll=off`);
  await hydrated(watcher);
  await expect(watcher.getByTestId("meeting-card")).toHaveCount(0);

  await hydrated(owner);
  await owner.getByTestId("start-meeting").click();
  await expect(owner).toHaveURL(new RegExp(`^${A}/room/${room}/[0-9a-f-]{36}$`));
  await expect(watcher.getByTestId("meeting-card")).toHaveCount(1, { timeout: 5_000 });
  await ownerContext.close();
  await watcherContext.close();
});
