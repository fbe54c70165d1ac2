//! The one error pages and API clients get.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// An error for pages and API clients: a message, and per-field messages for forms.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AppError {
    /// HTTP status the error maps to.
    pub status: u16,
    /// Machine-readable kind (`validation`, `conflict`, `not_found`, …).
    pub code: String,
    /// What happened and what to do, for a person.
    pub message: String,
    /// Field name → message, for form inputs.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub fields: BTreeMap<String, String>,
    /// Seconds to wait before retrying (429 answers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after_secs: Option<u64>,
}

impl AppError {
    /// The message for one form field, if any.
    pub fn field(&self, name: &str) -> Option<String> {
        self.fields.get(name).cloned()
    }
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for AppError {}

impl leptos::server_fn::error::FromServerFnError for AppError {
    type Encoder = leptos::server_fn::codec::JsonEncoding;

    fn from_server_fn_error(value: leptos::server_fn::error::ServerFnErrorErr) -> Self {
        AppError {
            status: 500,
            code: "request_failed".into(),
            message: format!("the request failed: {value}"),
            fields: BTreeMap::new(),
            retry_after_secs: None,
        }
    }
}

#[cfg(feature = "ssr")]
mod from_core {
    use super::AppError;
    use roomcal::CoreError;
    use std::collections::BTreeMap;

    impl From<CoreError> for AppError {
        fn from(err: CoreError) -> Self {
            let (code, fields) = match &err {
                CoreError::Validation { fields } => ("validation", fields.clone()),
                CoreError::Taken { field, message } => (
                    "conflict",
                    BTreeMap::from([(field.clone(), message.clone())]),
                ),
                CoreError::NotFound(_) => ("not_found", Default::default()),
                CoreError::Unauthenticated => ("unauthenticated", Default::default()),
                CoreError::BadCredentials => ("bad_credentials", Default::default()),
                CoreError::Forbidden(_) => ("forbidden", Default::default()),
                CoreError::NoEntry { code, .. } => (*code, Default::default()),
                CoreError::Gone(_) => ("gone", Default::default()),
                CoreError::Platform(_) => ("platform", Default::default()),
                CoreError::TooManyRequests { .. } => ("too_many_requests", Default::default()),
                CoreError::Store(_) | CoreError::Internal(_) => {
                    // Details go to the log, never to the client.
                    tracing::error!(error = ?err, "internal error");
                    ("internal", Default::default())
                }
            };
            let message = match &err {
                CoreError::Taken { message, .. } => message.clone(),
                CoreError::Validation { fields } if fields.len() == 1 => fields
                    .iter()
                    .map(|(f, m)| format!("{f}: {m}"))
                    .collect::<String>(),
                _ => err.to_string(),
            };
            let retry_after_secs = match &err {
                CoreError::TooManyRequests {
                    retry_after_secs, ..
                } => Some(*retry_after_secs),
                _ => None,
            };
            AppError {
                status: err.http_status(),
                code: code.into(),
                message,
                fields,
                retry_after_secs,
            }
        }
    }
}
