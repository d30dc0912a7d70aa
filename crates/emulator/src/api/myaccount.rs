//! `GET /idp/myaccount/organization` (BEHAVIOR §14): versioned `Accept` header (406 `E0000149`
//! without it), an end-user access token with `okta.myAccount.organization.read` (the scope is
//! checked by the pipeline; an SSWS token → 401 `E0000011` \[unconfirmed\]: MyAccount takes
//! only OAuth tokens).

use axum::Extension;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::error::{self, ApiError};
use crate::http::{BaseUrl, json_status};
use crate::oauth::gate::BearerPrincipal;
use crate::oauth::myaccount::{CONTENT_TYPE, NOT_ACCEPTABLE, accept_ok, organization_json};

/// The organization name the emulator reports.
pub(crate) const ORG_NAME: &str = "Spindle Emulator";

/// `GET /idp/myaccount/organization`
pub(crate) async fn organization(
    BaseUrl(base): BaseUrl,
    principal: Option<Extension<BearerPrincipal>>,
    headers: HeaderMap,
) -> Response {
    if principal.is_none() {
        return ApiError::new(error::E0000011).into_response();
    }
    let accept = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok());
    if !accept_ok(accept) {
        let (status, code, summary) = NOT_ACCEPTABLE;
        let body = json!({
            "errorCode": code,
            "errorSummary": summary,
            "errorLink": code,
            "errorId": format!("oae{}", crate::util::token(22)),
            "errorCauses": [],
        });
        return json_status(
            StatusCode::from_u16(status).unwrap_or(StatusCode::NOT_ACCEPTABLE),
            &body,
        );
    }
    // The document types both as strings (not nullable), so the emulated org has them set:
    // the default end-user help page and a support address on the org's host. [unconfirmed]
    // what Okta answers for an org that never configured them.
    let host = base.split_once("://").map_or(base.as_str(), |(_, h)| h);
    let host = host.split(':').next().unwrap_or(host);
    let help = format!("{base}/help/login");
    let support = format!("support@{host}");
    let body = organization_json(&base, ORG_NAME, Some(&help), Some(&support));
    let mut resp = json_status(StatusCode::OK, &body);
    resp.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE));
    resp
}
