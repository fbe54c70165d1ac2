import { defineConfig } from "@playwright/test";

// The server under test is the release binary, started here with a throwaway data dir.
// Its video platform points at a stub call page on loopback, so no test leaves this machine.
const APP_PORT = Number(process.env.E2E_APP_PORT ?? 3107);
const STUB_PORT = Number(process.env.E2E_STUB_PORT ?? 3108);
const DATA_DIR = process.env.E2E_DATA_DIR ?? `/tmp/roomcal-e2e-${process.pid}`;

export default defineConfig({
  testDir: "./tests",
  timeout: 60_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [["list"]],
  use: {
    baseURL: `http://127.0.0.1:${APP_PORT}`,
    trace: "off",
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  },
  webServer: [
    {
      command: `node stub-call-server.mjs ${STUB_PORT}`,
      url: `http://127.0.0.1:${STUB_PORT}/healthz`,
      reuseExistingServer: false,
      timeout: 30_000,
    },
    {
      command:
        `rm -rf ${DATA_DIR} && ../target/release/roomcal serve --addr 127.0.0.1:${APP_PORT} ` +
        `--data-dir ${DATA_DIR} --site-root ../target/site ` +
        `--jitsi-base-url http://127.0.0.1:${STUB_PORT}/call ` +
        // Calendar feeds come from the stub on loopback; short durations keep tests quick.
        `--allow-private-feeds --allow-http-feeds --no-background-sync ` +
        `--precreate-lead 5s --grace-period 3s --presence-timeout 20s --lifecycle-tick 1s`,
      url: `http://127.0.0.1:${APP_PORT}/readyz`,
      reuseExistingServer: false,
      timeout: 60_000,
      stdout: "pipe",
      stderr: "pipe",
    },
  ],
});
