//! Every error the gateway answers with is an RFC 9457 problem document
//! (`application/problem+json`) with a stable machine-readable [`ErrorCode`].
//!
//! # Design: one error type, logged where it is answered
//!
//! Handlers return [`ApiError`]: a status, a code, a message for the caller and, for
//! server-side failures, an internal detail the caller never sees. The detail is logged when the
//! error becomes a response ([`IntoResponse`]), not where it is made: that happens inside the
//! request's tracing span, so the log line carries the request's `request_id` (the
//! `x-request-id` the caller got back) whatever code built the error. Client errors (4xx) are
//! the caller's to read and are not logged.
//!
//! The rest is split by idea: [`code`] the codes, [`extract`] the JSON and path extractors whose
//! rejections are problems too, [`okta`] how a failed Okta call becomes a problem.

mod code;
mod extract;
mod okta;

pub use code::ErrorCode;
pub use extract::{JsonBody, JsonOrEmpty, Path};
pub use okta::okta_failure;

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

/// The media type of error responses.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// An error response: RFC 9457 fields plus Spindle's `code` and, where they apply, the input
/// problems or Okta's error.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem: `urn:spindle:problem:<code>`.
    #[serde(rename = "type")]
    pub kind: String,
    /// A short summary of the kind of problem.
    pub title: String,
    /// The HTTP status of this response.
    pub status: u16,
    /// What went wrong this time, and what to do about it.
    pub detail: String,
    /// A stable code to branch on.
    pub code: ErrorCode,
    /// For `invalid_input`: every problem found, each naming the field (a JSON path) and what
    /// was expected.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub problems: Vec<InputProblem>,
    /// For errors Okta answered: Okta's own error, as it sent it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub okta: Option<OktaProblem>,
}

/// One problem with an input.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct InputProblem {
    /// Where: a field path such as `profile.email` (`input` for the whole input).
    pub path: String,
    /// What was expected and what was found.
    pub message: String,
}

/// The error Okta answered with.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct OktaProblem {
    /// Okta's HTTP status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// Okta's `errorCode` (`E0000007`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
    /// Okta's `errorSummary`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_summary: Option<String>,
    /// Okta's `errorCauses` summaries.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub error_causes: Vec<String>,
    /// Okta's `errorId`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error_id: Option<String>,
    /// Okta's `X-Okta-Request-Id`, to quote to Okta support.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

/// An error the gateway answers with; converts into a problem response. (Boxed: handlers return
/// it in every `Result`, which stays small.)
#[derive(Debug, Clone)]
pub struct ApiError(Box<ErrorParts>);

#[derive(Debug, Clone)]
struct ErrorParts {
    status: StatusCode,
    code: ErrorCode,
    title: &'static str,
    detail: String,
    /// What went wrong inside the gateway, for the log only.
    internal: Option<String>,
    problems: Vec<InputProblem>,
    okta: Option<OktaProblem>,
    retry_after: Option<u64>,
}

impl ApiError {
    /// An error with `status`, a stable `code`, a `title` for the kind and a `detail`.
    pub fn new(
        status: StatusCode,
        code: ErrorCode,
        title: &'static str,
        detail: impl Into<String>,
    ) -> Self {
        ApiError(Box::new(ErrorParts {
            status,
            code,
            title,
            detail: detail.into(),
            internal: None,
            problems: Vec::new(),
            okta: None,
            retry_after: None,
        }))
    }

    /// 401 `unauthorized`.
    pub fn unauthorized(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            ErrorCode::Unauthorized,
            "Missing or invalid API key",
            detail,
        )
    }

    /// 403 `forbidden`.
    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            ErrorCode::Forbidden,
            "The API key's scope does not allow this",
            detail,
        )
    }

    /// 404 `not_found`.
    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            ErrorCode::NotFound,
            "Not found",
            detail,
        )
    }

    /// 400 `bad_request`: a malformed request (query string, JSON syntax).
    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::BadRequest,
            "Bad request",
            detail,
        )
    }

    /// 422 `invalid_input` with the problems found.
    pub fn invalid_input(detail: impl Into<String>, problems: Vec<InputProblem>) -> Self {
        let mut error = Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::InvalidInput,
            "The input is not valid",
            detail,
        );
        error.0.problems = problems;
        error
    }

    /// 422 `invalid_input` for one field.
    pub fn invalid_field(path: impl Into<String>, message: impl Into<String>) -> Self {
        let problem = InputProblem {
            path: path.into(),
            message: message.into(),
        };
        Self::invalid_input(
            format!("{}: {}", problem.path, problem.message),
            vec![problem],
        )
    }

    /// 500 `internal`: the detail is logged when the error is answered, never shown.
    pub fn internal(detail: impl std::fmt::Display) -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            ErrorCode::Internal,
            "Internal error",
            "the gateway failed to handle the request; the server log has the details",
        )
        .with_internal(detail)
    }

    /// Adds a detail for the log only (the caller never sees it).
    pub fn with_internal(mut self, detail: impl std::fmt::Display) -> Self {
        self.0.internal = Some(detail.to_string());
        self
    }

    /// Adds an input problem.
    pub fn with_problem(mut self, path: impl Into<String>, message: impl Into<String>) -> Self {
        self.0.problems.push(InputProblem {
            path: path.into(),
            message: message.into(),
        });
        self
    }

    /// Attaches Okta's error.
    pub fn with_okta(mut self, okta: OktaProblem) -> Self {
        self.0.okta = Some(okta);
        self
    }

    /// Adds a `Retry-After` header (seconds).
    pub fn retry_after(mut self, seconds: u64) -> Self {
        self.0.retry_after = Some(seconds);
        self
    }

    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        self.0.status
    }

    /// The stable code.
    pub fn code(&self) -> ErrorCode {
        self.0.code
    }

    /// What went wrong on the server's side, for whoever reads the server's log: an operator
    /// running the gateway's code locally (the CLI) may be shown it; an API caller never is.
    pub fn internal_detail(&self) -> Option<&str> {
        self.0.internal.as_deref()
    }

    /// The problem document.
    pub fn problem(&self) -> Problem {
        let e = &self.0;
        Problem {
            kind: format!("urn:spindle:problem:{}", e.code),
            title: e.title.to_owned(),
            status: e.status.as_u16(),
            detail: e.detail.clone(),
            code: e.code,
            problems: e.problems.clone(),
            okta: e.okta.clone(),
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({}): {}", self.0.status, self.0.code, self.0.detail)
    }
}

impl std::error::Error for ApiError {}

impl ApiError {
    /// Logs a server-side failure (5xx) in the current span, which is the request's.
    fn log(&self) {
        let e = &self.0;
        if !e.status.is_server_error() {
            return;
        }
        let internal = e.internal.as_deref().unwrap_or(&e.detail);
        if e.status == StatusCode::INTERNAL_SERVER_ERROR {
            tracing::error!(code = %e.code, status = e.status.as_u16(), error = %internal, "internal error");
        } else {
            tracing::warn!(code = %e.code, status = e.status.as_u16(), error = %internal, "request failed");
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        self.log();
        let mut response = (self.0.status, Json(self.problem())).into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        if self.0.status == StatusCode::UNAUTHORIZED {
            headers.insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"spindle\""),
            );
        }
        if let Some(seconds) = self.0.retry_after {
            headers.insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

impl From<spindle_store::StoreError> for ApiError {
    fn from(error: spindle_store::StoreError) -> Self {
        use spindle_store::StoreError as E;
        match &error {
            E::NotFound { .. } => ApiError::not_found(error.to_string()),
            E::Conflict { .. } => Self::new(
                StatusCode::CONFLICT,
                ErrorCode::Conflict,
                "Conflicts with an existing resource",
                error.to_string(),
            ),
            E::Invalid { field, reason } => ApiError::invalid_field(field.to_string(), reason),
            E::InvalidCursor { .. } => ApiError::invalid_field("cursor", error.to_string()),
            // A sync worker's lease on a run was taken over: the write did not happen.
            E::LeaseLost { .. } => Self::new(
                StatusCode::CONFLICT,
                ErrorCode::Conflict,
                "Conflicts with an existing resource",
                error.to_string(),
            ),
            _ if error.is_retryable() => Self::new(
                StatusCode::SERVICE_UNAVAILABLE,
                ErrorCode::StoreUnavailable,
                "The gateway's database is unavailable",
                "the gateway's database did not answer in time; retry shortly",
            )
            .retry_after(1),
            _ => ApiError::internal(&error),
        }
    }
}
