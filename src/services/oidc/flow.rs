//! The two halves of a sign-in: [`begin`] sends the browser to the provider, [`finish`]
//! checks what it brings back and signs the person in.

use super::{Oidc, OidcError, PendingLink, PendingLogin, Sealed, LOGIN_TIMEOUT};
use crate::domain::{DisplayName, Email, User};
use crate::services::accounts::{self, SignedIn};
use crate::services::limits::ClientAddr;
use crate::store::NewUser;
use crate::Core;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreIdToken, CoreIdTokenClaims};
use openidconnect::{
    AuthorizationCode, ClaimsVerificationError, ClientId, ClientSecret, CsrfToken, IssuerUrl,
    Nonce, PkceCodeChallenge, PkceCodeVerifier, PostLogoutRedirectUrl, ProviderMetadataWithLogout,
    RedirectUrl, Scope, SignatureVerificationError, TokenResponse,
};
use uuid::Uuid;

/// A sign-in sent to the provider: where the browser goes, and what it carries there
/// (the sealed [`PendingLogin`], for a cookie).
#[derive(Debug, Clone)]
pub struct Started {
    /// The provider's authorization URL.
    pub auth_url: String,
    /// The sealed pending sign-in.
    pub pending: String,
}

/// How a provider sign-in came out.
#[derive(Debug)]
pub enum Finished {
    /// Signed in: the session, and where to go.
    SignedIn(SignedIn, String),
    /// The person's verified email is a local account's: they enter its password once
    /// to link the two ([`link`]); the sealed offer, for a cookie.
    LinkOffered(String),
}

/// What the provider sends the browser back with.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct CallbackQuery {
    /// The authorization code.
    pub code: Option<String>,
    /// The `state` sent.
    pub state: Option<String>,
    /// The provider's error code (`access_denied`, …).
    pub error: Option<String>,
    /// Its words for it.
    pub error_description: Option<String>,
}

/// Where the provider sends people back to.
fn redirect_url(core: &Core) -> Result<RedirectUrl, OidcError> {
    RedirectUrl::new(format!(
        "{}/auth/oidc/callback",
        core.settings.public_url.trim_end_matches('/')
    ))
    .map_err(|e| OidcError::Core(crate::CoreError::Internal(e.to_string())))
}

impl Oidc {
    /// The provider's metadata (and keys), discovered now when not known yet or when
    /// `refresh` asks for fresh keys.
    async fn metadata(&self, refresh: bool) -> Result<ProviderMetadataWithLogout, OidcError> {
        if !refresh {
            if let Some(known) = self.metadata.read().await.as_ref() {
                return Ok(known.clone());
            }
        }
        let issuer = IssuerUrl::new(self.settings.issuer.clone())
            .map_err(|e| OidcError::ProviderDown(e.to_string()))?;
        let found = ProviderMetadataWithLogout::discover_async(issuer, &self.http)
            .await
            .map_err(|e| OidcError::ProviderDown(describe(&e)))?;
        *self.metadata.write().await = Some(found.clone());
        Ok(found)
    }
}

/// Where to send `user`'s browser after signing out here so the provider's session ends
/// too: its `end_session_endpoint`, coming back to the home page. `None` when the
/// provider offers none, is not reachable now, or `user` never signed in with it.
pub async fn logout_url(core: &Core, user: &User) -> Option<String> {
    let oidc = core.oidc.as_deref()?;
    if !core.store.user_has_identity(user.id).await.ok()? {
        return None;
    }
    let metadata = oidc.metadata(false).await.ok()?;
    let endpoint = metadata
        .additional_metadata()
        .end_session_endpoint
        .clone()?;
    let back = PostLogoutRedirectUrl::new(format!(
        "{}/",
        core.settings.public_url.trim_end_matches('/')
    ))
    .ok()?;
    Some(
        openidconnect::LogoutRequest::from(endpoint)
            .set_client_id(ClientId::new(oidc.settings.client_id.clone()))
            .set_post_logout_redirect_uri(back)
            .http_get_url()
            .to_string(),
    )
}

/// An error and its causes, in one line (the provider's words included).
fn describe(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// roomcal's client at the provider, as `metadata` describes it.
type ProviderClient = CoreClient<
    openidconnect::EndpointSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointNotSet,
    openidconnect::EndpointMaybeSet,
    openidconnect::EndpointMaybeSet,
>;

/// roomcal's client at the provider `metadata` describes, sending people back to the
/// callback: the one place the client is built.
fn client_for(
    core: &Core,
    oidc: &Oidc,
    metadata: ProviderMetadataWithLogout,
) -> Result<ProviderClient, OidcError> {
    Ok(CoreClient::from_provider_metadata(
        metadata,
        ClientId::new(oidc.settings.client_id.clone()),
        Some(ClientSecret::new(
            oidc.settings.client_secret.expose().to_string(),
        )),
    )
    .set_redirect_uri(redirect_url(core)?))
}

/// Starts a sign-in that returns to `return_to` (a local path, checked by the caller).
pub async fn begin(core: &Core, oidc: &Oidc, return_to: &str) -> Result<Started, OidcError> {
    let metadata = oidc.metadata(false).await?;
    let client = client_for(core, oidc, metadata)?;
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let mut request = client.authorize_url(
        CoreAuthenticationFlow::AuthorizationCode,
        CsrfToken::new_random,
        Nonce::new_random,
    );
    for scope in oidc.settings.scopes.iter().filter(|s| *s != "openid") {
        request = request.add_scope(Scope::new(scope.clone()));
    }
    let (url, state, nonce) = request.set_pkce_challenge(challenge).url();
    let pending = PendingLogin {
        state: state.secret().clone(),
        nonce: nonce.secret().clone(),
        pkce_verifier: verifier.secret().clone(),
        return_to: return_to.to_string(),
        expires_at: core.clock.now() + LOGIN_TIMEOUT,
    };
    Ok(Started {
        auth_url: url.to_string(),
        pending: pending.seal(&core.secrets),
    })
}

/// Finishes the sign-in the browser's sealed `pending` cookie holds with what the
/// provider sent back: checks, then signs the person in (making their account the first
/// time). Returns the session and where to go. Failures count against the client's
/// address like failed sign-ins.
pub async fn finish(
    core: &Core,
    oidc: &Oidc,
    pending: Option<&str>,
    query: &CallbackQuery,
    client: ClientAddr,
) -> Result<Finished, OidcError> {
    let now = core.clock.now();
    // A failed callback counts like a failed sign-in from the address: each costs a
    // request to the provider.
    let store = core.store.as_ref();
    let place = core
        .limits
        .login_by_client
        .take(store, &client.key(), now)
        .await
        .map_err(|refused| {
            refused.into_error(|wait| {
                format!(
                    "too many failed sign-ins from your address; try again in {}",
                    crate::services::limits::wait_text(wait)
                )
            })
        })?;
    let outcome = finish_checked(core, oidc, pending, query, now).await;
    if outcome.is_ok() {
        core.limits.login_by_client.give_back(store, place).await;
    }
    outcome
}

async fn finish_checked(
    core: &Core,
    oidc: &Oidc,
    pending: Option<&str>,
    query: &CallbackQuery,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Finished, OidcError> {
    let pending = pending
        .and_then(|sealed| PendingLogin::open(sealed, &core.secrets, now))
        .ok_or(OidcError::StateMismatch)?;
    if let Some(error) = &query.error {
        return Err(OidcError::Refused(
            query
                .error_description
                .clone()
                .unwrap_or_else(|| error.clone()),
        ));
    }
    let same_state = query.state.as_deref().is_some_and(|state| {
        use subtle_compare::equal;
        equal(state.as_bytes(), pending.state.as_bytes())
    });
    let (Some(code), true) = (&query.code, same_state) else {
        return Err(OidcError::StateMismatch);
    };
    let (claims, raw) = verified_claims(core, oidc, code, &pending).await?;
    match account_for(core, oidc, &claims, &raw).await? {
        Account::Known(user) => {
            let signed_in = accounts::start_session(core, user).await?;
            Ok(Finished::SignedIn(signed_in, pending.return_to))
        }
        Account::Linkable(email) => {
            let offer = PendingLink {
                issuer: claims.issuer().as_str().to_string(),
                subject: claims.subject().as_str().to_string(),
                email,
                return_to: pending.return_to,
                expires_at: now + LOGIN_TIMEOUT,
            };
            Ok(Finished::LinkOffered(offer.seal(&core.secrets)))
        }
    }
}

/// Links the identity the sealed `offer` names to its local account, once `password` is
/// that account's (under the failed sign-in limits), and signs in: the session and
/// where to go. Works with `--local-accounts off` too: linking is how such accounts move
/// to the provider.
pub async fn link(
    core: &Core,
    offer: Option<&str>,
    password: &str,
    client: ClientAddr,
) -> Result<(SignedIn, String), OidcError> {
    let offer = offer
        .and_then(|sealed| PendingLink::open(sealed, &core.secrets, core.clock.now()))
        .ok_or(OidcError::LinkExpired)?;
    let user = accounts::check_password(core, &offer.email, password, client).await?;
    core.store
        .insert_identity(&offer.issuer, &offer.subject, user.id, core.clock.now())
        .await
        .map_err(crate::CoreError::from)?;
    tracing::info!(user = %user.id, "linked a provider identity to a local account");
    let signed_in = accounts::start_session(core, user).await?;
    Ok((signed_in, offer.return_to))
}

/// Who the claims are here.
enum Account {
    /// An account (found, or made now).
    Known(User),
    /// A local account has this verified email: it can be linked.
    Linkable(String),
}

/// Exchanges `code` and checks the ID token; once more with fresh keys when it names a
/// key the provider did not list before (rotation). The claims, and the token's payload
/// as JSON for the claims the library does not model (groups).
async fn verified_claims(
    core: &Core,
    oidc: &Oidc,
    code: &str,
    pending: &PendingLogin,
) -> Result<(CoreIdTokenClaims, serde_json::Value), OidcError> {
    let metadata = oidc.metadata(false).await?;
    let client = client_for(core, oidc, metadata)?;
    let tokens = client
        .exchange_code(AuthorizationCode::new(code.to_string()))
        .map_err(|e| OidcError::ProviderDown(e.to_string()))?
        .set_pkce_verifier(PkceCodeVerifier::new(pending.pkce_verifier.clone()))
        .request_async(&oidc.http)
        .await
        .map_err(|e| match &e {
            openidconnect::RequestTokenError::ServerResponse(answer) => OidcError::Exchange(
                answer
                    .error_description()
                    .cloned()
                    .unwrap_or_else(|| answer.error().to_string()),
            ),
            openidconnect::RequestTokenError::Request(_) => OidcError::ProviderDown(describe(&e)),
            _ => OidcError::BadToken(describe(&e)),
        })?;
    let id_token = tokens
        .id_token()
        .ok_or_else(|| OidcError::BadToken("no ID token in the answer".into()))?;
    let nonce = Nonce::new(pending.nonce.clone());
    let now = core.clock.now();
    let claims = match check(client.id_token_verifier(), id_token, &nonce, now) {
        Err(ClaimsVerificationError::SignatureVerification(
            SignatureVerificationError::NoMatchingKey,
        )) => {
            // The provider may have rotated its keys since they were fetched: once more.
            let fresh = oidc.metadata(true).await?;
            let client = client_for(core, oidc, fresh)?;
            check(client.id_token_verifier(), id_token, &nonce, now)
        }
        other => other,
    }
    .map_err(|e| OidcError::BadToken(describe(&e)))?;
    let raw = id_token
        .to_string()
        .split('.')
        .nth(1)
        .and_then(|payload| URL_SAFE_NO_PAD.decode(payload).ok())
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .unwrap_or(serde_json::Value::Null);
    Ok((claims, raw))
}

/// The ID token's checks: signature by a listed key, issuer, audience (and the
/// authorized party when there are several), expiry, nonce, and an issue time not in
/// the future (a minute of clock skew allowed), all at `now`.
fn check(
    verifier: openidconnect::core::CoreIdTokenVerifier<'_>,
    id_token: &CoreIdToken,
    nonce: &Nonce,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<CoreIdTokenClaims, ClaimsVerificationError> {
    let verifier = verifier
        .set_time_fn(move || now)
        .set_issue_time_verifier_fn(move |iat| {
            if iat > now + chrono::Duration::minutes(1) {
                Err(format!("it was issued in the future ({iat})"))
            } else {
                Ok(())
            }
        });
    id_token.claims(&verifier, nonce).cloned()
}

/// The account of the person these claims describe, after the domain and group rules:
/// theirs when the provider's (issuer, `sub`) is known; a local account with their
/// verified email to link; otherwise a new one.
async fn account_for(
    core: &Core,
    oidc: &Oidc,
    claims: &CoreIdTokenClaims,
    raw: &serde_json::Value,
) -> Result<Account, OidcError> {
    let settings = &oidc.settings;
    let email = claims.email().map(|e| e.as_str().to_lowercase());
    let verified = claims.email_verified();
    if !settings.allowed_email_domains.is_empty() {
        let domain = email
            .as_deref()
            .filter(|_| verified != Some(false))
            .and_then(|e| e.rsplit_once('@'))
            .map(|(_, domain)| domain.to_string())
            .ok_or(OidcError::NoVerifiedEmail)?;
        if !settings.allowed_email_domains.contains(&domain) {
            return Err(OidcError::DomainNotAllowed(domain));
        }
    }
    if let Some(group) = &settings.required_group {
        let member = match raw.get(&settings.groups_claim) {
            Some(serde_json::Value::Array(groups)) => {
                groups.iter().any(|g| g.as_str() == Some(group))
            }
            Some(serde_json::Value::String(one)) => one == group,
            _ => false,
        };
        if !member {
            return Err(OidcError::NotInGroup);
        }
    }
    let issuer = claims.issuer().as_str();
    let subject = claims.subject().as_str();
    if let Some(user) = core
        .store
        .user_by_identity(issuer, subject)
        .await
        .map_err(crate::CoreError::from)?
    {
        return Ok(Account::Known(user));
    }
    let email = email
        .filter(|_| verified != Some(false))
        .ok_or(OidcError::NoVerifiedEmail)?;
    if core
        .store
        .user_credentials_by_email(&email)
        .await
        .map_err(crate::CoreError::from)?
        .is_some()
    {
        return if verified == Some(true) {
            Ok(Account::Linkable(email))
        } else {
            Err(OidcError::LinkUnverified)
        };
    }
    let name = claims
        .name()
        .and_then(|n| n.get(None))
        .map(|n| n.as_str().to_string())
        .unwrap_or_else(|| email.split('@').next().unwrap_or("Someone").to_string());
    let now = core.clock.now();
    let new_user = NewUser {
        id: Uuid::new_v4(),
        email: Email::parse(&email).map_err(|m| OidcError::BadToken(format!("its email: {m}")))?,
        display_name: DisplayName::parse(&name)
            .or_else(|_| DisplayName::parse("Someone"))
            .map_err(OidcError::BadToken)?,
        // No password: this account signs in with the provider only.
        password_hash: accounts::NO_PASSWORD.into(),
        created_at: now,
    };
    let user = core
        .store
        .insert_user(&new_user)
        .await
        .map_err(crate::CoreError::from)?;
    core.store
        .insert_identity(issuer, subject, user.id, now)
        .await
        .map_err(crate::CoreError::from)?;
    Ok(Account::Known(user))
}

/// Constant-time comparison of secrets (the `state`).
mod subtle_compare {
    /// Whether `a` and `b` are equal, in time that depends on their length only.
    pub fn equal(a: &[u8], b: &[u8]) -> bool {
        a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
    }
}
