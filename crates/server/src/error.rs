//! Every error the gateway answers with is an RFC 9457 problem document
//! (`application/problem+json`) with a stable machine-readable `code`.

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
    /// A stable code to branch on (`unauthorized`, `invalid_input`, `okta_error`, …).
    pub code: String,
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
    code: &'static str,
    title: &'static str,
    detail: String,
    problems: Vec<InputProblem>,
    okta: Option<OktaProblem>,
    retry_after: Option<u64>,
}

impl ApiError {
    /// An error with `status`, a stable `code`, a `title` for the kind and a `detail`.
    pub fn new(
        status: StatusCode,
        code: &'static str,
        title: &'static str,
        detail: impl Into<String>,
    ) -> Self {
        ApiError(Box::new(ErrorParts {
            status,
            code,
            title,
            detail: detail.into(),
            problems: Vec::new(),
            okta: None,
            retry_after: None,
        }))
    }

    /// 401 `unauthorized`.
    pub fn unauthorized(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "Missing or invalid API key",
            detail,
        )
    }

    /// 403 `forbidden`.
    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "The API key's scope does not allow this",
            detail,
        )
    }

    /// 404 `not_found`.
    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", "Not found", detail)
    }

    /// 400 `bad_request`: a malformed request (query string, JSON syntax).
    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "bad_request",
            "Bad request",
            detail,
        )
    }

    /// 422 `invalid_input` with the problems found.
    pub fn invalid_input(detail: impl Into<String>, problems: Vec<InputProblem>) -> Self {
        let mut error = Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_input",
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

    /// 500 `internal`: the detail is logged, not shown.
    pub fn internal(detail: impl std::fmt::Display) -> Self {
        tracing::error!(error = %detail, "internal error");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "Internal error",
            "the gateway failed to handle the request; the server log has the details",
        )
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
    pub fn code(&self) -> &'static str {
        self.0.code
    }

    /// The problem document.
    pub fn problem(&self) -> Problem {
        let e = &self.0;
        Problem {
            kind: format!("urn:spindle:problem:{}", e.code),
            title: e.title.to_owned(),
            status: e.status.as_u16(),
            detail: e.detail.clone(),
            code: e.code.to_owned(),
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

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
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
                "conflict",
                "Conflicts with an existing resource",
                error.to_string(),
            ),
            E::Invalid { field, reason } => ApiError::invalid_field(field.to_string(), reason),
            E::InvalidCursor { .. } => ApiError::invalid_field("cursor", error.to_string()),
            _ if error.is_retryable() => Self::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "store_unavailable",
                "The gateway's database is unavailable",
                "the gateway's database did not answer in time; retry shortly",
            )
            .retry_after(1),
            _ => ApiError::internal(&error),
        }
    }
}

/// A JSON body extractor whose rejections are problem documents naming what is wrong. An empty
/// body is refused.
#[derive(Debug, Clone, Copy, Default)]
pub struct JsonBody<T>(pub T);

/// As [`JsonBody`], but an empty body reads as `{}` (an action without input).
#[derive(Debug, Clone, Copy, Default)]
pub struct JsonOrEmpty<T>(pub T);

impl<T, S> axum::extract::FromRequest<S> for JsonBody<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, ApiError> {
        read_json(req, state, false).await.map(JsonBody)
    }
}

impl<T, S> axum::extract::FromRequest<S> for JsonOrEmpty<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, ApiError> {
        read_json(req, state, true).await.map(JsonOrEmpty)
    }
}

async fn read_json<T, S>(
    req: axum::extract::Request,
    state: &S,
    empty_is_object: bool,
) -> Result<T, ApiError>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    use axum::extract::FromRequest as _;
    {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(|v| {
                let v = v.trim();
                v.eq_ignore_ascii_case("application/json") || v.ends_with("+json")
            });
        if is_json == Some(false) {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "Unsupported media type",
                "the body must be JSON (Content-Type: application/json)",
            ));
        }
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|rejection| {
                if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError::new(
                        StatusCode::PAYLOAD_TOO_LARGE,
                        "payload_too_large",
                        "The request body is too large",
                        rejection.body_text(),
                    )
                } else {
                    ApiError::bad_request(rejection.body_text())
                }
            })?;
        let value = if bytes.is_empty() && empty_is_object {
            serde_json::Value::Object(serde_json::Map::new())
        } else if bytes.is_empty() {
            return Err(ApiError::bad_request(
                "the body is empty: send a JSON object (Content-Type: application/json)",
            ));
        } else {
            serde_json::from_slice::<serde_json::Value>(&bytes)
                .map_err(|e| ApiError::bad_request(format!("the body is not valid JSON: {e}")))?
        };
        if !value.is_object() {
            return Err(ApiError::invalid_field(
                "body",
                format!("expected a JSON object, got {}", json_kind(&value)),
            ));
        }
        serde_path_to_error::deserialize(value).map_err(|e| {
            let path = e.path().to_string();
            let path = if path == "." { "body".to_owned() } else { path };
            ApiError::invalid_field(path, e.into_inner().to_string())
        })
    }
}

fn json_kind(value: &serde_json::Value) -> &'static str {
    match value {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

/// The problem for a failed Okta call made for `connection` (its name, for the message).
///
/// The gateway answers with Okta's own status for client errors (400, 403, 404, 409, 429, …) so a
/// caller can branch on it as it would on Okta's; with 502 `okta_credentials_rejected` when Okta
/// refused the connection's credentials (a 401 from the gateway is reserved for the caller's API
/// key); with 502 `okta_error` for Okta's server errors; 502 `okta_unreachable` or 504
/// `okta_timeout` when no answer came. Okta's error travels in the `okta` member.
pub fn okta_failure(error: &spindle_okta::Error, connection: &str) -> ApiError {
    use spindle_okta::Error as E;
    let okta = okta_problem(error);
    let status = error.status();
    let summary = okta
        .error_summary
        .clone()
        .unwrap_or_else(|| error.to_string());
    let code_text = okta
        .error_code
        .as_deref()
        .map(|c| format!("{c} "))
        .unwrap_or_default();
    match (status, error) {
        (Some(401), _) => ApiError::new(
            StatusCode::BAD_GATEWAY,
            "okta_credentials_rejected",
            "Okta refused the connection's credentials",
            format!(
                "Okta refused the credentials of connection `{connection}` ({code_text}{summary}); \
                 replace them with PATCH /v1/connections/{{connection_id}}"
            ),
        )
        .with_okta(okta),
        (Some(status), _) if (400..500).contains(&status) => {
            let mut problem = ApiError::new(
                StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_GATEWAY),
                "okta_error",
                "Okta answered with an error",
                format!("Okta answered {status}: {code_text}{summary}"),
            )
            .with_okta(okta);
            if status == 429 {
                problem = problem.retry_after(1);
            }
            problem
        }
        (Some(status), _) => ApiError::new(
            StatusCode::BAD_GATEWAY,
            "okta_error",
            "Okta answered with an error",
            format!("Okta answered {status}: {code_text}{summary}"),
        )
        .with_okta(okta),
        (None, E::Auth(message)) => ApiError::new(
            StatusCode::BAD_GATEWAY,
            "okta_auth_failed",
            "Could not authenticate to Okta",
            format!("connection `{connection}` could not get an access token: {message}"),
        ),
        (None, E::Deadline(_)) => ApiError::new(
            StatusCode::GATEWAY_TIMEOUT,
            "okta_timeout",
            "Okta did not answer in time",
            format!("connection `{connection}`: {error}"),
        ),
        (None, _) => ApiError::new(
            StatusCode::BAD_GATEWAY,
            "okta_unreachable",
            "Okta could not be reached",
            format!("connection `{connection}`: {}", with_causes(error)),
        ),
    }
}

fn okta_problem(error: &spindle_okta::Error) -> OktaProblem {
    use spindle_okta::Error as E;
    let mut okta = OktaProblem {
        status: error.status(),
        request_id: error.request_id().map(str::to_owned),
        ..OktaProblem::default()
    };
    let mut inner = error;
    while let E::RetriesExhausted { last, .. } = inner {
        inner = last;
    }
    if let E::Api { error: body, .. } = inner {
        okta.error_code = Some(body.error_code.clone());
        okta.error_summary = Some(body.error_summary.clone());
        okta.error_id = body.error_id.clone();
        okta.error_causes = body
            .error_causes
            .iter()
            .map(|c| c.error_summary.clone())
            .collect();
    }
    okta
}

/// The error's text followed by its causes, skipping causes whose text it already contains.
pub(crate) fn with_causes(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}
