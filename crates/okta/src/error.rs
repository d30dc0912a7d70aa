//! The client's one error type.
//!
//! Design: following smithy-rs' `SdkError`, an [`Error`] records *where* a call failed —
//! before anything was sent ([`Error::Config`], [`Error::Auth`] when no token could be
//! obtained), while sending ([`Error::Transport`], which says whether the request may have
//! reached Okta), or in Okta's answer ([`Error::Api`], [`Error::Http`], [`Error::Decode`]).
//! That distinction is what the retry classifier needs to decide whether a `POST` can be
//! re-sent safely, and what a caller needs to know whether a write may have happened.

use serde::{Deserialize, Serialize};

/// Maximum number of characters of a non-JSON error body kept in [`Error::Http`].
pub const SNIPPET_LEN: usize = 512;

/// Everything that can go wrong in a call.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Okta answered with a JSON error body (`errorCode`, `errorSummary`, ...).
    #[error("Okta error {status} {}: {}", .error.error_code, .error.error_summary)]
    Api {
        /// HTTP status of the answer.
        status: u16,
        /// The decoded error body.
        error: Box<OktaError>,
        /// `X-Okta-Request-Id` of the answer, if any.
        request_id: Option<String>,
    },
    /// Okta (or something in front of it) answered with a non-success status and a body
    /// that is not an Okta error document (an HTML 502 page, an OAuth error, an empty 403).
    #[error("HTTP {status} from Okta: {snippet}")]
    Http {
        /// HTTP status of the answer.
        status: u16,
        /// The first [`SNIPPET_LEN`] characters of the body.
        snippet: String,
        /// `WWW-Authenticate` header, if any (insufficient scope, DPoP errors).
        www_authenticate: Option<String>,
        /// `X-Okta-Request-Id` of the answer, if any.
        request_id: Option<String>,
    },
    /// A success answer whose body did not match the expected model.
    #[error("cannot decode Okta response at `{path}`: {message}")]
    Decode {
        /// JSON path of the value that failed (e.g. `[3].profile.login`, `.` for the root).
        path: String,
        /// What was wrong.
        message: String,
        /// `X-Okta-Request-Id` of the answer, if any.
        request_id: Option<String>,
    },
    /// The request could not be sent or its answer not read.
    #[error("transport error (request {}sent): {source}", if *.maybe_sent { "possibly " } else { "not " })]
    Transport {
        /// Whether the request may have reached Okta (false only when the connection
        /// was never established).
        maybe_sent: bool,
        /// The underlying error.
        #[source]
        source: reqwest::Error,
    },
    /// Obtaining or using credentials failed (token endpoint error, unreadable key).
    #[error("authentication failed: {0}")]
    Auth(String),
    /// The client configuration is invalid or incomplete.
    #[error("invalid configuration: {0}")]
    Config(String),
    /// A list's `Link: rel="next"` pointed at a cursor already visited.
    #[error("pagination loop: next link {url} was already followed")]
    PaginationLoop {
        /// The repeated URL.
        url: String,
    },
    /// A saved link was refused before anything was sent: it is not on the org's origin or
    /// not on the endpoint it was given to (see [`Logs::page_at`](crate::logs::Logs::page_at)).
    #[error("refusing link {url}: {reason}")]
    RefusedLink {
        /// The link as given.
        url: String,
        /// Why it was refused.
        reason: String,
    },
    /// The call's overall deadline passed (including waits for rate limits and retries).
    #[error("deadline of {0:?} exceeded")]
    Deadline(std::time::Duration),
    /// The retry budget was spent; the last error is kept.
    #[error("gave up after {attempts} attempts: {last}")]
    RetriesExhausted {
        /// How many attempts were made.
        attempts: u32,
        /// The last failure.
        #[source]
        last: Box<Error>,
    },
}

impl Error {
    /// HTTP status of Okta's answer, when there was one.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api { status, .. } | Error::Http { status, .. } => Some(*status),
            Error::RetriesExhausted { last, .. } => last.status(),
            _ => None,
        }
    }

    /// Okta's `errorCode` (`E0000007`, ...), when the answer carried one.
    pub fn error_code(&self) -> Option<&str> {
        match self {
            Error::Api { error, .. } => Some(&error.error_code),
            Error::RetriesExhausted { last, .. } => last.error_code(),
            _ => None,
        }
    }

    /// `X-Okta-Request-Id` of the failing answer, when there was one.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Error::Api { request_id, .. }
            | Error::Http { request_id, .. }
            | Error::Decode { request_id, .. } => request_id.as_deref(),
            Error::RetriesExhausted { last, .. } => last.request_id(),
            _ => None,
        }
    }

    /// Whether the same request could succeed if tried again later (rate limits, 5xx,
    /// transport failures). The transport layer already retries these within its budget.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Api { status, .. } | Error::Http { status, .. } => {
                matches!(status, 429 | 500 | 502 | 503 | 504)
            }
            Error::Transport { .. } => true,
            _ => false,
        }
    }

    /// Whether this is a 404 (the resource does not exist).
    pub fn is_not_found(&self) -> bool {
        self.status() == Some(404)
    }
}

/// Okta's error document.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OktaError {
    /// Stable error code, e.g. `E0000007`.
    #[serde(default)]
    pub error_code: String,
    /// Human readable summary (text may change; match on `error_code`).
    #[serde(default)]
    pub error_summary: String,
    /// Documentation link key (currently equal to the code).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_link: Option<String>,
    /// Per-request error id (`oae...`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_id: Option<String>,
    /// Details, e.g. which field failed validation.
    #[serde(default)]
    pub error_causes: Vec<ErrorCause>,
    /// Fields not modelled above.
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// One entry of `errorCauses`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorCause {
    /// What went wrong, e.g. `login: An object with this field already exists ...`.
    #[serde(default)]
    pub error_summary: String,
    /// Other keys (`reason`, `locationType`, `domain`, ...).
    #[serde(flatten)]
    pub extra: serde_json::Map<String, serde_json::Value>,
}

/// Result alias used throughout the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Builds the error for a non-success answer from its status, headers and body.
pub(crate) fn from_response(
    status: u16,
    body: &[u8],
    request_id: Option<String>,
    www_authenticate: Option<String>,
) -> Error {
    if let Ok(error) = serde_json::from_slice::<OktaError>(body)
        && !error.error_code.is_empty()
    {
        return Error::Api {
            status,
            error: Box::new(error),
            request_id,
        };
    }
    let text = String::from_utf8_lossy(body);
    let snippet: String = text.chars().take(SNIPPET_LEN).collect();
    Error::Http {
        status,
        snippet,
        www_authenticate,
        request_id,
    }
}

/// Decodes a success body, naming the JSON path that failed.
///
/// Decoded once without tracking the path (tracking it costs on every value); only a body that
/// fails is decoded again to name where.
pub(crate) fn decode<T: serde::de::DeserializeOwned>(
    body: &[u8],
    request_id: Option<&str>,
) -> Result<T> {
    if let Ok(value) = serde_json::from_slice(body) {
        return Ok(value);
    }
    let de = &mut serde_json::Deserializer::from_slice(body);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        Error::Decode {
            path,
            message: e.into_inner().to_string(),
            request_id: request_id.map(str::to_owned),
        }
    })
}

/// The error's text followed by its causes ("…: connection refused"), skipping causes whose
/// text it already contains. Transport errors name URLs, never credentials.
pub fn with_causes(error: &dyn std::error::Error) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn okta_error_keeps_every_field() {
        let body = br#"{"errorCode":"E0000001","errorSummary":"Api validation failed: login","errorLink":"E0000001","errorId":"oaeX","errorCauses":[{"errorSummary":"login: exists","reason":"UNIQUE"}]}"#;
        let e = from_response(400, body, Some("req1".into()), None);
        assert_eq!(e.status(), Some(400));
        assert_eq!(e.error_code(), Some("E0000001"));
        assert_eq!(e.request_id(), Some("req1"));
        let Error::Api { error, .. } = e else {
            panic!("not an api error")
        };
        assert_eq!(error.error_id.as_deref(), Some("oaeX"));
        assert_eq!(error.error_causes[0].error_summary, "login: exists");
        assert_eq!(error.error_causes[0].extra["reason"], "UNIQUE");
    }

    #[test]
    fn html_body_keeps_status_and_snippet() {
        let body = format!("<html>{}</html>", "x".repeat(2000));
        let e = from_response(502, body.as_bytes(), None, None);
        let Error::Http {
            status, snippet, ..
        } = &e
        else {
            panic!("expected Http, got {e:?}")
        };
        assert_eq!(*status, 502);
        assert!(snippet.starts_with("<html>"));
        assert_eq!(snippet.chars().count(), SNIPPET_LEN);
    }

    #[test]
    fn decode_error_names_the_path() {
        #[derive(Debug, Deserialize)]
        struct P {
            #[allow(dead_code)]
            login: String,
        }
        #[derive(Debug, Deserialize)]
        struct U {
            #[allow(dead_code)]
            profile: P,
        }
        let e = decode::<Vec<U>>(
            br#"[{"profile":{"login":"a"}},{"profile":{"login":5}}]"#,
            None,
        )
        .unwrap_err();
        let Error::Decode { path, .. } = e else {
            panic!("expected decode error")
        };
        assert_eq!(path, "[1].profile.login");
    }
}
