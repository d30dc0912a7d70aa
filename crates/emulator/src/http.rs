//! Small HTTP helpers shared by the handlers: the org URL, query parameters, JSON bodies and
//! responses.

use std::convert::Infallible;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::error::{self, ApiError};
use crate::state::Shared;

/// The org URL as the client addressed it (from `Host`), e.g. `http://127.0.0.1:8089`.
#[derive(Debug, Clone)]
pub(crate) struct BaseUrl(pub String);

impl FromRequestParts<Arc<Shared>> for BaseUrl {
    type Rejection = Infallible;
    async fn from_request_parts(parts: &mut Parts, s: &Arc<Shared>) -> Result<Self, Infallible> {
        Ok(BaseUrl(org_url(&parts.headers, &s.bound_url)))
    }
}

/// The org URL as the client addressed it: `Host` (and `X-Forwarded-Proto`), else `bound_url`.
pub(crate) fn org_url(headers: &HeaderMap, bound_url: &str) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| !h.is_empty() && h.chars().all(|c| c.is_ascii_graphic()));
    let proto = headers
        .get("x-forwarded-proto")
        .and_then(|h| h.to_str().ok())
        .filter(|p| *p == "https" || *p == "http")
        .unwrap_or("http");
    match host {
        Some(h) => format!("{proto}://{h}"),
        None => bound_url.to_owned(),
    }
}

/// Query parameters in order (repeated keys kept).
#[derive(Debug, Clone, Default)]
pub(crate) struct Params(pub Vec<(String, String)>);

impl Params {
    pub(crate) fn get(&self, key: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }
    /// A boolean parameter (`true`/`false`); absent → `default`.
    pub(crate) fn flag(&self, key: &str, default: bool) -> bool {
        match self.get(key) {
            Some(v) if v.eq_ignore_ascii_case("true") => true,
            Some(v) if v.eq_ignore_ascii_case("false") => false,
            _ => default,
        }
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Params {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        let q = parts.uri.query().unwrap_or("");
        serde_urlencoded_pairs(q).map(Params)
    }
}

fn serde_urlencoded_pairs(q: &str) -> Result<Vec<(String, String)>, ApiError> {
    use axum::extract::Query;
    let uri: axum::http::Uri = format!("/?{q}").parse().map_err(|_| {
        ApiError::with_detail(error::E0000001, "query").cause("The query string is not valid")
    })?;
    Query::<Vec<(String, String)>>::try_from_uri(&uri)
        .map(|Query(v)| v)
        .map_err(|_| {
            ApiError::with_detail(error::E0000001, "query").cause("The query string is not valid")
        })
}

/// Parses a JSON body; malformed → 400 E0000003. An empty body parses as `null`.
pub(crate) fn parse_json(body: &Bytes) -> Result<serde_json::Value, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(serde_json::Value::Null);
    }
    serde_json::from_slice(body).map_err(|_| ApiError::new(error::E0000003))
}

/// A 200 JSON response with Okta's success content type.
pub(crate) fn json_ok<T: Serialize>(value: &T) -> Response {
    json_status(StatusCode::OK, value)
}

/// A JSON response with the given status.
pub(crate) fn json_status<T: Serialize>(status: StatusCode, value: &T) -> Response {
    match serde_json::to_vec(value) {
        Ok(bytes) => json_bytes(status, bytes),
        Err(_) => ApiError::new(error::E0000009).into_response(),
    }
}

/// A JSON response from already serialised bytes.
pub(crate) fn json_bytes(status: StatusCode, bytes: Vec<u8>) -> Response {
    let mut r = (status, bytes).into_response();
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json;charset=UTF-8"),
    );
    r
}

/// `204 No Content` without a body or content type.
pub(crate) fn no_content() -> Response {
    StatusCode::NO_CONTENT.into_response()
}
