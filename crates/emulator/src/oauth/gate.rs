//! The gate between the request pipeline and the org authorization server: which requests
//! pass without an API token (the token endpoint, primary authentication), `Bearer`/`DPoP`
//! access tokens checked against the scope an endpoint requires, DPoP proofs recorded even for
//! refused requests, and the token endpoint's query kept out of the request log.

use std::sync::Arc;

use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::error::ApiError;
use crate::http::{json_status, org_url};
use crate::oauth::scopes::{ScopeRequirement, required_scope};
use crate::oauth::tokens::{ResourceAuthError, ResourceRequest};
use crate::state::Shared;
use crate::util::now_secs;

/// Path of the org authorization server's token endpoint.
pub(crate) const TOKEN_PATH: &str = "/oauth2/v1/token";

/// Path prefix under which the Aerial API is served (`/aerial/{accountId}/api/v1/orgs…`).
pub(crate) const AERIAL_PREFIX: &str = "/aerial";

/// The OAuth principal of a request authenticated with an access token (a request extension).
#[derive(Debug, Clone)]
pub(crate) struct BearerPrincipal {
    /// The client (app) the token was issued to.
    pub client_id: String,
    /// The end user, for user tokens.
    pub user_id: Option<String>,
}

pub(crate) fn dpop_headers(headers: &HeaderMap) -> Vec<&str> {
    headers
        .get_all("dpop")
        .iter()
        .map(|v| v.to_str().unwrap_or(""))
        .collect()
}

/// Called by the pipeline when SSWS authentication failed with `ssws_error`: lets the token
/// endpoint through unauthenticated, and authenticates `Bearer`/`DPoP` access tokens against the
/// scope the endpoint requires. Returns the request to run, or the response to send.
pub(crate) fn authenticate(
    s: &Arc<Shared>,
    mut req: Request,
    ssws_error: ApiError,
) -> Result<Request, Box<Response>> {
    let path = req.uri().path().to_owned();
    // The token endpoint and primary authentication take no API token.
    if path == TOKEN_PATH || path == "/api/v1/authn" {
        return Ok(req);
    }
    let authorization = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .trim()
        .to_owned();
    // Okta's Python SDK (OAuth mode, as okta-mcp-server runs it) sends `Bearer<token>` with no
    // space; Okta accepts it, as the emulator accepts `SSWS<token>`.
    let authorization = match authorization.get(..6) {
        Some(s)
            if s.eq_ignore_ascii_case("Bearer")
                && authorization.len() > 6
                && !authorization[6..].starts_with(' ') =>
        {
            format!("Bearer {}", &authorization[6..])
        }
        _ => authorization,
    };
    let scheme = authorization.split(' ').next().unwrap_or("");
    if !scheme.eq_ignore_ascii_case("Bearer") && !scheme.eq_ignore_ascii_case("DPoP") {
        return Err(Box::new(ssws_error.into_response()));
    }
    // Aerial paths carry the account id first; the scope table has them without the prefix.
    let scope_path = path.strip_prefix(AERIAL_PREFIX).unwrap_or(&path);
    let method = req.method().as_str().to_owned();
    // Paths outside every known family need an API token. [unconfirmed]
    let required = required_scope(&method, scope_path).unwrap_or(ScopeRequirement::ApiTokenOnly);
    let base = org_url(req.headers(), &s.bound_url);
    let url = format!("{base}{}", req.uri());
    let dpop = dpop_headers(req.headers());
    let rr = ResourceRequest {
        authorization: &authorization,
        dpop: &dpop,
        method: &method,
        url: &url,
        path: &path,
        org_url: &base,
        now: now_secs(),
    };
    let principal = {
        let mut org = s.org.write();
        let auth = &mut org.auth;
        crate::oauth::tokens::authenticate(&auth.tokens, &mut auth.dpop_replay, &rr, required).map(
            |t| BearerPrincipal {
                client_id: t.client_id.clone(),
                user_id: t.user_id.clone(),
            },
        )
    };
    match principal {
        Ok(p) => {
            req.extensions_mut().insert(p);
            Ok(req)
        }
        Err(e) => Err(Box::new(resource_error(e))),
    }
}

/// The query string as the request log keeps it: the token endpoint's (client assertions, as
/// the Python SDK sends them) is redacted.
pub(crate) fn loggable_query(path: &str, query: Option<&str>) -> Option<String> {
    match query {
        Some(_) if path == TOKEN_PATH => Some("<redacted>".to_owned()),
        q => q.map(str::to_owned),
    }
}

/// Records the `DPoP` proof of a request refused before authentication (a 429), so that
/// replaying the same proof on retry fails with "The DPoP proof JWT has already been used." as
/// in Okta (okta/terraform-provider-okta#2392). Invalid proofs are ignored.
pub(crate) fn consume_proof(
    s: &Arc<Shared>,
    headers: &HeaderMap,
    method: &str,
    uri: &axum::http::Uri,
) {
    let dpop = dpop_headers(headers);
    let [proof] = dpop.as_slice() else {
        return;
    };
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once(' '))
        .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("DPoP"))
        .map(|(_, t)| t.trim());
    let url = format!("{}{uri}", org_url(headers, &s.bound_url));
    let ctx = crate::oauth::dpop::ProofContext {
        method,
        url: &url,
        now: now_secs(),
        access_token: token,
        expected_jkt: None,
        nonces: None,
    };
    let mut org = s.org.write();
    let _ = crate::oauth::dpop::verify_proof(proof, &ctx, &mut org.auth.dpop_replay);
}

fn resource_error(e: ResourceAuthError) -> Response {
    let status = StatusCode::from_u16(e.status).unwrap_or(StatusCode::UNAUTHORIZED);
    let mut resp = match e.body {
        Some(body) => json_status(status, &body),
        None => status.into_response(),
    };
    if let Some(v) = e
        .www_authenticate
        .and_then(|w| HeaderValue::from_str(&w).ok())
    {
        resp.headers_mut().insert(header::WWW_AUTHENTICATE, v);
    }
    resp
}
