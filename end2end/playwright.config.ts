import { defineConfig } from "@playwright/test";
import { randomBytes } from "node:crypto";
import path from "node:path";

// The server under test is the release binary, started here with a throwaway data dir.
// Its video platform points at a stub call page on loopback, so no test leaves this machine.
const APP_PORT = Number(process.env.E2E_APP_PORT ?? 3107);
const STUB_PORT = Number(process.env.E2E_STUB_PORT ?? 3108);
const DATA_DIR = process.env.E2E_DATA_DIR ?? `/tmp/roomcal-e2e-${process.pid}`;
// A real OpenID provider (npm `oidc-provider`) the main instance signs people in with.
const OIDC_PORT = Number(process.env.E2E_OIDC_PORT ?? 3114);
process.env.E2E_OIDC_ISSUER = `http://127.0.0.1:${OIDC_PORT}`;
// The release binary where cargo-leptos put it: under $CARGO_TARGET_DIR when set (the
// site itself stays in the workspace's target/site, its `site-root`).
const ROOMCAL = path.join(path.resolve(__dirname, "..", process.env.CARGO_TARGET_DIR ?? "target"), "release", "roomcal");
// Two more instances on one throwaway PostgreSQL (`make test` runs Playwright under
// .ci/with-test-postgres.sh), as an organisation runs several behind a load balancer.
const PG_URL = process.env.TEST_DATABASE_URL;
const PG_PORTS = [Number(process.env.E2E_PG_PORT_A ?? 3111), Number(process.env.E2E_PG_PORT_B ?? 3112)];
// One key for both, as several instances must share it (padded URL-safe base64, 32 bytes).
const PG_KEY = randomBytes(32).toString("base64").replace(/\+/g, "-").replace(/\//g, "_");
process.env.E2E_INSTANCES = PG_URL ? PG_PORTS.map((p) => `http://127.0.0.1:${p}`).join(" ") : "";

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
      command: `node oidc/provider.mjs`,
      env: {
        OIDC_PORT: String(OIDC_PORT),
        OIDC_REDIRECT_URIS: `http://127.0.0.1:${APP_PORT}/auth/oidc/callback`,
        OIDC_POST_LOGOUT_URIS: `http://127.0.0.1:${APP_PORT}/`,
      },
      url: `http://127.0.0.1:${OIDC_PORT}/.well-known/openid-configuration`,
      reuseExistingServer: false,
      timeout: 30_000,
    },
    {
      command: `node stub-call-server.mjs ${STUB_PORT}`,
      url: `http://127.0.0.1:${STUB_PORT}/healthz`,
      reuseExistingServer: false,
      timeout: 30_000,
    },
    {
      command:
        `rm -rf ${DATA_DIR} && ${ROOMCAL} serve --addr 127.0.0.1:${APP_PORT} ` +
        `--data-dir ${DATA_DIR} --site-root ../target/site ` +
        `--jitsi-base-url http://127.0.0.1:${STUB_PORT}/call ` +
        // Calendar feeds come from the stub on loopback; short durations keep tests quick.
        `--allow-private-feeds --allow-http-feeds --allow-private-webhooks --no-background-sync ` +
        `--precreate-lead 5s --grace-period 3s --presence-timeout 20s --lifecycle-tick 1s ` +
        // Every test's people sign up from 127.0.0.1.
        `--signups-per-hour 1000 ` +
        `--oidc-issuer http://127.0.0.1:${OIDC_PORT} --oidc-client-id roomcal ` +
        `--oidc-button-label "Sign in with Example SSO"`,
      env: { ROOMCAL_OIDC_CLIENT_SECRET: "roomcal-test-secret" },
      url: `http://127.0.0.1:${APP_PORT}/readyz`,
      reuseExistingServer: false,
      timeout: 60_000,
      stdout: "pipe",
      stderr: "pipe",
    },
    ...(PG_URL ? PG_PORTS : []).map((port) => ({
      command:
        `rm -rf ${DATA_DIR}-pg-${port} && ${ROOMCAL} serve --addr 127.0.0.1:${port} --database-url ${PG_URL} ` +
        `--data-dir ${DATA_DIR}-pg-${port} --secret-key ${PG_KEY} --site-root ../target/site ` +
        `--jitsi-base-url http://127.0.0.1:${STUB_PORT}/call --no-background-sync ` +
        // Feeds from the stub; a meeting is created at its start (live-updates.spec.ts: the
        // event stream, not a timer, moves a waiting page in).
        `--allow-private-feeds --allow-http-feeds ` +
        `--precreate-lead 0s --grace-period 3s --presence-timeout 20s --lifecycle-tick 1s ` +
        // Every test's people sign up from 127.0.0.1.
        `--signups-per-hour 1000`,
      url: `http://127.0.0.1:${port}/readyz`,
      reuseExistingServer: false,
      timeout: 60_000,
      stdout: "pipe" as const,
      stderr: "pipe" as const,
    })),
  ],
});
