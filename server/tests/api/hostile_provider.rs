//! An OpenID provider on loopback that answers with whatever ID token a test asks for:
//! what a real provider never sends (another issuer or audience, a wrong nonce, an expired
//! token, a key it does not list), so roomcal's checks can each be seen refusing. It
//! speaks the protocol's documented endpoints — discovery, JWKS, token — with RS256 keys
//! made by `openssl` for the test, and counts how often its keys are fetched.

use axum::extract::State;
use axum::routing::{get, post};
use axum::{Json, Router};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use openidconnect::core::{CoreJwsSigningAlgorithm, CoreRsaPrivateSigningKey};
use openidconnect::{JsonWebKeyId, PrivateSigningKey};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// A signing key with its id.
pub struct Key {
    kid: String,
    key: CoreRsaPrivateSigningKey,
}

impl Key {
    /// A new 2048-bit RSA key named `kid`.
    pub fn generate(kid: &str) -> Key {
        let output = std::process::Command::new("openssl")
            .args(["genrsa", "-traditional", "2048"])
            .stderr(std::process::Stdio::null())
            .output()
            .expect("openssl (make test installs it)");
        let pem = String::from_utf8(output.stdout).expect("pem");
        let key = CoreRsaPrivateSigningKey::from_pem(&pem, Some(JsonWebKeyId::new(kid.into())))
            .expect("key");
        Key {
            kid: kid.into(),
            key,
        }
    }

    /// The public half, as a JWK.
    fn public(&self) -> Value {
        serde_json::to_value(self.key.as_verification_key()).expect("jwk")
    }

    /// `claims` as a signed RS256 JWT.
    fn sign(&self, claims: &Value) -> String {
        let header = json!({"alg": "RS256", "typ": "JWT", "kid": self.kid});
        let input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let signature = self
            .key
            .sign(
                &CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
                input.as_bytes(),
            )
            .expect("sign");
        format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature))
    }
}

/// What the provider does: the keys it lists, the key it signs with, the claims of the
/// next ID token.
struct Behaviour {
    listed: Vec<Arc<Key>>,
    signer: Arc<Key>,
    claims: Value,
}

/// The running provider.
#[derive(Clone)]
pub struct HostileProvider {
    /// Its issuer URL.
    pub issuer: String,
    behaviour: Arc<Mutex<Behaviour>>,
    jwks_fetches: Arc<AtomicUsize>,
}

impl HostileProvider {
    /// Starts one listing and signing with `key`.
    pub async fn start(key: Arc<Key>) -> HostileProvider {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let issuer = format!("http://{}", listener.local_addr().expect("addr"));
        let provider = HostileProvider {
            issuer,
            behaviour: Arc::new(Mutex::new(Behaviour {
                listed: vec![key.clone()],
                signer: key,
                claims: json!({}),
            })),
            jwks_fetches: Arc::new(AtomicUsize::new(0)),
        };
        let app = Router::new()
            .route("/.well-known/openid-configuration", get(discovery))
            .route("/jwks", get(jwks))
            .route("/token", post(token))
            .with_state(provider.clone());
        tokio::spawn(async move { axum::serve(listener, app).await });
        provider
    }

    /// From now on, list `listed` and sign with `signer`.
    pub fn use_keys(&self, listed: Vec<Arc<Key>>, signer: Arc<Key>) {
        let mut b = self.behaviour.lock().expect("lock");
        b.listed = listed;
        b.signer = signer;
    }

    /// The next ID token's claims.
    pub fn answer_with(&self, claims: Value) {
        self.behaviour.lock().expect("lock").claims = claims;
    }

    /// How often its keys were fetched.
    pub fn jwks_fetches(&self) -> usize {
        self.jwks_fetches.load(Ordering::SeqCst)
    }
}

async fn discovery(State(p): State<HostileProvider>) -> Json<Value> {
    let issuer = &p.issuer;
    Json(json!({
        "issuer": issuer,
        "authorization_endpoint": format!("{issuer}/authorize"),
        "token_endpoint": format!("{issuer}/token"),
        "jwks_uri": format!("{issuer}/jwks"),
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
    }))
}

async fn jwks(State(p): State<HostileProvider>) -> Json<Value> {
    p.jwks_fetches.fetch_add(1, Ordering::SeqCst);
    let keys: Vec<Value> = p
        .behaviour
        .lock()
        .expect("lock")
        .listed
        .iter()
        .map(|k| k.public())
        .collect();
    Json(json!({ "keys": keys }))
}

async fn token(State(p): State<HostileProvider>) -> Json<Value> {
    let b = p.behaviour.lock().expect("lock");
    Json(json!({
        "access_token": "at",
        "token_type": "Bearer",
        "expires_in": 300,
        "id_token": b.signer.sign(&b.claims),
    }))
}
