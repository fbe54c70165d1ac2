//! Sign-in with the organization's OpenID provider, against a real one (`oidc-provider`
//! on loopback, its own login pages walked with a cookie jar): accounts are made once per
//! person and found again, the domain and group rules hold, and every bad answer is a
//! page that says what happened, with no account and no session made.

use crate::helpers::{spawn_app_with, spawn_app_with_clock, TestApp};
use crate::oidc_provider::{browser, free_port, walk_to_callback, Provider};
use reqwest::header::{LOCATION, SET_COOKIE};
use serde_json::Value;
use std::sync::Arc;

const SECRET: &str = "roomcal-test-secret";

/// A file holding the client secret, as an operator would keep it.
fn secret_file() -> tempfile::NamedTempFile {
    let file = tempfile::NamedTempFile::new().expect("file");
    std::fs::write(file.path(), format!("{SECRET}\n")).expect("write");
    file
}

/// roomcal pointed at a provider on `port` with `extra` flags, and the provider started
/// for it (ID tokens living `ttl` seconds).
struct Setup {
    app: TestApp,
    _provider: Provider,
    _secret: tempfile::NamedTempFile,
}

async fn setup_with(
    extra: &[&str],
    ttl: u32,
    clock: Option<Arc<dyn roomcal::clock::Clock>>,
) -> Setup {
    let port = free_port();
    let issuer = format!("http://127.0.0.1:{port}");
    let secret = secret_file();
    let secret_path = secret.path().display().to_string();
    let mut args = vec![
        "--oidc-issuer",
        &issuer,
        "--oidc-client-id",
        "roomcal",
        "--oidc-client-secret-file",
        &secret_path,
    ];
    args.extend_from_slice(extra);
    let app = match clock {
        Some(clock) => spawn_app_with_clock(&args, clock).await,
        None => spawn_app_with(&args).await,
    };
    let provider = Provider::start(port, &format!("{}/auth/oidc/callback", app.address), ttl);
    Setup {
        app,
        _provider: provider,
        _secret: secret,
    }
}

async fn setup(extra: &[&str]) -> Setup {
    setup_with(extra, 3600, None).await
}

/// Who `browser` is signed in as on `app`.
async fn me(app: &TestApp, browser: &reqwest::Client) -> Value {
    let response = browser.get(app.url("/v1/me")).send().await.expect("me");
    if response.status() == 401 {
        return Value::Null;
    }
    response.json().await.expect("json")
}

/// The text of a sign-in problem page.
async fn problem(response: reqwest::Response) -> (u16, String) {
    let status = response.status().as_u16();
    let html = response.text().await.expect("body");
    (status, html)
}

#[tokio::test]
async fn signing_in_at_the_provider_makes_an_account_once_and_lands_where_the_person_was_going() {
    let s = setup(&["--oidc-button-label", "Sign in with Example SSO"]).await;
    let alice = browser();
    // An API client learns where sign-in starts from the public options.
    let options: Value = alice
        .get(s.app.url("/v1/auth/options"))
        .send()
        .await
        .expect("options")
        .json()
        .await
        .expect("json");
    assert_eq!(options["provider_label"], "Sign in with Example SSO");
    assert_eq!(options["local_accounts"], true);
    let login = options["provider_login_path"].as_str().expect("login path");
    let start = s.app.url(&format!("{login}?return_to=/room/standup"));
    let callback = walk_to_callback(&alice, &start, "alice").await;
    let landed = alice.get(&callback).send().await.expect("callback");
    assert_eq!(landed.status(), 302);
    assert_eq!(landed.headers()[LOCATION], "/room/standup");
    let who = me(&s.app, &alice).await;
    assert_eq!(who["email"], "alice@example.org");
    assert_eq!(who["name"], "Alice Example");

    // Another browser, the same person: the same account, found by issuer and subject.
    let again = browser();
    let callback = walk_to_callback(&again, &s.app.url("/auth/oidc/login"), "alice").await;
    let landed = again.get(&callback).send().await.expect("callback");
    assert_eq!(
        landed.headers()[LOCATION],
        "/rooms",
        "the default place to go"
    );
    assert_eq!(me(&s.app, &again).await["id"], who["id"]);
    // The client secret never reaches the logs.
    assert!(!crate::helpers::captured_logs().contains(SECRET));
}

#[tokio::test]
async fn a_person_outside_the_required_group_or_domain_is_told_so_and_gets_no_account() {
    let s = setup(&[
        "--oidc-scopes",
        "openid email profile groups",
        "--oidc-required-group",
        "roomcal-users",
        "--oidc-allowed-email-domains",
        "example.org",
    ])
    .await;
    for (login, words) in [
        ("bob", "not in the group"),
        ("carol", "accounts of elsewhere.test cannot sign in here"),
        ("dave", "did not give a verified email"),
    ] {
        let person = browser();
        let callback = walk_to_callback(&person, &s.app.url("/auth/oidc/login"), login).await;
        let (status, html) = problem(person.get(&callback).send().await.expect("callback")).await;
        assert_eq!(status, 403, "{login}");
        assert!(html.contains(words), "{login}: {html}");
        assert_eq!(
            me(&s.app, &person).await,
            Value::Null,
            "{login} is not signed in"
        );
    }
    // alice is in the group and the domain.
    let alice = browser();
    let callback = walk_to_callback(&alice, &s.app.url("/auth/oidc/login"), "alice").await;
    assert_eq!(
        alice
            .get(&callback)
            .send()
            .await
            .expect("callback")
            .status(),
        302
    );
}

#[tokio::test]
async fn a_callback_with_another_state_or_a_replayed_code_signs_nobody_in() {
    let s = setup(&[]).await;
    let person = browser();
    let callback = walk_to_callback(&person, &s.app.url("/auth/oidc/login"), "alice").await;
    let mut forged: reqwest::Url = callback.parse().expect("url");
    let pairs: Vec<(String, String)> = forged
        .query_pairs()
        .map(|(k, v)| {
            let value = if k == "state" {
                "forged".to_string()
            } else {
                v.into_owned()
            };
            (k.into_owned(), value)
        })
        .collect();
    forged.query_pairs_mut().clear().extend_pairs(pairs);
    let (status, html) = problem(person.get(forged).send().await.expect("callback")).await;
    assert_eq!(status, 400);
    assert!(html.contains("not the one this browser started"), "{html}");
    assert_eq!(me(&s.app, &person).await, Value::Null);

    // The same code twice: the first signs in, the replay (with the pending sign-in's
    // cookie copied back) is refused by the provider and makes no session.
    let first = browser();
    let login = first
        .get(s.app.url("/auth/oidc/login"))
        .send()
        .await
        .expect("login");
    let pending = login.headers()[SET_COOKIE]
        .to_str()
        .expect("cookie")
        .split(';')
        .next()
        .expect("pair")
        .to_string();
    let provider_url = login.headers()[LOCATION]
        .to_str()
        .expect("location")
        .to_string();
    let callback = walk_to_callback(&first, &provider_url, "alice").await;
    assert_eq!(
        first
            .get(&callback)
            .send()
            .await
            .expect("callback")
            .status(),
        302
    );
    let replay = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
        .get(&callback)
        .header("cookie", pending)
        .send()
        .await
        .expect("replay");
    assert!(
        replay.headers().get_all(SET_COOKIE).iter().all(|c| !c
            .to_str()
            .unwrap_or("")
            .starts_with("roomcal_session=")
            || c.to_str().unwrap_or("").starts_with("roomcal_session=;")),
        "no session for a replayed code"
    );
    let (status, html) = problem(replay).await;
    assert_eq!(status, 400, "{html}");
    assert!(html.contains("could not be completed"), "{html}");
}

#[tokio::test]
async fn an_expired_id_token_is_refused() {
    // roomcal's clock is two hours ahead of the provider's: every token it issues (one hour)
    // has expired when roomcal reads it.
    let clock = Arc::new(roomcal::clock::ManualClock::new(
        chrono::Utc::now() + chrono::Duration::hours(2),
    ));
    let s = setup_with(&[], 3600, Some(clock)).await;
    let person = browser();
    let callback = walk_to_callback(&person, &s.app.url("/auth/oidc/login"), "alice").await;
    let (status, html) = problem(person.get(&callback).send().await.expect("callback")).await;
    assert_eq!(status, 400);
    assert!(html.contains("failed a check"), "{html}");
    assert!(html.to_lowercase().contains("expired"), "{html}");
    assert_eq!(me(&s.app, &person).await, Value::Null);
}

#[tokio::test]
async fn an_off_site_return_address_and_a_provider_that_is_down_each_get_a_page_not_a_500() {
    let s = setup(&[]).await;
    let person = browser();
    for off_site in [
        "https://evil.example/",
        "//evil.example/x",
        "/\\evil.example",
    ] {
        let url = format!(
            "{}?return_to={}",
            s.app.url("/auth/oidc/login"),
            url::form_urlencoded::byte_serialize(off_site.as_bytes()).collect::<String>()
        );
        let (status, html) = problem(person.get(url).send().await.expect("login")).await;
        assert_eq!(status, 400, "{off_site}");
        assert!(html.contains("must be a page of this site"), "{html}");
    }
    // Nothing listens where this roomcal's provider should be.
    let down = free_port();
    let issuer = format!("http://127.0.0.1:{down}");
    let secret = secret_file();
    let path = secret.path().display().to_string();
    let app = spawn_app_with(&[
        "--oidc-issuer",
        &issuer,
        "--oidc-client-id",
        "roomcal",
        "--oidc-client-secret-file",
        &path,
    ])
    .await;
    let (status, html) = problem(
        person
            .get(app.url("/auth/oidc/login"))
            .send()
            .await
            .expect("login"),
    )
    .await;
    assert_eq!(status, 502);
    assert!(html.contains("cannot be reached right now"), "{html}");
}

#[tokio::test]
async fn with_local_accounts_off_passwords_no_longer_sign_in_and_the_page_offers_the_provider() {
    let s = setup(&[
        "--local-accounts",
        "off",
        "--oidc-button-label",
        "Sign in with Example SSO",
    ])
    .await;
    let response = s
        .app
        .post(
            "/v1/auth/signup",
            serde_json::json!({"email": "x@example.org", "name": "X", "password": "long enough"}),
        )
        .await;
    assert_eq!(response.status(), 403);
    let body: Value = response.json().await.expect("json");
    assert!(body["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .contains("organization's account"));
    let login = s
        .app
        .post(
            "/v1/auth/login",
            serde_json::json!({"email": "x@example.org", "password": "long enough"}),
        )
        .await;
    assert_eq!(login.status(), 403);
    let page = s.app.get("/login").await.text().await.expect("page");
    assert!(
        page.contains("Sign in with Example SSO"),
        "the provider's button"
    );
    assert!(page.contains("/auth/oidc/login"));
}

#[tokio::test]
async fn a_local_account_with_the_verified_email_is_linked_once_its_password_is_entered() {
    let s = setup(&[]).await;
    for (email, name) in [("alice@example.org", "Alice"), ("dave@example.org", "Dave")] {
        let made = s
            .app
            .post(
                "/v1/auth/signup",
                serde_json::json!({"email": email, "name": name, "password": "alice's password"}),
            )
            .await;
        assert_eq!(made.status(), 201);
    }
    let local = me(&s.app, &s.app.client).await;

    let alice = browser();
    let start = s.app.url("/auth/oidc/login?return_to=/rooms/x");
    let callback = walk_to_callback(&alice, &start, "alice").await;
    let offered = alice.get(&callback).send().await.expect("callback");
    assert_eq!(offered.status(), 302);
    assert_eq!(offered.headers()[LOCATION], "/auth/oidc/link");
    let form = alice
        .get(s.app.url("/auth/oidc/link"))
        .send()
        .await
        .expect("form");
    assert_eq!(form.status(), 200);
    assert!(form
        .text()
        .await
        .expect("page")
        .contains("alice@example.org"));
    assert_eq!(
        me(&s.app, &alice).await,
        Value::Null,
        "not signed in before the password"
    );

    let wrong = alice
        .post(s.app.url("/auth/oidc/link"))
        .form(&[("password", "a guess")])
        .send()
        .await
        .expect("link");
    let (status, html) = problem(wrong).await;
    assert_eq!(status, 401);
    assert!(html.contains("That is not this account"), "{html}");
    assert_eq!(me(&s.app, &alice).await, Value::Null);

    let right = alice
        .post(s.app.url("/auth/oidc/link"))
        .form(&[("password", "alice's password")])
        .send()
        .await
        .expect("link");
    assert_eq!(right.status(), 302);
    assert_eq!(right.headers()[LOCATION], "/rooms/x");
    // The last account signed up on s.app.client was dave; alice is the first one.
    let linked = me(&s.app, &alice).await;
    assert_eq!(linked["email"], "alice@example.org");
    assert_ne!(linked["id"], local["id"], "dave is another account");

    // From now on the provider alone signs alice in, into the same account.
    let later = browser();
    let callback = walk_to_callback(&later, &s.app.url("/auth/oidc/login"), "alice").await;
    let landed = later.get(&callback).send().await.expect("callback");
    assert_eq!(landed.headers()[LOCATION], "/rooms");
    assert_eq!(me(&s.app, &later).await["id"], linked["id"]);

    // dave's provider email is not verified: his local account is not offered for linking
    // (nor is another account made with it).
    let dave = browser();
    let callback = walk_to_callback(&dave, &s.app.url("/auth/oidc/login"), "dave").await;
    let (status, html) = problem(dave.get(&callback).send().await.expect("callback")).await;
    assert_eq!(status, 403);
    assert!(html.contains("did not give a verified email"), "{html}");
    assert_eq!(me(&s.app, &dave).await, Value::Null);
}
