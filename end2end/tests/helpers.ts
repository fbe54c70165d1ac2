import AxeBuilder from "@axe-core/playwright";
import { expect, type Page } from "@playwright/test";
import fs from "node:fs";
import path from "node:path";

export const unique = () => `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
export const STUB = `http://127.0.0.1:${process.env.E2E_STUB_PORT ?? 3108}`;

/** Waits until the page runs in the browser (hydrated). */
export async function hydrated(page: Page) {
  await expect(page.locator('#app[data-hydrated="true"]')).toBeVisible();
}

/** Signs up a new person named `name` and creates a room; returns its name. `base`: the
 * instance to use (`http://127.0.0.1:PORT`), the configured one by default. */
export async function ownerWithRoom(page: Page, name = "Owner", base = ""): Promise<string> {
  await page.goto(`${base}/signup`);
  await hydrated(page);
  await page.getByLabel("Name").fill(name);
  await page.getByLabel("Email").fill(`${unique()}@example.com`);
  await page.getByLabel("Password").fill("correct horse battery");
  await page.getByRole("button", { name: "Sign up" }).click();
  await expect(page).toHaveURL(/\/rooms$/);
  const room = `cal-${unique()}`;
  await page.getByLabel("Room name").fill(room);
  await page.getByRole("button", { name: "Create room" }).click();
  await expect(page).toHaveURL(new RegExp(`/room/${room}$`));
  return room;
}

/** axe-core on the page as it is now: no serious or critical violation. */
export async function accessible(page: Page) {
  const results = await new AxeBuilder({ page }).analyze();
  const bad = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  expect(
    bad.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).slice(0, 3).join(", ")}`),
  ).toEqual([]);
}

/** Saves what the page looks like on a 375 px phone and on a desktop, under end2end/screenshots/. */
export async function screenshots(page: Page, name: string) {
  const dir = path.join(__dirname, "..", "screenshots");
  fs.mkdirSync(dir, { recursive: true });
  const before = page.viewportSize();
  for (const [label, size] of [
    ["phone", { width: 375, height: 812 }],
    ["desktop", { width: 1280, height: 800 }],
  ] as const) {
    await page.setViewportSize(size);
    // Nothing may stick out sideways on a phone.
    if (label === "phone") {
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow, `${name} is wider than a 375 px phone`).toBeLessThanOrEqual(0);
    }
    await page.screenshot({ path: path.join(dir, `${name}-${label}.png`), fullPage: true });
  }
  if (before) await page.setViewportSize(before);
}

/** The wall-clock time of `iso` in `timeZone`, as the pages write it (`14:05`). */
export function wallClock(iso: string, timeZone: string): string {
  return new Intl.DateTimeFormat("en-GB", { timeZone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(
    new Date(iso),
  );
}
