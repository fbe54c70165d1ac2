//! Options of sign-in with the organization's OpenID provider, and whether local
//! (email and password) accounts stay on.

use clap::{Args, ValueEnum};
use roomcal::secret::Secret;
use roomcal::services::oidc::{self, OidcSettings};
use std::path::PathBuf;

/// Whether email-and-password accounts sign in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LocalAccounts {
    /// Local accounts sign up and in as before (next to the provider, if any).
    On,
    /// Only the provider signs people in; password sign-in and sign-up are refused.
    Off,
}

/// Sign-in options.
#[derive(Debug, Clone, Args)]
pub struct OidcArgs {
    /// The OpenID provider's issuer URL (e.g. `https://sso.example.org/realms/staff`);
    /// sign-in with it is on when given.
    #[arg(long, env = "ROOMCAL_OIDC_ISSUER")]
    pub oidc_issuer: Option<String>,
    /// roomcal's client id at the provider.
    #[arg(long, env = "ROOMCAL_OIDC_CLIENT_ID")]
    pub oidc_client_id: Option<String>,
    /// roomcal's client secret at the provider. Prefer the variable or
    /// `--oidc-client-secret-file`: a flag's value shows in `ps`.
    #[arg(long, env = "ROOMCAL_OIDC_CLIENT_SECRET", hide_env_values = true)]
    pub oidc_client_secret: Option<Secret>,
    /// A file holding the client secret (its first line).
    #[arg(long, env = "ROOMCAL_OIDC_CLIENT_SECRET_FILE")]
    pub oidc_client_secret_file: Option<PathBuf>,
    /// Scopes to ask for, space-separated.
    #[arg(long, env = "ROOMCAL_OIDC_SCOPES", default_value = oidc::DEFAULT_SCOPES)]
    pub oidc_scopes: String,
    /// Email domains that may sign in with the provider, comma-separated; any when unset.
    #[arg(long, env = "ROOMCAL_OIDC_ALLOWED_EMAIL_DOMAINS")]
    pub oidc_allowed_email_domains: Option<String>,
    /// The group a person must be in to sign in with the provider.
    #[arg(long, env = "ROOMCAL_OIDC_REQUIRED_GROUP")]
    pub oidc_required_group: Option<String>,
    /// The ID token claim that lists a person's groups.
    #[arg(long, env = "ROOMCAL_OIDC_GROUPS_CLAIM", default_value = oidc::DEFAULT_GROUPS_CLAIM)]
    pub oidc_groups_claim: String,
    /// The sign-in button's label.
    #[arg(long, env = "ROOMCAL_OIDC_BUTTON_LABEL", default_value = oidc::DEFAULT_BUTTON_LABEL)]
    pub oidc_button_label: String,
    /// Whether email-and-password accounts sign in (`off`: the provider only).
    #[arg(long, env = "ROOMCAL_LOCAL_ACCOUNTS", value_enum, default_value = "on")]
    pub local_accounts: LocalAccounts,
}

impl OidcArgs {
    /// The provider settings, `None` without `--oidc-issuer`; what is missing or
    /// unreadable, said as what to do.
    pub fn settings(&self) -> Result<Option<OidcSettings>, String> {
        let Some(issuer) = &self.oidc_issuer else {
            if self.local_accounts == LocalAccounts::Off {
                return Err(
                    "--local-accounts off needs --oidc-issuer: nobody could sign in".into(),
                );
            }
            return Ok(None);
        };
        let client_id = self
            .oidc_client_id
            .clone()
            .ok_or("--oidc-issuer needs --oidc-client-id (roomcal's client id at the provider)")?;
        let client_secret = match (&self.oidc_client_secret, &self.oidc_client_secret_file) {
            (Some(_), Some(_)) => {
                return Err(
                    "give the client secret once: --oidc-client-secret or --oidc-client-secret-file"
                        .into(),
                )
            }
            (Some(secret), None) => secret.clone(),
            (None, Some(path)) => {
                let text = std::fs::read_to_string(path).map_err(|e| {
                    format!("cannot read --oidc-client-secret-file {}: {e}", path.display())
                })?;
                Secret::from(text.lines().next().unwrap_or("").trim().to_string())
            }
            (None, None) => {
                return Err("--oidc-issuer needs the client secret: ROOMCAL_OIDC_CLIENT_SECRET or --oidc-client-secret-file".into())
            }
        };
        if client_secret.expose().is_empty() {
            return Err("the OpenID client secret is empty".into());
        }
        let list = |text: &Option<String>| -> Vec<String> {
            text.as_deref()
                .unwrap_or("")
                .split(',')
                .map(|d| d.trim().trim_start_matches('@').to_lowercase())
                .filter(|d| !d.is_empty())
                .collect()
        };
        Ok(Some(OidcSettings {
            issuer: issuer.clone(),
            client_id,
            client_secret,
            scopes: self
                .oidc_scopes
                .split_whitespace()
                .map(str::to_string)
                .collect(),
            allowed_email_domains: list(&self.oidc_allowed_email_domains),
            required_group: self.oidc_required_group.clone().filter(|g| !g.is_empty()),
            groups_claim: self.oidc_groups_claim.clone(),
            button_label: self.oidc_button_label.clone(),
        }))
    }
}
