//! The `/v1` error: every failure answers with a status and
//! `{"error": {"code", "message", "fields"?}}`.

use app::dto::AppError;
use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use roomcal::CoreError;

/// An API failure.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl ApiError {
    /// An error with a status, code and message.
    pub fn new(status: u16, code: &str, message: impl Into<String>) -> Self {
        ApiError(AppError {
            status,
            code: code.into(),
            message: message.into(),
            fields: Default::default(),
            retry_after_secs: None,
        })
    }
}

impl From<CoreError> for ApiError {
    fn from(err: CoreError) -> Self {
        ApiError(AppError::from(err))
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> Self {
        // Axum's own text is precise ("missing field `name`"); keep it, as JSON.
        ApiError::new(
            rejection.status().as_u16(),
            "bad_request",
            format!(
                "the request body is not the JSON this endpoint expects: {}",
                rejection.body_text()
            ),
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status =
            StatusCode::from_u16(self.0.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response =
            (status, axum::Json(serde_json::json!({ "error": self.0 }))).into_response();
        if let Some(secs) = self.0.retry_after_secs {
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, secs.into());
        }
        response
    }
}

/// The body of every error answer (for the OpenAPI document).
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// What went wrong.
    pub error: AppError,
}

/// A JSON body whose rejection is an [`ApiError`].
#[derive(Debug, axum::extract::FromRequest)]
#[from_request(via(axum::Json), rejection(ApiError))]
pub struct ApiJson<T>(pub T);
