//! The error of the core's use cases. The web layers map each variant to a status code
//! and a message; the messages here are written for the person who made the request.

use std::collections::BTreeMap;

/// What went wrong in a use case.
#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    /// Input failed validation; `fields` maps each bad field to what to do about it.
    #[error("some fields are invalid")]
    Validation {
        /// Field name → message for that field.
        fields: BTreeMap<String, String>,
    },
    /// A unique value is taken already (a room name, an email): 409 with a field message.
    #[error("{message}")]
    Taken {
        /// The form field holding the taken value.
        field: String,
        /// What to do about it.
        message: String,
    },
    /// The thing asked for does not exist.
    #[error("{0}")]
    NotFound(String),
    /// The request needs a signed-in user.
    #[error("sign in first")]
    Unauthenticated,
    /// Wrong email or password.
    #[error("the email or password is wrong")]
    BadCredentials,
    /// Signed in, but not allowed to do this.
    #[error("{0}")]
    Forbidden(String),
    /// The room's access rule keeps this visitor out of the call: `code` says why
    /// (`crate::services::access::codes`); 401 for "sign in first", else 403.
    #[error("{message}")]
    NoEntry {
        /// Why: `sign_in_required`, `domain_not_allowed`, `knock_required`, ….
        code: &'static str,
        /// What to do, for the person.
        message: String,
    },
    /// The meeting exists but is over.
    #[error("{0}")]
    Gone(String),
    /// The video platform could not create the call.
    #[error("the video platform failed: {0}")]
    Platform(String),
    /// Too soon: try again after `retry_after_secs` (sent as `Retry-After`).
    #[error("{message}")]
    TooManyRequests {
        /// Seconds to wait.
        retry_after_secs: u64,
        /// What to do.
        message: String,
    },
    /// The database failed; details are logged, not shown.
    #[error("internal error")]
    Store(#[from] crate::store::StoreError),
    /// Anything else unexpected; details are logged, not shown.
    #[error("internal error")]
    Internal(String),
}

impl CoreError {
    /// Parses an id taken from a URL; a malformed one is simply `NotFound(not_found)`, as
    /// an id that names nothing would be.
    pub fn parse_id(text: &str, not_found: &str) -> Result<uuid::Uuid, CoreError> {
        uuid::Uuid::parse_str(text).map_err(|_| CoreError::NotFound(not_found.into()))
    }

    /// A validation error about one field.
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        let mut fields = BTreeMap::new();
        fields.insert(field.to_string(), message.into());
        CoreError::Validation { fields }
    }
}

impl CoreError {
    /// The HTTP status this error answers with.
    pub fn http_status(&self) -> u16 {
        match self {
            CoreError::Validation { .. } => 422,
            CoreError::Taken { .. } => 409,
            CoreError::NotFound(_) => 404,
            CoreError::Unauthenticated | CoreError::BadCredentials => 401,
            CoreError::Forbidden(_) => 403,
            CoreError::NoEntry { code, .. } if *code == "sign_in_required" => 401,
            CoreError::NoEntry { .. } => 403,
            CoreError::Gone(_) => 410,
            CoreError::Platform(_) => 502,
            CoreError::TooManyRequests { .. } => 429,
            CoreError::Store(_) | CoreError::Internal(_) => 500,
        }
    }
}

impl From<crate::sync::SyncError> for CoreError {
    fn from(err: crate::sync::SyncError) -> Self {
        match err {
            crate::sync::SyncError::NoSuchRoom(_) => {
                CoreError::NotFound("there is no such room".into())
            }
            crate::sync::SyncError::Store(err) => CoreError::Store(err),
        }
    }
}
