// A real OpenID provider (the npm package `oidc-provider`) on loopback, for roomcal's
// sign-in tests. Started by the API tests and by playwright.config.ts:
//
//   OIDC_PORT=4011 OIDC_REDIRECT_URIS="http://127.0.0.1:3000/auth/oidc/callback" node provider.mjs
//
// Its own login page (devInteractions) takes any password for the accounts below:
// alice and carol are in the group roomcal requires in the tests, bob is not; carol's
// address is in another domain; dave's address is not verified. Prints "ready <issuer>"
// once listening. OIDC_ID_TOKEN_TTL (seconds) shortens the ID token's life.
import Provider from "oidc-provider";

const port = Number(process.env.OIDC_PORT ?? "4011");
const issuer = `http://127.0.0.1:${port}`;
const redirectUris = (process.env.OIDC_REDIRECT_URIS ?? "").split(" ").filter(Boolean);
const logoutUris = (process.env.OIDC_POST_LOGOUT_URIS ?? "").split(" ").filter(Boolean);

const people = {
  alice: { email: "alice@example.org", email_verified: true, name: "Alice Example", groups: ["roomcal-users", "staff"] },
  bob: { email: "bob@example.org", email_verified: true, name: "Bob Example", groups: ["staff"] },
  carol: { email: "carol@elsewhere.test", email_verified: true, name: "Carol Elsewhere", groups: ["roomcal-users"] },
  dave: { email: "dave@example.org", email_verified: false, name: "Dave Unverified", groups: ["roomcal-users"] },
};

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: "roomcal",
      client_secret: process.env.OIDC_CLIENT_SECRET ?? "roomcal-test-secret",
      redirect_uris: redirectUris,
      post_logout_redirect_uris: logoutUris,
      grant_types: ["authorization_code"],
      response_types: ["code"],
      token_endpoint_auth_method: "client_secret_basic",
    },
  ],
  claims: {
    openid: ["sub"],
    email: ["email", "email_verified"],
    profile: ["name"],
    groups: ["groups"],
  },
  scopes: ["openid", "email", "profile", "groups"],
  // The claims go into the ID token itself, as Keycloak and Authentik do by default.
  conformIdTokenClaims: false,
  findAccount: async (_ctx, id) =>
    people[id] ? { accountId: id, claims: async () => ({ sub: id, ...people[id] }) } : undefined,
  features: {
    devInteractions: { enabled: true },
    rpInitiatedLogout: { enabled: true },
  },
  ttl: { IdToken: Number(process.env.OIDC_ID_TOKEN_TTL ?? "3600") },
  cookies: { keys: ["roomcal-test-only"] },
});
provider.proxy = false;
if (process.env.OIDC_DEBUG) provider.use(async (ctx, next) => { console.error(ctx.method, ctx.url, ctx.get("content-type"), ctx.get("content-length"), ctx.get("cookie")); await next(); });
// Quiet: the dev-only warnings about interactions and keys are expected here.
provider.on("server_error", (_ctx, err) => console.error("server_error", err));
const server = provider.listen(port, "127.0.0.1", () => console.log(`ready ${issuer}`));
process.on("SIGTERM", () => server.close(() => process.exit(0)));
