//! Okta's error model: the catalog of codes the emulator emits and the JSON error body.
//!
//! Every failure a handler can produce is an [`ApiError`]: an entry of Okta's catalog (code, HTTP
//! status and summary verbatim from Okta's error-code list), an optional dynamic part for the
//! `{0}` templates, and `errorCauses`. There is no blanket "any error becomes 500": each call
//! site picks the code Okta uses.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// One entry of Okta's error catalog.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Code {
    pub code: &'static str,
    pub status: u16,
    /// Summary; `{0}` is replaced with the dynamic part when the entry has one.
    pub summary: &'static str,
}

macro_rules! catalog {
    ($($name:ident = $code:literal, $status:literal, $summary:literal;)*) => {
        $( pub(crate) const $name: Code = Code { code: $code, status: $status, summary: $summary }; )*
        /// Every catalog entry, for tests and documentation.
        #[cfg(test)]
        pub(crate) const ALL: &[Code] = &[$($name),*];
    };
}

catalog! {
    E0000001 = "E0000001", 400, "Api validation failed: {0}";
    E0000003 = "E0000003", 400, "The request body was not well-formed.";
    E0000004 = "E0000004", 401, "Authentication failed";
    E0000005 = "E0000005", 403, "Invalid session";
    E0000006 = "E0000006", 403, "You do not have permission to perform the requested action";
    E0000007 = "E0000007", 404, "Not found: {0}";
    E0000008 = "E0000008", 404, "The requested path was not found";
    E0000009 = "E0000009", 500, "Internal Server Error";
    E0000011 = "E0000011", 401, "Invalid token provided";
    E0000014 = "E0000014", 403, "Update of credentials failed";
    E0000016 = "E0000016", 403, "Activation failed because the user is already active";
    E0000022 = "E0000022", 405, "The endpoint does not support the provided HTTP method";
    E0000029 = "E0000029", 400, "Invalid paging request.";
    E0000030 = "E0000030", 400, "Bad request. Invalid date. Dates must be of the form yyyy-MM-dd'T'HH:mm:ss.SSSZZ, e.g. 2013-01-01T12:00:00.000-07:00.";
    E0000031 = "E0000031", 400, "Invalid search criteria.";
    E0000032 = "E0000032", 403, "Unlock is not allowed for this user.";
    E0000033 = "E0000033", 400, "Bad request. Can't specify a search query and filter in the same request.";
    E0000034 = "E0000034", 403, "Forgot password not allowed on specified user.";
    E0000035 = "E0000035", 403, "Change password not allowed on specified user.";
    E0000036 = "E0000036", 403, "Change recovery question not allowed on specified user.";
    E0000038 = "E0000038", 403, "This operation is not allowed in the user's current status.";
    E0000047 = "E0000047", 429, "API call exceeded rate limit due to too many requests.";
    E0000056 = "E0000056", 403, "Delete application forbidden.";
    E0000060 = "E0000060", 501, "Unsupported operation.";
    E0000080 = "E0000080", 403, "The password does not meet the complexity requirements of the current password policy.";
    E0000087 = "E0000087", 403, "The recovery question answer did not match our records.";
    E0000093 = "E0000093", 400, "Target count limit exceeded";
    E0000231 = "E0000231", 412, "ETag value doesn't match.";
    E0000242 = "E0000242", 400, "ETag syntax is invalid.";
    E0000124 = "E0000124", 400, "Could not create user. To create a user and expire their password immediately, a password must be specified.";
    E0000125 = "E0000125", 400, "Could not create user. To create a user and expire their password immediately, `activate` must be true.";
}

/// An Okta error response: status, catalog code, summary and causes.
#[derive(Debug, Clone)]
pub(crate) struct ApiError {
    pub code: Code,
    pub summary: String,
    pub causes: Vec<String>,
    /// Rate-limit headers etc. added to this response (name, value).
    pub headers: Vec<(&'static str, String)>,
}

impl ApiError {
    /// An error with the catalog summary (any `{0}` left as given).
    pub(crate) fn new(code: Code) -> Self {
        ApiError {
            code,
            summary: code.summary.to_owned(),
            causes: Vec::new(),
            headers: Vec::new(),
        }
    }

    /// An error whose `{0}` is filled with `detail`.
    pub(crate) fn with_detail(code: Code, detail: &str) -> Self {
        ApiError {
            summary: code.summary.replace("{0}", detail),
            ..ApiError::new(code)
        }
    }

    /// Adds one `errorCauses[].errorSummary`.
    pub(crate) fn cause(mut self, cause: impl Into<String>) -> Self {
        self.causes.push(cause.into());
        self
    }

    /// `E0000001 Api validation failed: <field>` with cause `<field>: <message>`.
    pub(crate) fn validation(field: &str, message: &str) -> Self {
        ApiError::with_detail(E0000001, field).cause(format!("{field}: {message}"))
    }

    /// `E0000007 Not found: Resource not found: <id> (<Class>)`, as Okta words it.
    pub(crate) fn not_found(id: &str, class: &str) -> Self {
        ApiError::with_detail(E0000007, &format!("Resource not found: {id} ({class})"))
    }

    /// A factor flow's error as Okta answers it.
    pub(crate) fn from_factor(e: &crate::factors::FactorError) -> Self {
        let o = e.okta();
        let mut a = ApiError::new(E0000001);
        a.code = Code {
            code: o.code,
            status: o.status,
            summary: "",
        };
        a.summary = o.summary;
        a.causes = o.causes;
        a
    }

    /// `E0000031 Invalid search criteria.` with a cause.
    pub(crate) fn bad_search(cause: impl Into<String>) -> Self {
        ApiError::new(E0000031).cause(cause)
    }

    /// `E0000029 Invalid paging request.` with Okta's cursor cause.
    pub(crate) fn bad_cursor() -> Self {
        ApiError::new(E0000029).cause("Invalid cursor.")
    }

    /// The HTTP status.
    pub(crate) fn status(&self) -> StatusCode {
        StatusCode::from_u16(self.code.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    /// The JSON body, with a fresh `errorId`.
    pub(crate) fn body(&self) -> serde_json::Value {
        let causes: Vec<_> = self
            .causes
            .iter()
            .map(|c| json!({ "errorSummary": c }))
            .collect();
        json!({
            "errorCode": self.code.code,
            "errorSummary": self.summary,
            "errorLink": self.code.code,
            "errorId": format!("oae{}", crate::util::token(22)),
            "errorCauses": causes,
        })
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = self.body().to_string();
        let mut resp = (self.status(), body).into_response();
        let h = resp.headers_mut();
        // Okta sends plain `application/json` on error bodies (HAR recordings).
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        for (name, value) in &self.headers {
            if let Ok(v) = HeaderValue::from_str(value) {
                h.insert(*name, v);
            }
        }
        resp
    }
}

/// Result type of handlers.
pub(crate) type ApiResult<T> = Result<T, ApiError>;

/// Errors of the emulator as a library (start-up, configuration).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The listening socket could not be bound.
    #[error("cannot bind {addr}: {source}")]
    Bind {
        /// Address asked for.
        addr: std::net::SocketAddr,
        /// Underlying I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A configuration value is invalid (bad `--faults` spec, rate-limit mode, ...).
    #[error("invalid configuration: {0}")]
    Config(String),
    /// An I/O error while serving or writing output.
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_body_has_okta_shape() {
        let e = ApiError::not_found("00uX", "User");
        let b = e.body();
        assert_eq!(b["errorCode"], "E0000007");
        assert_eq!(
            b["errorSummary"],
            "Not found: Resource not found: 00uX (User)"
        );
        assert_eq!(b["errorLink"], "E0000007");
        assert_eq!(b["errorCauses"], json!([]));
        let id = b["errorId"].as_str().unwrap_or_default();
        assert!(id.starts_with("oae") && id.len() == 25, "{id}");
        assert_eq!(e.status(), StatusCode::NOT_FOUND);
    }

    #[test]
    fn catalog_statuses_are_valid_http_statuses() {
        for c in ALL {
            assert!(StatusCode::from_u16(c.status).is_ok(), "{}", c.code);
            assert!(c.code.starts_with("E0000") && c.code.len() == 8);
        }
    }
}
