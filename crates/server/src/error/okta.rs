//! How a failed Okta call becomes a problem: which status and code, and Okta's own error carried
//! in the `okta` member.

use axum::http::StatusCode;

use super::{ApiError, ErrorCode, OktaProblem};

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
            ErrorCode::OktaCredentialsRejected,
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
                ErrorCode::OktaError,
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
            ErrorCode::OktaError,
            "Okta answered with an error",
            format!("Okta answered {status}: {code_text}{summary}"),
        )
        .with_okta(okta),
        (None, E::Auth(message)) => ApiError::new(
            StatusCode::BAD_GATEWAY,
            ErrorCode::OktaAuthFailed,
            "Could not authenticate to Okta",
            format!("connection `{connection}` could not get an access token: {message}"),
        ),
        (None, E::Deadline(_)) => ApiError::new(
            StatusCode::GATEWAY_TIMEOUT,
            ErrorCode::OktaTimeout,
            "Okta did not answer in time",
            format!("connection `{connection}`: {error}"),
        ),
        (None, _) => ApiError::new(
            StatusCode::BAD_GATEWAY,
            ErrorCode::OktaUnreachable,
            "Okta could not be reached",
            format!(
                "connection `{connection}`: {}",
                spindle_okta::with_causes(error)
            ),
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
