//! Every check of the ID token, each seen refusing: a provider that sends what a real one
//! never does (see `hostile_provider.rs`). A refused token makes no account and no
//! session, and the page names the check. Keys are fetched again once when a token names
//! an unknown key: a rotation goes through, a key nobody lists is refused after that one
//! fetch.

use crate::helpers::{spawn_app_with, TestApp};
use crate::hostile_provider::{HostileProvider, Key};
use crate::oidc_provider::browser;
use reqwest::header::LOCATION;
use serde_json::{json, Value};
use std::sync::Arc;

/// A change to good claims that one check must catch.
type Tweak = Box<dyn Fn(&mut Value)>;

/// roomcal signing in with `provider`, and the secret file it reads.
async fn app_for(provider: &HostileProvider) -> (TestApp, tempfile::NamedTempFile) {
    let secret = tempfile::NamedTempFile::new().expect("file");
    std::fs::write(secret.path(), "s3cret").expect("write");
    let path = secret.path().display().to_string();
    let app = spawn_app_with(&[
        "--oidc-issuer",
        &provider.issuer,
        "--oidc-client-id",
        "roomcal",
        "--oidc-client-secret-file",
        &path,
    ])
    .await;
    (app, secret)
}

/// Starts a sign-in in `browser`: the `state` and `nonce` roomcal sent the provider.
async fn begin(app: &TestApp, browser: &reqwest::Client) -> (String, String) {
    let response = browser
        .get(app.url("/auth/oidc/login"))
        .send()
        .await
        .expect("login");
    assert_eq!(response.status(), 302);
    let to: reqwest::Url = response.headers()[LOCATION]
        .to_str()
        .expect("text")
        .parse()
        .expect("url");
    let param = |name: &str| {
        to.query_pairs()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
            .expect(name)
    };
    (param("state"), param("nonce"))
}

/// Claims a real provider would send for this sign-in.
fn good_claims(provider: &HostileProvider, nonce: &str) -> Value {
    let now = chrono::Utc::now().timestamp();
    json!({
        "iss": provider.issuer,
        "aud": "roomcal",
        "sub": "person-1",
        "exp": now + 300,
        "iat": now,
        "nonce": nonce,
        "email": "person@example.org",
        "email_verified": true,
        "name": "Per Son",
    })
}

/// Comes back from the provider with `state`.
async fn come_back(app: &TestApp, browser: &reqwest::Client, state: &str) -> (u16, String) {
    let response = browser
        .get(app.url(&format!("/auth/oidc/callback?code=c0de&state={state}")))
        .send()
        .await
        .expect("callback");
    let status = response.status().as_u16();
    (status, response.text().await.expect("body"))
}

#[tokio::test]
async fn an_id_token_failing_any_check_signs_nobody_in_and_the_page_says_it_failed_a_check() {
    let key = Arc::new(Key::generate("k1"));
    let provider = HostileProvider::start(key).await;
    let (app, _secret) = app_for(&provider).await;
    let now = chrono::Utc::now().timestamp();
    let cases: Vec<(&str, Tweak)> = vec![
        ("a wrong nonce", Box::new(|c| c["nonce"] = json!("another"))),
        (
            "another issuer",
            Box::new(|c| c["iss"] = json!("http://127.0.0.1:9/other")),
        ),
        (
            "another audience",
            Box::new(|c| c["aud"] = json!("someone-else")),
        ),
        (
            "several audiences, none authorized for roomcal",
            Box::new(|c| {
                c["aud"] = json!(["roomcal", "someone-else"]);
                c["azp"] = json!("someone-else");
            }),
        ),
        (
            "an expired token",
            Box::new(move |c| c["exp"] = json!(now - 60)),
        ),
        (
            "a token issued in the future",
            Box::new(move |c| c["iat"] = json!(now + 3600)),
        ),
    ];
    for (what, tweak) in cases {
        let person = browser();
        let (state, nonce) = begin(&app, &person).await;
        let mut claims = good_claims(&provider, &nonce);
        tweak(&mut claims);
        provider.answer_with(claims);
        let (status, html) = come_back(&app, &person, &state).await;
        assert_eq!(status, 400, "{what}: {html}");
        assert!(html.contains("failed a check"), "{what}: {html}");
        let me = person.get(app.url("/v1/me")).send().await.expect("me");
        assert_eq!(me.status(), 401, "{what}: nobody is signed in");
    }
    assert!(
        app.core
            .store
            .user_credentials_by_email("person@example.org")
            .await
            .expect("query")
            .is_none(),
        "no account was made"
    );
    // The same provider with nothing tweaked signs the person in: the refusals above are
    // the checks', not the set-up's.
    let person = browser();
    let (state, nonce) = begin(&app, &person).await;
    provider.answer_with(good_claims(&provider, &nonce));
    let (status, _) = come_back(&app, &person, &state).await;
    assert_eq!(status, 302);
}

#[tokio::test]
async fn a_rotated_key_is_fetched_once_and_an_unlisted_key_is_refused_after_that_one_fetch() {
    let old = Arc::new(Key::generate("old"));
    let provider = HostileProvider::start(old.clone()).await;
    let (app, _secret) = app_for(&provider).await;
    let person = browser();
    let (state, nonce) = begin(&app, &person).await;
    assert_eq!(
        provider.jwks_fetches(),
        1,
        "keys fetched with the discovery"
    );

    // The provider rotates: it now lists and signs with a new key roomcal has not seen.
    let new = Arc::new(Key::generate("new"));
    provider.use_keys(vec![new.clone()], new.clone());
    provider.answer_with(good_claims(&provider, &nonce));
    let (status, html) = come_back(&app, &person, &state).await;
    assert_eq!(status, 302, "{html}");
    assert_eq!(
        provider.jwks_fetches(),
        2,
        "fetched once more, for the new key"
    );

    // A token signed with a key the provider does not list: one fetch, then refused.
    let rogue = Arc::new(Key::generate("rogue"));
    provider.use_keys(vec![new.clone()], rogue);
    let other = browser();
    let (state, nonce) = begin(&app, &other).await;
    let mut claims = good_claims(&provider, &nonce);
    claims["sub"] = json!("person-2");
    claims["email"] = json!("two@example.org");
    provider.answer_with(claims);
    let (status, html) = come_back(&app, &other, &state).await;
    assert_eq!(status, 400, "{html}");
    assert!(html.contains("failed a check"), "{html}");
    assert_eq!(
        provider.jwks_fetches(),
        3,
        "exactly one more fetch, not a loop"
    );
}
