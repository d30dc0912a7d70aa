//! The stable `code` of every problem the gateway answers with.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A stable, machine-readable error code to branch on. A code's string never changes; new codes
/// may be added, so treat an unknown one by the problem's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ErrorCode {
    /// 400: a malformed request (query string, JSON syntax, an empty body, a path segment that
    /// is not UTF-8).
    BadRequest,
    /// 401: no, malformed, unknown or revoked API key.
    Unauthorized,
    /// 403: a read-only key asked for a write.
    Forbidden,
    /// 404: no such connection, action or endpoint.
    NotFound,
    /// 405: the endpoint has no such method.
    MethodNotAllowed,
    /// 409: conflicts with an existing resource (a connection name already in use).
    Conflict,
    /// 413: the body exceeds the body limit.
    PayloadTooLarge,
    /// 415: the body is not JSON.
    UnsupportedMediaType,
    /// 422: a field is wrong; `problems` names each one.
    InvalidInput,
    /// 422: the org (or Aerial) URL breaks the SSRF policy.
    OrgUrlRefused,
    /// 422: an Aerial action on a connection without Aerial settings.
    AerialNotConfigured,
    /// 422: the connection's stored credentials cannot be used (a private key that does not
    /// parse).
    InvalidCredentials,
    /// 422: the action cannot run on this connection.
    Unsupported,
    /// Okta's 4xx, or 502 for Okta's 5xx: Okta answered with an error.
    OktaError,
    /// 502: Okta refused the connection's credentials.
    OktaCredentialsRejected,
    /// 502: no OAuth access token could be obtained.
    OktaAuthFailed,
    /// 502: no answer from Okta (connection refused, reset, TLS).
    OktaUnreachable,
    /// 502: Okta answered, but not as documented.
    OktaUnexpectedAnswer,
    /// 503: the gateway's database does not answer.
    StoreUnavailable,
    /// 503: the readiness check failed (the database does not answer).
    NotReady,
    /// 504: Okta did not answer in time.
    OktaTimeout,
    /// 504: the whole request took longer than the request timeout.
    Timeout,
    /// 500: a bug; the server log has the details.
    Internal,
}

impl ErrorCode {
    /// Every code, in the order of the documentation's table.
    pub const ALL: &[ErrorCode] = &[
        ErrorCode::BadRequest,
        ErrorCode::Unauthorized,
        ErrorCode::Forbidden,
        ErrorCode::NotFound,
        ErrorCode::MethodNotAllowed,
        ErrorCode::Conflict,
        ErrorCode::PayloadTooLarge,
        ErrorCode::UnsupportedMediaType,
        ErrorCode::InvalidInput,
        ErrorCode::OrgUrlRefused,
        ErrorCode::AerialNotConfigured,
        ErrorCode::InvalidCredentials,
        ErrorCode::Unsupported,
        ErrorCode::OktaError,
        ErrorCode::OktaCredentialsRejected,
        ErrorCode::OktaAuthFailed,
        ErrorCode::OktaUnreachable,
        ErrorCode::OktaUnexpectedAnswer,
        ErrorCode::StoreUnavailable,
        ErrorCode::NotReady,
        ErrorCode::OktaTimeout,
        ErrorCode::Timeout,
        ErrorCode::Internal,
    ];

    /// The code as sent in a problem's `code` (and its `type`, `urn:spindle:problem:<code>`).
    pub const fn as_str(self) -> &'static str {
        match self {
            ErrorCode::BadRequest => "bad_request",
            ErrorCode::Unauthorized => "unauthorized",
            ErrorCode::Forbidden => "forbidden",
            ErrorCode::NotFound => "not_found",
            ErrorCode::MethodNotAllowed => "method_not_allowed",
            ErrorCode::Conflict => "conflict",
            ErrorCode::PayloadTooLarge => "payload_too_large",
            ErrorCode::UnsupportedMediaType => "unsupported_media_type",
            ErrorCode::InvalidInput => "invalid_input",
            ErrorCode::OrgUrlRefused => "org_url_refused",
            ErrorCode::AerialNotConfigured => "aerial_not_configured",
            ErrorCode::InvalidCredentials => "invalid_credentials",
            ErrorCode::Unsupported => "unsupported",
            ErrorCode::OktaError => "okta_error",
            ErrorCode::OktaCredentialsRejected => "okta_credentials_rejected",
            ErrorCode::OktaAuthFailed => "okta_auth_failed",
            ErrorCode::OktaUnreachable => "okta_unreachable",
            ErrorCode::OktaUnexpectedAnswer => "okta_unexpected_answer",
            ErrorCode::StoreUnavailable => "store_unavailable",
            ErrorCode::NotReady => "not_ready",
            ErrorCode::OktaTimeout => "okta_timeout",
            ErrorCode::Timeout => "timeout",
            ErrorCode::Internal => "internal",
        }
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::ErrorCode;

    /// `as_str` and serde agree, so the problem's `type` and `code` never differ.
    #[test]
    fn every_code_serializes_as_its_string() {
        for code in ErrorCode::ALL {
            assert_eq!(
                serde_json::to_value(code).expect("serializes"),
                code.as_str(),
                "{code:?}"
            );
            let back: ErrorCode =
                serde_json::from_value(code.as_str().into()).expect("deserializes");
            assert_eq!(back, *code);
        }
    }

    /// No two codes share a string.
    #[test]
    fn codes_are_distinct() {
        let mut strings: Vec<&str> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
        strings.sort_unstable();
        strings.dedup();
        assert_eq!(strings.len(), ErrorCode::ALL.len());
    }

    /// docs/gateway.md's table of codes names exactly the codes of this enum.
    #[test]
    fn the_documentation_table_lists_every_code() {
        let doc = include_str!("../../../../docs/gateway.md");
        let table = doc
            .split("| status | code | when |")
            .nth(1)
            .expect("docs/gateway.md has the table of error codes");
        let mut documented: Vec<String> = table
            .lines()
            .skip(1)
            .take_while(|line| line.starts_with('|'))
            .filter_map(|line| line.split('|').nth(2))
            .flat_map(|cell| {
                cell.split('`')
                    .skip(1)
                    .step_by(2)
                    .map(str::to_owned)
                    .collect::<Vec<_>>()
            })
            .collect();
        documented.sort();
        documented.dedup();
        let mut codes: Vec<String> = ErrorCode::ALL
            .iter()
            .map(|c| c.as_str().to_owned())
            .collect();
        codes.sort();
        assert_eq!(documented, codes);
    }
}
